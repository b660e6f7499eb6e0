package cohort

import (
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// FloorParams draws the parameters of the first n subjects exactly as
// ../shared/bench/cohort/cohort_floor.c does (its xorshift64 generator and
// Box–Muller normals, ka, cl, v1, q, v2 each times exp(0.3·z) in that order), so
// that medtwin and the floor can be compared on identical subjects.
func FloorParams(n int) *Batch {
	s := uint64(88172645463325252)
	unif := func() float64 {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		return float64(s>>11) * (1.0 / 9007199254740992.0)
	}
	gauss := func() float64 {
		u := unif() + 1e-300
		v := unif()
		return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
	}
	b := &Batch{NCmt: 2, DoseAmt: 100}
	for t := 0.0; t <= 336; t++ {
		b.Times = append(b.Times, t)
	}
	for t := 0.0; t <= 324; t += 12 {
		b.DoseTimes = append(b.DoseTimes, t)
	}
	for i := 0; i < n; i++ {
		ka := 1.0 * math.Exp(0.3*gauss())
		cl := 5 * math.Exp(0.3*gauss())
		v1 := 50 * math.Exp(0.3*gauss())
		q := 10 * math.Exp(0.3*gauss())
		v2 := 100 * math.Exp(0.3*gauss())
		b.IDs = append(b.IDs, uint64(i))
		b.KA, b.CL, b.V1, b.Q2, b.V2 = append(b.KA, ka), append(b.CL, cl), append(b.V1, v1), append(b.Q2, q), append(b.V2, v2)
		b.Q3, b.V3 = append(b.Q3, 0), append(b.V3, 1)
	}
	return b
}

// MeanAt returns the mean concentration at output index k.
func (b *Batch) MeanAt(k int) float64 {
	nt := len(b.Times)
	s := 0.0
	for i := 0; i < b.Len(); i++ {
		s += b.Conc[i*nt+k]
	}
	return s / float64(b.Len())
}

// ReferenceBatch returns subjects [from, from+n) of pk.ReferenceCohort (each from
// its own PCG stream) as a batch on the hourly 0–336 h grid with the 28 doses.
func ReferenceBatch(seed uint64, from, n int) *Batch {
	var ref pk.ReferenceCohort
	b := &Batch{NCmt: 2, DoseAmt: 100, Times: ref.Times()}
	for t := 0.0; t <= 324; t += 12 {
		b.DoseTimes = append(b.DoseTimes, t)
	}
	for i := from; i < from+n; i++ {
		m := ref.Subject(seed, i)
		b.IDs = append(b.IDs, uint64(i))
		b.KA, b.CL, b.V1 = append(b.KA, m.P.KA), append(b.CL, m.P.CL), append(b.V1, m.P.V1)
		b.Q2, b.V2 = append(b.Q2, m.P.Q2), append(b.V2, m.P.V2)
		b.Q3, b.V3 = append(b.Q3, 0), append(b.V3, 1)
	}
	return b
}
