package pk

import "math"

// jet fills the normalised Taylor coefficients c[1..p] of dA/dt = K·A + r −
// e_c·VMax·A_c/(KM·V1 + A_c) through c[0] (ode.Jet): the linear part gives
// c[k+1] = (K·c[k] + r·[k = 0])/(k+1); the Michaelis–Menten quotient
// q = u/(KM·V1 + u) of the central amount u has, by Leibniz's rule on q·b = u
// with b = KM·V1 + u, q_k = (u_k − Σ_{j=1..k} u_j·q_{k−j}) / b_0 (Jorba & Zou
// 2005, Exp Math 14:99, §2.1).
func (p *odeProp) jet(t float64, c [][]float64) {
	n := len(c[0])
	k, r := p.k, p.r
	mm := !p.m.Linear()
	cen := p.m.Central()
	var vmax, b0, u0 float64
	if mm {
		// a central amount below 0 is a rounding artefact at washout; the
		// model's rate is 0 there (Model.mmRate), as it is at 0, so the
		// quotient is expanded about 0: without it the series would follow
		// the stiff continuation VMax·u/(KM·V1) of a drug that is gone
		u0 = math.Max(c[0][cen], 0)
		vmax = p.m.P.VMax
		b0 = p.m.P.KM*p.m.P.V1 + u0
	}
	for o := 0; o+1 < len(c); o++ {
		x, next := c[o], c[o+1]
		inv := 1 / float64(o+1)
		if n == 3 {
			// the commonest shape, unrolled (2 compartments and a depot, or 3)
			_, _, _ = x[2], next[2], k[8]
			x0, x1, x2 := x[0], x[1], x[2]
			v0 := k[0]*x0 + k[1]*x1 + k[2]*x2
			v1 := k[3]*x0 + k[4]*x1 + k[5]*x2
			v2 := k[6]*x0 + k[7]*x1 + k[8]*x2
			if o == 0 {
				v0, v1, v2 = v0+r[0], v1+r[1], v2+r[2]
			}
			next[0], next[1], next[2] = v0*inv, v1*inv, v2*inv
		} else {
			for i := range next {
				v := 0.0
				if o == 0 {
					v = r[i]
				}
				for j, kij := range k[i*n : i*n+n] {
					v += kij * x[j]
				}
				next[i] = v * inv
			}
		}
		if mm {
			q := p.q
			s := c[o][cen]
			if o == 0 {
				s = u0
			}
			for j := 1; j <= o; j++ {
				s -= c[j][cen] * q[o-j]
			}
			q[o] = s / b0
			next[cen] -= vmax * q[o] * inv
		}
	}
}
