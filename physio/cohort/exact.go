package cohort

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/medtwin/medtwin/physio/pk"
)

// cpu is the default backend: linear models on the exact transition-matrix path,
// subjects split across all cores (each subject is independent, so the split does
// not change any number).
type cpu struct{}

func init() { Register(cpu{}) }

func (cpu) Name() string { return "cpu" }

// Simulate propagates each subject exactly on the output grid: the state after a
// grid step is E·y with E = exp(K·Δt), computed once per subject by Taylor
// series with scaling and squaring (Moler & Van Loan 2003, SIAM Rev 45:3, method
// 3); doses are added at the start of their grid step, before the output (as in
// ../shared/bench/cohort/cohort_floor.c and pk's Simulate).
func (cpu) Simulate(b *Batch) error {
	if err := b.Check(); err != nil {
		return err
	}
	nt := len(b.Times)
	if len(b.Conc) != b.Len()*nt {
		if cap(b.Conc) >= b.Len()*nt {
			b.Conc = b.Conc[:b.Len()*nt] // reuse the caller's buffer
		} else {
			b.Conc = make([]float64, b.Len()*nt)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > b.Len() {
		workers = b.Len()
	}
	var wg sync.WaitGroup
	errs := make([]error, max(workers, 1))
	chunk := (b.Len() + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, b.Len())
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if !b.Nonlinear() {
					b.subject(i)
				} else if err := b.subjectODE(i); err != nil {
					errs[w] = err
					return
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Check validates the batch: the model, an evenly spaced grid from 0 with the
// doses on it, and every subject's parameters (a backend calls it first).
func (b *Batch) Check() error {
	if b.NCmt < 1 || b.NCmt > 3 {
		return fmt.Errorf("cohort: %d disposition compartments, want 1..3", b.NCmt)
	}
	if len(b.Times) < 2 || b.Times[0] != 0 {
		return fmt.Errorf("cohort: the output grid must start at 0 and have at least two times")
	}
	dt := b.Times[1]
	for k := range b.Times {
		if math.Abs(b.Times[k]-float64(k)*dt) > 1e-9*dt {
			return fmt.Errorf("cohort: the output grid must be evenly spaced (time %d is %v)", k+1, b.Times[k])
		}
	}
	for _, t := range b.DoseTimes {
		if k := t / dt; math.Abs(k-math.Round(k)) > 1e-9 {
			return fmt.Errorf("cohort: dose at %v h is not on the output grid (the exact batch path needs that; use pk.Model for others)", t)
		}
	}
	n := b.Len()
	positive := map[string][]float64{"ka": b.KA, "cl": b.CL, "v1": b.V1}
	if b.NCmt >= 2 {
		positive["q2"], positive["v2"] = b.Q2, b.V2
	}
	if b.NCmt == 3 {
		positive["q3"], positive["v3"] = b.Q3, b.V3
	}
	if b.Nonlinear() {
		delete(positive, "cl") // CL >= 0 beside Michaelis–Menten elimination
		positive["vmax"], positive["km"] = b.VMax, b.KM
		if len(b.CL) != n {
			return fmt.Errorf("cohort: cl has %d values for %d subjects", len(b.CL), n)
		}
		for i, x := range b.CL {
			if !(x >= 0) {
				return fmt.Errorf("cohort: subject %d: cl = %v, want >= 0", b.IDs[i], x)
			}
		}
	}
	names := make([]string, 0, len(positive))
	for name := range positive {
		names = append(names, name)
	}
	sort.Strings(names) // the first bad parameter in a fixed order
	for _, name := range names {
		v := positive[name]
		if len(v) != n {
			return fmt.Errorf("cohort: %s has %d values for %d subjects", name, len(v), n)
		}
		for i, x := range v {
			if !(x > 0) || math.IsInf(x, 0) {
				return fmt.Errorf("cohort: subject %d: %s = %v, want a positive finite number", b.IDs[i], name, x)
			}
		}
	}
	return nil
}

// subjectODE runs subject i of a nonlinear batch on pk's ODE path (Taylor,
// rtol 1e-10, atol 1e-12 mg).
func (b *Batch) subjectODE(i int) error {
	m := pk.Model{NCmt: b.NCmt, Absorption: true, Integrator: pk.Taylor, P: pk.Params{KA: b.KA[i], CL: b.CL[i], V1: b.V1[i],
		Q2: at(b.Q2, i), V2: at(b.V2, i), Q3: at(b.Q3, i), V3: at(b.V3, i), VMax: b.VMax[i], KM: b.KM[i]}}
	doses := make([]pk.Dose, len(b.DoseTimes))
	for d, t := range b.DoseTimes {
		doses[d] = pk.Dose{Time: t, Amt: b.DoseAmt, Cmt: 1}
	}
	nt := len(b.Times)
	c, err := m.Simulate(doses, b.Times, pk.ODE)
	if err != nil {
		return fmt.Errorf("cohort: subject %d: %w", b.IDs[i], err)
	}
	copy(b.Conc[i*nt:(i+1)*nt], c)
	return nil
}

// at returns v[i], or 0 for a parameter the model does not have.
func at(v []float64, i int) float64 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// subject runs subject i.
func (b *Batch) subject(i int) {
	dt := b.Times[1] - b.Times[0]
	n := b.NCmt + 1 // depot + disposition compartments
	var k, e [16]float64
	k[0*4+0] = -b.KA[i]
	k[1*4+0] = b.KA[i]
	k[1*4+1] = -b.CL[i] / b.V1[i]
	if b.NCmt >= 2 {
		k12, k21 := b.Q2[i]/b.V1[i], b.Q2[i]/b.V2[i]
		k[1*4+1] -= k12
		k[1*4+2] = k21
		k[2*4+1] = k12
		k[2*4+2] = -k21
	}
	if b.NCmt == 3 {
		k13, k31 := b.Q3[i]/b.V1[i], b.Q3[i]/b.V3[i]
		k[1*4+1] -= k13
		k[1*4+3] = k31
		k[3*4+1] = k13
		k[3*4+3] = -k31
	}
	expm(&k, dt, n, &e)
	nt := len(b.Times)
	out := b.Conc[i*nt : (i+1)*nt]
	var y, z [4]float64
	d := 0
	v1 := b.V1[i]
	for h := 0; h < nt; h++ {
		t := float64(h) * dt
		for d < len(b.DoseTimes) && b.DoseTimes[d] <= t+1e-9*dt {
			y[0] += b.DoseAmt
			d++
		}
		out[h] = y[1] / v1
		for r := 0; r < n; r++ {
			s := 0.0
			for c := 0; c < n; c++ {
				s += e[r*4+c] * y[c]
			}
			z[r] = s
		}
		y = z
	}
}

// expm computes e = exp(k·dt) for the leading n×n block (row stride 4) by a
// 16-term Taylor series of k·dt/2^s, squared s times, with s chosen so that the
// scaled matrix has a 1-norm below 1/2 (truncation error below 1e-20).
func expm(k *[16]float64, dt float64, n int, e *[16]float64) {
	norm := 0.0
	for c := 0; c < n; c++ {
		s := 0.0
		for r := 0; r < n; r++ {
			s += math.Abs(k[r*4+c])
		}
		norm = math.Max(norm, s)
	}
	norm *= dt
	sq := 0
	for norm > 0.5 {
		norm /= 2
		sq++
	}
	h := dt / float64(int(1)<<sq)
	var a, term, t2 [16]float64
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			a[r*4+c] = k[r*4+c] * h
		}
	}
	*e = [16]float64{}
	for r := 0; r < n; r++ {
		e[r*4+r] = 1
		term[r*4+r] = 1
	}
	for m := 1; m <= 16; m++ {
		mul(&term, &a, n, &t2)
		for r := 0; r < n; r++ {
			for c := 0; c < n; c++ {
				term[r*4+c] = t2[r*4+c] / float64(m)
				e[r*4+c] += term[r*4+c]
			}
		}
	}
	for s := 0; s < sq; s++ {
		mul(e, e, n, &t2)
		*e = t2
	}
}

func mul(a, b *[16]float64, n int, c *[16]float64) {
	for r := 0; r < n; r++ {
		for col := 0; col < n; col++ {
			s := 0.0
			for m := 0; m < n; m++ {
				s += a[r*4+m] * b[m*4+col]
			}
			c[r*4+col] = s
		}
	}
}
