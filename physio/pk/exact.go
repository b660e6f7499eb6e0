package pk

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// exactProp propagates a linear model exactly: over an interval of length dt
// with constant infusion rates r, a ← E·a + G·r with E = exp(K·dt) and
// G = ∫₀^dt exp(K·s) ds, both read off the exponential of the augmented matrix
// [[K, I], [0, 0]]·dt (Van Loan 1978, IEEE Trans Automat Contr 23:395).
type exactProp struct {
	n     int
	k     []float64
	cache map[float64]*transition
	tmp   []float64
}

type transition struct {
	e, g []float64 // row-major n×n
}

func newExactProp(m Model) *exactProp {
	return &exactProp{n: m.N(), k: m.K(), cache: map[float64]*transition{}, tmp: make([]float64, m.N())}
}

func (p *exactProp) transition(dt float64) *transition {
	if tr, ok := p.cache[dt]; ok {
		return tr
	}
	n := p.n
	aug := mat.NewDense(2*n, 2*n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			aug.Set(i, j, p.k[i*n+j]*dt)
		}
		aug.Set(i, n+i, dt)
	}
	var ex mat.Dense
	ex.Exp(aug)
	tr := &transition{e: make([]float64, n*n), g: make([]float64, n*n)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			tr.e[i*n+j] = ex.At(i, j)
			tr.g[i*n+j] = ex.At(i, n+j)
		}
	}
	if len(p.cache) < 4096 {
		p.cache[dt] = tr
	}
	return tr
}

func (p *exactProp) step(a []float64, dt float64, r []float64) {
	tr := p.transition(dt)
	n := p.n
	infusing := false
	for _, v := range r {
		if v != 0 {
			infusing = true
		}
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < n; j++ {
			s += tr.e[i*n+j] * a[j]
			if infusing {
				s += tr.g[i*n+j] * r[j]
			}
		}
		p.tmp[i] = s
	}
	copy(a, p.tmp)
}

func (p *exactProp) advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error {
	t := t0
	for _, to := range outs {
		if to <= t {
			if to == t {
				emit(to, a)
			}
			continue
		}
		p.step(a, to-t, r)
		t = to
		emit(to, a)
	}
	if t1 > t {
		p.step(a, t1-t, r)
	}
	return nil
}

// steadyState solves S = E(II)·S + c, where c is one interval's dose propagated
// from zero: S = (I − E(II))⁻¹·c.
func (p *exactProp) steadyState(m Model, d Dose) ([]float64, error) {
	n := p.n
	c := make([]float64, n)
	if err := m.oneInterval(p, d, c); err != nil {
		return nil, err
	}
	tr := p.transition(d.II)
	ie := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := -tr.e[i*n+j]
			if i == j {
				v++
			}
			ie.Set(i, j, v)
		}
	}
	var s mat.VecDense
	if err := s.SolveVec(ie, mat.NewVecDense(n, c)); err != nil {
		return nil, fmt.Errorf("pk: steady state: %v", err)
	}
	return s.RawVector().Data, nil
}
