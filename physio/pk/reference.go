package pk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/medtwin/medtwin/engine/par"
)

// ReferenceCohort describes the benchmark cohort of ../shared/bench/cohort: a
// two-compartment oral model (ka 1/h, CL 5 L/h, V1 50 L, Q 10 L/h, V2 100 L),
// each parameter log-normal with ω = 0.3, 28 doses of 100 mg every 12 h from
// t = 0, concentrations every hour from 0 to 336 h.
type ReferenceCohort struct{}

// Doses returns the regimen: 100 mg into the depot at 0, 12, ..., 324 h.
func (ReferenceCohort) Doses() []Dose { return []Dose{{Time: 0, Amt: 100, II: 12, ADDL: 27, Cmt: 1}} }

// Times returns the hourly output grid 0..336 h.
func (ReferenceCohort) Times() []float64 {
	t := make([]float64, 337)
	for i := range t {
		t[i] = float64(i)
	}
	return t
}

// Subject returns subject i's model: typical values times exp(0.3·z), z drawn
// from the subject's own PCG stream (seed, i), so a subject is the same
// whatever the batch or shard.
func (ReferenceCohort) Subject(seed uint64, i int) Model {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	e := func() float64 { return math.Exp(0.3 * r.NormFloat64()) }
	return Model{NCmt: 2, Absorption: true, P: Params{KA: 1 * e(), CL: 5 * e(), V1: 50 * e(), Q2: 10 * e(), V2: 100 * e()}}
}

// TimeODE solves n subjects of the cohort one at a time through the ODE path
// (rtol 1e-8, atol 1e-10, as cohort_desolve.R) on the given number of workers
// (0: all cores) and returns subjects per second and the mean concentration at
// 336 h.
func (r ReferenceCohort) TimeODE(n, workers int, integ Integrator) (float64, float64, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	doses, times := r.Doses(), r.Times()
	sums := make([]float64, workers)
	errs := make([]error, workers)
	t0 := time.Now()
	par.Strided(n, workers, func(w, i int) {
		if errs[w] != nil {
			return // this worker's first error ends its share
		}
		m := r.Subject(1, i)
		m.RTol, m.ATol, m.Integrator = 1e-8, 1e-10, integ
		c, err := m.Simulate(doses, times, ODE)
		if err != nil {
			errs[w] = fmt.Errorf("subject %d: %w", i, err)
			return
		}
		sums[w] += c[336]
	})
	el := time.Since(t0).Seconds()
	sum := 0.0
	for w := range sums {
		if errs[w] != nil {
			return 0, 0, errs[w]
		}
		sum += sums[w]
	}
	return float64(n) / el, sum / float64(n), nil
}

// MeanExact returns the mean concentration at time index k over subjects
// 0..n−1 on the exact path (the figure TimeODE's mean is checked against).
func (r ReferenceCohort) MeanExact(n, k int) (float64, error) {
	doses, times := r.Doses(), r.Times()
	sum := 0.0
	for i := 0; i < n; i++ {
		c, err := r.Subject(1, i).Simulate(doses, times, Exact)
		if err != nil {
			return 0, fmt.Errorf("subject %d: %w", i, err)
		}
		sum += c[k]
	}
	return sum / float64(n), nil
}
