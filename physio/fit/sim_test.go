package fit

import (
	"fmt"
	"math"
	"strings"

	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
)

// oralSampleTimes are the 11 levels per subject of the simulated data sets, h.
var oralSampleTimes = []float64{0.5, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24}

// oralModel is a one-compartment oral model with η on CL, V1 and KA (full Ω:
// CL and V1 correlated 0.5) and combined residual error.
func oralModel() *Model {
	st, _ := NewPK(1, true, false)
	return &Model{
		Structure: st,
		Params: []Param{
			{Name: "CL", Typical: 5, Eta: "eta_cl"},
			{Name: "V1", Typical: 50, Eta: "eta_v"},
			{Name: "KA", Typical: 1.2, Eta: "eta_ka"},
		},
		Etas:  []string{"eta_cl", "eta_v", "eta_ka"},
		Omega: mat.NewSymDense(3, []float64{0.09, 0.03, 0, 0.03, 0.04, 0, 0, 0, 0.16}),
		Error: ErrorModel{Kind: Combined, Add: 0.1, Prop: 0.1},
	}
}

// simulatedOral writes n subjects of oralModel (500 mg at 0 h, 11 levels)
// as a NONMEM data set, η and ε drawn from named streams.
func simulatedOral(n int, seed uint64) string {
	m := oralModel()
	var ch mat.Cholesky
	ch.Factorize(m.Omega)
	var l mat.TriDense
	ch.LTo(&l)
	var b strings.Builder
	b.WriteString("ID,TIME,AMT,DV,EVID,MDV,CMT\n")
	for id := 1; id <= n; id++ {
		s := rng.New(seed, 0, "fit-test-eta", uint64(id))
		z := make([]float64, 3)
		for i := range z {
			z[i] = s.Normal(0, 1)
		}
		eta := make([]float64, 3)
		for i := 0; i < 3; i++ {
			for j := 0; j <= i; j++ {
				eta[i] += l.At(i, j) * z[j]
			}
		}
		cl, v, ka := 5*math.Exp(eta[0]), 50*math.Exp(eta[1]), 1.2*math.Exp(eta[2])
		k := cl / v
		eps := rng.New(seed, 0, "fit-test-eps", uint64(id))
		fmt.Fprintf(&b, "%d,0,500,.,1,1,1\n", id)
		for _, t := range oralSampleTimes {
			f := 500 * ka / (v * (ka - k)) * (math.Exp(-k*t) - math.Exp(-ka*t))
			y := f + eps.Normal(0, 1)*math.Sqrt(0.01+0.01*f*f)
			fmt.Fprintf(&b, "%d,%g,0,%.6g,0,0,2\n", id, t, y)
		}
	}
	return b.String()
}
