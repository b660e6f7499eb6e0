package plan

import (
	"context"
	"math"
	"strings"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
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
	guessed           bool
}

// Guessed says whether the verdict is "better" or "worse" by NameRule, the
// model declaring no direction for the KPI.
func (d Diff) Guessed() bool { return d.guessed }

// NameRule is the fallback direction of a KPI that its model does not declare
// (Description.KPIs, in Lua `kpis = { wait_h = { better = "lower" } }`): +1
// (higher is better) when the name contains _met, availability, served or seen;
// −1 (lower is better) when it contains a word of delay, loss or harm (wait,
// door_to, los, lwbs, queue, overtime, mortality, ...); 0 otherwise. Compare
// marks each verdict it reached by this rule (Diff.Guessed), and the CLI warns.
func NameRule(kpi string) Better {
	k := strings.ToLower(kpi)
	for _, s := range []string{"_met", "availability", "served", "seen"} {
		if strings.Contains(k, s) {
			return Higher
		}
	}
	for _, s := range []string{"wait", "door_to", "los", "lwbs", "boarding", "divert", "queue", "overtime", "transferred",
		"cancel", "refused", "downtime", "down_units", "blocked", "reneged", "balked", "failures", "turnaround", "after_18h",
		"mortality", "deteriorat", "to_antibiotics", "untreated", "_icu"} {
		if strings.Contains(k, s) {
			return Lower
		}
	}
	return Undeclared
}

// ResourceKPIs are the directions of the statistics that the engine records
// for every resource ("<resource>.<statistic>", engine.Resource), declared
// here once for all models. Utilisation, busy_mean, arrivals, preempted and
// in_use_end have no better side.
var ResourceKPIs = map[string]Better{
	"queue_mean": Lower, "system_mean": Lower, "wait_mean_s": Lower, "served": Higher, "reneged": Lower, "balked": Lower,
	"blocked": Lower, "overtime_h": Lower, "queued_end": Lower,
}

// Direction is the direction of a KPI of d that the model declares (or, for a
// resource statistic, ResourceKPIs), or else NameRule's; declared says which.
func Direction(d Description, kpi string) (b Better, declared bool) {
	for _, k := range d.KPIs {
		if k.Name == kpi && k.Better != Undeclared {
			return k.Better, true
		}
	}
	if i := strings.LastIndexByte(kpi, '.'); i > 0 {
		if b, ok := ResourceKPIs[kpi[i+1:]]; ok {
			return b, true
		}
	}
	return NameRule(kpi), false
}

func verdict(dir Better, d stats.Summary) string {
	if d.N < 2 || math.IsNaN(d.HalfWidth) || d.Contains(0) {
		return "no detectable difference"
	}
	up := d.Mean > 0
	switch dir {
	case Higher:
		if up {
			return "better"
		}
		return "worse"
	case Lower:
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
// The verdict uses the baseline's declared KPI directions.
func Compare(ctx context.Context, base, variant Model, workers int) ([]Diff, error) {
	bd, vd := base.Describe(), variant.Describe()
	b, err := replicate(ctx, base, bd.Seed, 0, bd.Replications, workers)
	if err != nil {
		return nil, err
	}
	v, err := replicate(ctx, variant, vd.Seed, 0, bd.Replications, workers)
	if err != nil {
		return nil, err
	}
	vi, err := replicate(ctx, variant, vd.Seed+IndependentSeedOffset, 0, bd.Replications, workers)
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
		dir, declared := Direction(bd, k)
		r := Diff{KPI: k, Baseline: sb.Mean, Variant: stats.Summarize(y, 0.95).Mean, Diff: ds, Indep: indep, Verdict: verdict(dir, ds)}
		r.guessed = !declared && (r.Verdict == "better" || r.Verdict == "worse")
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
