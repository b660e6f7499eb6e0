package pk

import (
	"math"
	"math/rand/v2"
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
