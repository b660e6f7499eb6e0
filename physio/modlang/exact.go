package modlang

import "gonum.org/v1/gonum/mat"

// exactProp propagates a linear model dy/dt = K·y + r exactly: over an
// interval dt with constant r, y ← E·y + G·r with E = exp(K·dt) and
// G = ∫₀^dt exp(K·s) ds, read off the exponential of [[K, I], [0, 0]]·dt
// (Van Loan 1978, IEEE Trans Automat Contr 23:395). K is the model's
// Jacobian (constant for a linear model) and r = f(t, 0), which holds the
// running infusions and any constant input.
type exactProp struct {
	in     *Instance
	n      int
	k      []float64
	r, tmp []float64
	cache  map[float64][]float64 // dt → E and G, row-major n×n each
	aug    *mat.Dense
	ex     mat.Dense
}

func newExactProp(in *Instance) *exactProp {
	n := in.M.NumStates()
	p := &exactProp{in: in, n: n, k: make([]float64, n*n), r: make([]float64, n), tmp: make([]float64, n),
		cache: map[float64][]float64{}, aug: mat.NewDense(2*n, 2*n, nil)}
	in.Jacobian(0, p.tmp, p.k)
	return p
}

func (p *exactProp) transition(dt float64) []float64 {
	if tr, ok := p.cache[dt]; ok {
		return tr
	}
	n := p.n
	aug := p.aug
	aug.Zero()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			aug.Set(i, j, p.k[i*n+j]*dt)
		}
		aug.Set(i, n+i, dt)
	}
	p.ex.Exp(aug)
	tr := make([]float64, 2*n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			tr[i*n+j] = p.ex.At(i, j)
			tr[n*n+i*n+j] = p.ex.At(i, n+j)
		}
	}
	if len(p.cache) < 4096 {
		p.cache[dt] = tr
	}
	return tr
}

func (p *exactProp) step(y []float64, dt float64) {
	tr := p.transition(dt)
	n := p.n
	e, g := tr[:n*n], tr[n*n:]
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < n; j++ {
			s += e[i*n+j]*y[j] + g[i*n+j]*p.r[j]
		}
		p.tmp[i] = s
	}
	copy(y, p.tmp)
}

func (p *exactProp) advance(y []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
	for i := range p.tmp {
		p.tmp[i] = 0
	}
	p.in.RHS(t0, p.tmp, p.r) // the constant part: f at y = 0, with the running infusions
	t := t0
	for i, to := range outs {
		if to <= t {
			if to == t {
				emit(i, to, y)
			}
			continue
		}
		p.step(y, to-t)
		t = to
		emit(i, to, y)
	}
	if t1 > t {
		p.step(y, t1-t)
	}
	return nil
}
