package trial

import (
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// Power on replicate trials of subjects whose attainment is Bernoulli(0.3) in
// the reference arm and Bernoulli(0.5) in the other agrees with the exact power
// of the pooled z test, summed over both binomial outcomes, within 4 Monte
// Carlo standard errors.
func TestTrialPowerExact(t *testing.T) {
	const n, count, p0, p1 = 50, 2000, 0.3, 0.5
	tr := &Spec{Arms: []Arm{{Name: "ref"}, {Name: "new"}}}
	tr.Replicates.N, tr.Replicates.Alpha = n, 0.05
	st := rng.New(9, 0, "power-test", 0)
	var res []Result
	for i := 0; i < n*2*count; i++ {
		for a, p := range []float64{p0, p1} {
			res = append(res, Result{Subject: i, Arm: a, TargetMet: st.Float64() < p})
		}
	}
	pw, err := tr.Power(res)
	if err != nil {
		t.Fatal(err)
	}
	binom := func(k int, p float64) float64 {
		return distuv.Binomial{N: n, P: p}.Prob(float64(k))
	}
	exact := 0.0
	for k0 := 0; k0 <= n; k0++ {
		for k1 := 0; k1 <= n; k1++ {
			if z, pv := stats.TwoProportionZ(k0, n, k1, n); pv < 0.05 && z > 0 {
				exact += binom(k0, p0) * binom(k1, p1)
			}
		}
	}
	got := float64(pw[0].Higher) / count
	se := math.Sqrt(exact * (1 - exact) / count)
	if pw[0].Replicates != count || math.Abs(got-exact) > 4*se {
		t.Fatalf("power %v over %d replicates, exact %v (se %v)", got, pw[0].Replicates, exact, se)
	}
	if math.Abs(pw[0].MeanDiff-(p1-p0)) > 0.01 {
		t.Fatalf("mean difference %v, want %v", pw[0].MeanDiff, p1-p0)
	}
	if _, err := tr.Power(res[:2*(2*n-1)]); err == nil || !strings.Contains(err.Error(), "need at least 100 subjects") {
		t.Fatalf("too few subjects: %v", err)
	}
}
