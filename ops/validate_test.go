package ops

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// synthVisits is an independent generator of ED visits (not the ED model):
// Poisson arrivals with a sinusoidal day profile (thinning), door-to-doctor
// exponential with mean d2dMin, LOS log-normal with median losMedH (σ = 0.6)
// multiplied by losFactor for arrivals at or after shiftAt, a share lwbs left
// unseen.
func synthVisits(st *rng.Stream, days, perDay, d2dMin, losMedH, lwbs, shiftAt, losFactor float64) []Visit {
	var out []Visit
	peak := perDay / 24 * 1.6 / 3600
	for t := st.Exp(peak); t < days*86400; t += st.Exp(peak) {
		rate := perDay / 24 * (1 + 0.6*math.Sin(2*math.Pi*(math.Mod(t, 86400)/86400-0.375))) / 3600
		if st.Float64()*peak > rate {
			continue
		}
		v := Visit{Arrival: t, Seen: math.NaN(), Acuity: 3}
		los := losMedH * 3600 * math.Exp(0.6*st.Normal(0, 1))
		if t >= shiftAt {
			los *= losFactor
		}
		if st.Float64() < lwbs {
			v.Disposition, v.Departure = "left_unseen", t+los/4
		} else {
			v.Seen = t + st.Exp(1/(d2dMin*60))
			v.Departure, v.Disposition = v.Seen+los, "discharged"
		}
		out = append(out, v)
	}
	return out
}

func asFlow(vs []Visit) []engine.FlowRow {
	out := make([]engine.FlowRow, len(vs))
	for i, v := range vs {
		out[i] = engine.FlowRow{Entity: int64(i + 1), Arrival: v.Arrival, End: v.Departure, DoorDoctor: v.DoorToDoctor(), Disposition: v.Disposition}
	}
	return out
}

// Same process on both sides: every KPI passes and the observed means lie in
// each other's CIs; LOS 40% longer in the observed data: los_h fails (KS and
// PSI both far out), the others still pass.
func TestValidateVerdicts(t *testing.T) {
	var reps [][]engine.FlowRow
	for r := 0; r < 4; r++ {
		reps = append(reps, asFlow(synthVisits(rng.New(1, r, "twin", 0), 28, 120, 30, 4, 0.04, math.Inf(1), 1)))
	}
	same := synthVisits(rng.New(2, 0, "obs", 0), 28, 120, 30, 4, 0.04, math.Inf(1), 1)
	cs, err := Validate(reps, same, Thresholds{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(ValidationKPIs)-1 { // all but boarding_h, which synthVisits does not make
		t.Fatalf("%d KPIs compared, want %d", len(cs), len(ValidationKPIs)-1)
	}
	for _, c := range cs {
		if !c.Pass {
			t.Errorf("same process: %+v fails", c)
		}
	}
	longer := synthVisits(rng.New(2, 0, "obs", 0), 28, 120, 30, 4, 0.04, 0, 1.4)
	cs, _ = Validate(reps, longer, Thresholds{})
	for _, c := range cs {
		if c.Pass == (c.KPI == "los_h") {
			t.Errorf("LOS x1.4: %s verdict %s (KS p %v, PSI %v)", c.KPI, c.Verdict(), c.KSP, c.PSI)
		}
		if c.KPI == "los_h" && (c.ObsMean/c.SimMean < 1.3 || c.ObsMean/c.SimMean > 1.5) {
			t.Errorf("LOS mean ratio %v, want about 1.4", c.ObsMean/c.SimMean)
		}
	}
	if _, err := Validate(nil, same, Thresholds{}); err == nil {
		t.Error("no simulated flow was accepted")
	}
}

// A drift (LOS x1.3 from day 70) is flagged in the first 28-day window after it
// and in none before; on stationary data the share of flagged windows is the
// KS level 0.05 (binomial 3-sigma band over 300 weekly windows).
func TestDriftFlagsShiftAndKeepsLevel(t *testing.T) {
	ref := [][]engine.FlowRow{asFlow(synthVisits(rng.New(3, 0, "twin", 0), 60, 100, 30, 4, 0.04, math.Inf(1), 1))}
	obs := synthVisits(rng.New(4, 0, "obs", 0), 140, 100, 30, 4, 0.04, 70*86400, 1.3)
	ws, err := Drift(ref, obs, 28*86400, 30, Thresholds{})
	if err != nil {
		t.Fatal(err)
	}
	firstAfter := math.Inf(1)
	for _, w := range ws {
		if w.KPI != "los_h" {
			continue
		}
		switch {
		case w.End <= 70*86400 && w.Flagged:
			t.Errorf("window %v-%v d flagged before the drift (KS p %v, PSI %v)", w.Start/86400, w.End/86400, w.KSP, w.PSI)
		case w.Start >= 70*86400 && w.Start < firstAfter:
			firstAfter = w.Start
			if !w.Flagged {
				t.Errorf("first window after the drift (%v d) not flagged: KS p %v, PSI %v", w.Start/86400, w.KSP, w.PSI)
			}
		}
	}
	if firstAfter != 84*86400 {
		t.Errorf("first window after the drift starts at %v d, want 84", firstAfter/86400)
	}
	stationary := synthVisits(rng.New(5, 0, "obs", 0), 300*7, 100, 30, 4, 0.04, math.Inf(1), 1)
	ws, _ = Drift(ref, stationary, 7*86400, 30, Thresholds{})
	n, flagged := 0, 0
	for _, w := range ws {
		if w.KPI == "los_h" {
			n++
			if w.Flagged {
				flagged++
			}
		}
	}
	rate, band := float64(flagged)/float64(n), 3*math.Sqrt(0.05*0.95/float64(n))
	if n != 300 || math.Abs(rate-0.05) > band {
		t.Errorf("stationary: %d of %d windows flagged (%.3f), want 0.05 ± %.3f", flagged, n, rate, band)
	}
	t.Logf("stationary false-alarm rate %.3f over %d windows", rate, n)
}
