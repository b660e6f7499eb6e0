package plan

import (
	"context"
	"math"
	"strings"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts"
)

// Diff is one KPI compared between a baseline and a variant.
type Diff struct {
	KPI               string
	Baseline, Variant float64       // means
	Diff              stats.Summary // paired differences (variant − baseline), common random numbers
	Indep             stats.Summary // difference of means with independent streams (Welch)
	WidthRatio        float64       // CI width with independent streams / with CRN
	VarianceReduction float64       // variance of the difference estimate, independent / CRN
	Verdict           string
}

// Direction says whether higher or lower values of a KPI are better: +1, −1, or
// 0 when medtwin cannot tell (the verdict then says "higher" or "lower").
func Direction(kpi string) int {
	k := strings.ToLower(kpi)
	for _, s := range []string{"_met", "availability", "served", "seen"} {
		if strings.Contains(k, s) {
			return +1
		}
	}
	for _, s := range []string{"wait", "door_to", "los", "lwbs", "boarding", "divert", "queue", "overtime", "transferred",
		"cancel", "refused", "downtime", "down_units", "blocked", "reneged", "balked", "failures", "turnaround", "after_18h",
		"mortality", "deteriorat", "to_antibiotics", "untreated", "_icu"} {
		if strings.Contains(k, s) {
			return -1
		}
	}
	return 0
}

func verdict(kpi string, d stats.Summary) string {
	if d.N < 2 || math.IsNaN(d.HalfWidth) || d.Contains(0) {
		return "no detectable difference"
	}
	up := d.Mean > 0
	switch Direction(kpi) {
	case +1:
		if up {
			return "better"
		}
		return "worse"
	case -1:
		if up {
			return "worse"
		}
		return "better"
	}
	if up {
		return "higher"
	}
	return "lower"
}

// IndependentSeedOffset shifts the variant's seed for the independent-streams
// comparison.
const IndependentSeedOffset = 1_000_003

// Compare runs R replications of baseline and variant with the same seed
// (common random numbers: replication r of both sees the same arrivals and
// patients) and, to measure what CRN buys, the variant again on independent
// streams; it returns one Diff per KPI present in both.
func Compare(ctx context.Context, base, variant *scripts.Scenario, workers int) ([]Diff, error) {
	b, err := Replicate(ctx, base, 0, base.Replications, workers)
	if err != nil {
		return nil, err
	}
	v, err := Replicate(ctx, variant, 0, base.Replications, workers)
	if err != nil {
		return nil, err
	}
	ind := variant.Clone()
	ind.Seed = variant.Seed + IndependentSeedOffset
	vi, err := Replicate(ctx, ind, 0, base.Replications, workers)
	if err != nil {
		return nil, err
	}
	// a counter that one of the three runs never incremented is 0 there
	all := engine.CompleteCounters(append(append(append([]engine.RepResult{}, b...), v...), vi...))
	b, v, vi = all[:len(b)], all[len(b):len(b)+len(v)], all[len(b)+len(v):]
	bv, order := Values(b)
	vv, _ := Values(v)
	iv, _ := Values(vi)
	var out []Diff
	for _, k := range order {
		x, y, z := bv[k], vv[k], iv[k]
		if len(y) != len(x) || len(z) != len(x) {
			continue
		}
		d := make([]float64, len(x))
		for i := range x {
			d[i] = y[i] - x[i]
		}
		ds := stats.Summarize(d, 0.95)
		sb, sz := stats.Summarize(x, 0.95), stats.Summarize(z, 0.95)
		indep := welch(sb, sz)
		r := Diff{KPI: k, Baseline: sb.Mean, Variant: stats.Summarize(y, 0.95).Mean, Diff: ds, Indep: indep, Verdict: verdict(k, ds)}
		if ds.HalfWidth > 0 {
			r.WidthRatio = indep.HalfWidth / ds.HalfWidth
			r.VarianceReduction = (sb.SD*sb.SD + sz.SD*sz.SD) / (ds.SD * ds.SD)
		}
		out = append(out, r)
	}
	return out, nil
}

// welch returns the difference of two independent means (b − a) with a Welch
// t interval.
func welch(a, b stats.Summary) stats.Summary {
	va, vb := a.SD*a.SD/float64(a.N), b.SD*b.SD/float64(b.N)
	se := math.Sqrt(va + vb)
	df := (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	s := stats.Summary{N: a.N, Mean: b.Mean - a.Mean, SD: se, Level: 0.95}
	if se == 0 || math.IsNaN(df) {
		s.HalfWidth = 0
	} else {
		s.HalfWidth = stats.TQuantile(0.975, df) * se
	}
	s.Low, s.High = s.Mean-s.HalfWidth, s.Mean+s.HalfWidth
	return s
}
