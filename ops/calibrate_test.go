package ops

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
)

// Garwood's exact interval against its published values (e.g. Ulm 1990, Am J
// Epidemiol 131:373, Table 1): k = 0: [0, 3.689]; k = 1: [0.0253, 5.572];
// k = 10: [4.795, 18.39].
func TestPoissonRateGarwood(t *testing.T) {
	for _, c := range []struct {
		k      int
		lo, hi float64
		tol    float64
	}{{0, 0, 3.689, 1e-3}, {1, 0.0253, 5.572, 1e-3}, {10, 4.795, 18.39, 1e-2}} {
		r := PoissonRate(c.k, 1, 0.95)
		if r.Rate != float64(c.k) || math.Abs(r.Low-c.lo) > c.tol || math.Abs(r.High-c.hi) > c.tol {
			t.Errorf("k=%d: %+v, want [%v, %v]", c.k, r, c.lo, c.hi)
		}
	}
	if r := PoissonRate(10, 4, 0.95); math.Abs(r.Rate-2.5) > 1e-15 || math.Abs(r.High*4-18.39) > 1e-2 {
		t.Errorf("exposure 4: %+v", r)
	}
}

// Arrivals from an independent generator (Poisson with hidden rates by weekday
// and hour, by thinning): every rate is count/exposure (closed form), and the
// 95% intervals cover the hidden rates about 95% of the time (at least 150 of
// 168; binomial mean 160, sd 2.8).
func TestFitArrivalsRecoversHiddenRates(t *testing.T) {
	st := rng.New(11, 0, "hidden-arrivals", 0)
	var truth [7][24]float64
	peak := 0.0
	for d := 0; d < 7; d++ {
		for h := 0; h < 24; h++ {
			truth[d][h] = 3 + 4*math.Sin(math.Pi*float64(h)/24)*(1+0.2*float64(d%3)) // per hour
			peak = math.Max(peak, truth[d][h])
		}
	}
	const weeks = 10
	var vs []Visit
	var count [7][24]int
	for t := st.Exp(peak / 3600); t < weeks*7*86400; t += st.Exp(peak / 3600) {
		d, h := int(t/86400)%7, int(math.Mod(t, 86400)/3600)
		if st.Float64()*peak < truth[d][h] {
			vs = append(vs, Visit{Arrival: t})
			count[d][h]++
		}
	}
	p, err := FitArrivals(vs)
	if err != nil {
		t.Fatal(err)
	}
	covered := 0
	for d := 0; d < 7; d++ {
		for h := 0; h < 24; h++ {
			r := p.ByDow[d][h]
			if r.Exposure != weeks || r.Rate != float64(count[d][h])/weeks {
				t.Fatalf("dow %d hour %d: %+v, want %d/%d", d, h, r, count[d][h], weeks)
			}
			if r.Low <= truth[d][h] && truth[d][h] <= r.High {
				covered++
			}
		}
	}
	if covered < 150 {
		t.Errorf("the 95%% intervals cover %d of 168 hidden rates", covered)
	}
	if p.Days != weeks*7 || math.Abs(p.Total.Rate-float64(len(vs))/(weeks*7*24)) > 1e-12 {
		t.Errorf("total %+v over %v days", p.Total, p.Days)
	}
}

// A log-normal LOS with hidden μ = 1.2, σ = 0.5 (drawn by exp of a normal, not
// through medtwin's log-normal): the MLE intervals cover both in at least 90 of
// 100 data sets of 400 (nominal 95; binomial sd 2.2).
func TestFitLogNormalCoverage(t *testing.T) {
	st := rng.New(12, 0, "hidden-los", 0)
	cm, cs := 0, 0
	for k := 0; k < 100; k++ {
		xs := make([]float64, 400)
		for i := range xs {
			xs[i] = math.Exp(1.2 + 0.5*st.Normal(0, 1))
		}
		f, err := FitLogNormal(xs)
		if err != nil {
			t.Fatal(err)
		}
		if f.MuLow <= 1.2 && 1.2 <= f.MuHigh {
			cm++
		}
		if f.SLow <= 0.5 && 0.5 <= f.SHigh {
			cs++
		}
	}
	if cm < 90 || cs < 90 {
		t.Errorf("coverage: mu %d, sigma %d of 100", cm, cs)
	}
	if _, err := FitLogNormal([]float64{1, -1}); err == nil {
		t.Error("two values accepted")
	}
}
