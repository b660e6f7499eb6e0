package modlang

import "math"

// JacobianCheck compares the AD Jacobian at (t, y) with central finite
// differences (step 1e-6·|y_j|, or 1e-6 at 0; truncation error O(h²)) and
// returns the worst difference relative to max(1, |difference quotient|).
// It is for verification: it allocates.
func (in *Instance) JacobianCheck(t float64, y []float64) float64 {
	n := len(y)
	jac := make([]float64, n*n)
	in.Jacobian(t, y, jac)
	f0, f1 := make([]float64, n), make([]float64, n)
	yp, ym := make([]float64, n), make([]float64, n)
	worst := 0.0
	for j := 0; j < n; j++ {
		h := 1e-6 * math.Abs(y[j])
		if h == 0 {
			h = 1e-6
		}
		copy(yp, y)
		copy(ym, y)
		yp[j] += h
		ym[j] -= h
		in.RHS(t, yp, f1)
		in.RHS(t, ym, f0)
		for i := 0; i < n; i++ {
			fd := (f1[i] - f0[i]) / (2 * h)
			worst = math.Max(worst, math.Abs(jac[i*n+j]-fd)/math.Max(1, math.Abs(fd)))
		}
	}
	return worst
}

// Jacobian writes ∂f/∂y at (t, y) into jac (row-major n×n: row i, column j
// is ∂f_i/∂y_j; an ode.JacFunc) by forward-mode automatic differentiation:
// one pass of the dynamic tape on (value, tangent) pairs per state, exact
// to rounding, without allocation.
func (in *Instance) Jacobian(t float64, y, jac []float64) {
	m := in.M
	n := len(m.stateNode)
	in.load(t, y)
	run(m.dynamic, in.regs)
	if in.tan == nil {
		in.tan = make([]float64, len(m.nodes)) // static nodes keep tangent 0
	}
	d := in.tan
	for j := 0; j < n; j++ {
		for i, id := range m.stateNode {
			d[id] = 0
			if i == j {
				d[id] = 1
			}
		}
		tangents(m.dynamic, in.regs, d)
		for i, id := range m.deriv {
			jac[i*n+j] = d[id]
		}
	}
}

// tangents runs the tape's derivative rules: d[dst] from the values r and
// the operands' tangents.
func tangents(tape []instr, r, d []float64) {
	for _, in := range tape {
		a, da := r[in.a], d[in.a]
		var v float64
		switch in.op {
		case opAdd:
			v = da + d[in.b]
		case opSub:
			v = da - d[in.b]
		case opMul:
			v = da*r[in.b] + a*d[in.b]
		case opDiv:
			v = (da - r[in.dst]*d[in.b]) / r[in.b]
		case opMulS:
			v = da * r[in.b]
		case opDivS:
			v = da / r[in.b]
		case opNeg:
			v = -da
		case opPow:
			b := r[in.b]
			v = b * math.Pow(a, b-1) * da
			if db := d[in.b]; db != 0 {
				v += r[in.dst] * math.Log(a) * db
			}
		case opExp:
			v = r[in.dst] * da
		case opLog:
			v = da / a
		case opSqrt:
			v = da / (2 * r[in.dst])
		case opSin:
			v = math.Cos(a) * da
		case opCos:
			v = -math.Sin(a) * da
		case opAbs:
			if a < 0 {
				v = -da
			} else {
				v = da
			}
		case opMin:
			if a <= r[in.b] {
				v = da
			} else {
				v = d[in.b]
			}
		case opMax:
			if a >= r[in.b] {
				v = da
			} else {
				v = d[in.b]
			}
		case opSelect:
			if a != 0 {
				v = d[in.b]
			} else {
				v = d[in.c]
			}
		default: // comparisons and logic are piecewise constant
			v = 0
		}
		d[in.dst] = v
	}
}
