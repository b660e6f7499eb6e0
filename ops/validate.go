package ops

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
)

// Thresholds are the verdict rules of a validation: a KPI fails when the
// two-sample KS test rejects at level Alpha or its PSI exceeds PSI.
type Thresholds struct {
	Alpha float64 // significance level of the KS test (default 0.05)
	PSI   float64 // population stability index limit (default 0.25, Siddiqi 2006)
	Bins  int     // PSI bins (default 10, deciles of the simulated sample)
}

// DefaultThresholds are the defaults of validate.
var DefaultThresholds = Thresholds{Alpha: 0.05, PSI: 0.25, Bins: 10}

// KPIComparison compares one KPI's simulated and observed samples.
type KPIComparison struct {
	KPI                      string
	SimN, ObsN               int
	SimMean, SimLow, SimHigh float64 // mean over the replications' means with its 95% CI (Student t)
	ObsMean, ObsLow, ObsHigh float64 // mean of the observations with its 95% CI
	KS, KSP                  float64 // two-sample KS statistic and asymptotic p
	AD, ADP                  float64 // k-sample Anderson–Darling standardised statistic and p (clamped to [0.001, 0.25])
	Wasserstein, PSI         float64
	Pass                     bool
}

// Verdict is "pass" or "fail".
func (c KPIComparison) Verdict() string {
	if c.Pass {
		return "pass"
	}
	return "fail"
}

// ValidationKPIs are the KPIs a validation compares, in order: door-to-doctor
// (minutes, patients seen), length of stay (hours, patients who left), LWBS (1
// for a patient who left unseen, 0 for one seen: its mean is the LWBS share)
// the arrival hour of day (0–24, the arrivals-by-hour profile) and boarding
// (hours from the decision to admit to departure, admitted patients; observed
// data have it when the visits give admit_decision).
var ValidationKPIs = []string{"door_to_doctor_min", "los_h", "lwbs", "arrival_hour", "boarding_h"}

// kpiSamples extracts the KPIs' samples of one data set.
type kpiSamples map[string][]float64

func flowSamples(rows []engine.FlowRow) kpiSamples {
	s := kpiSamples{}
	for _, f := range rows {
		if f.Disposition == "diverted" {
			continue
		}
		s.add(f.Arrival, f.DoorDoctor, f.End-f.Arrival, f.Boarding, f.Disposition)
	}
	return s
}

func visitSamples(vs []Visit) kpiSamples {
	s := kpiSamples{}
	for _, v := range vs {
		if v.Disposition == "diverted" {
			continue
		}
		s.add(v.Arrival, v.DoorToDoctor(), v.LOS(), v.Boarding(), v.Disposition)
	}
	return s
}

func (s kpiSamples) add(arrival, d2d, los, boarding float64, disp string) {
	if !math.IsNaN(d2d) {
		s["door_to_doctor_min"] = append(s["door_to_doctor_min"], d2d/60)
	}
	if !math.IsNaN(los) {
		s["los_h"] = append(s["los_h"], los/3600)
	}
	switch {
	case disp == "left_unseen":
		s["lwbs"] = append(s["lwbs"], 1)
	case !math.IsNaN(d2d):
		s["lwbs"] = append(s["lwbs"], 0)
	}
	s["arrival_hour"] = append(s["arrival_hour"], math.Mod(arrival, 86400)/3600)
	if strings.HasPrefix(disp, "admitted") && !math.IsNaN(boarding) {
		s["boarding_h"] = append(s["boarding_h"], boarding/3600)
	}
}

// Validate compares the simulated flow (one slice of rows per replication) with
// the observed visits, KPI by KPI. A KPI with no observation on either side is
// left out.
func Validate(reps [][]engine.FlowRow, obs []Visit, th Thresholds) ([]KPIComparison, error) {
	th = th.withDefaults()
	var pooled []engine.FlowRow
	perRep := make([]kpiSamples, len(reps))
	for i, r := range reps {
		pooled = append(pooled, r...)
		perRep[i] = flowSamples(r)
	}
	sim, o := flowSamples(pooled), visitSamples(obs)
	var out []KPIComparison
	for _, k := range ValidationKPIs {
		if len(sim[k]) == 0 || len(o[k]) == 0 {
			continue
		}
		c, err := compareSamples(k, sim[k], o[k], th)
		if err != nil {
			return nil, err
		}
		var means []float64
		for _, r := range perRep {
			if len(r[k]) > 0 {
				means = append(means, stats.Summarize(r[k], 0.95).Mean)
			}
		}
		if len(means) < 2 { // one replication: the CI of its observations
			means = sim[k]
		}
		ss := stats.Summarize(means, 0.95)
		c.SimMean, c.SimLow, c.SimHigh = ss.Mean, ss.Low, ss.High
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ops: validate: no KPI has both simulated and observed values")
	}
	return out, nil
}

func (th Thresholds) withDefaults() Thresholds {
	if th.Alpha <= 0 {
		th.Alpha = DefaultThresholds.Alpha
	}
	if th.PSI <= 0 {
		th.PSI = DefaultThresholds.PSI
	}
	if th.Bins < 2 {
		th.Bins = DefaultThresholds.Bins
	}
	return th
}

func compareSamples(kpi string, sim, obs []float64, th Thresholds) (KPIComparison, error) {
	c := KPIComparison{KPI: kpi, SimN: len(sim), ObsN: len(obs)}
	os := stats.Summarize(obs, 0.95)
	c.ObsMean, c.ObsLow, c.ObsHigh = os.Mean, os.Low, os.High
	ks, err := stats.KS2(sim, obs)
	if err != nil {
		return c, err
	}
	c.KS, c.KSP = ks.D, ks.P
	c.AD, c.ADP = math.NaN(), math.NaN()
	if len(sim)+len(obs) >= 4 {
		if ad, err := stats.ADK(sim, obs); err == nil {
			c.AD, c.ADP = ad.T, ad.P
		}
	}
	if c.Wasserstein, err = stats.Wasserstein1(sim, obs); err != nil {
		return c, err
	}
	if c.PSI, err = stats.PSI(sim, obs, th.Bins); err != nil {
		return c, err
	}
	c.Pass = c.KSP >= th.Alpha && c.PSI <= th.PSI
	return c, nil
}

// DriftWindow is one window of the observed period compared with the twin.
type DriftWindow struct {
	Start, End float64 // observed time, seconds from midnight of day 0
	KPI        string
	N          int
	KS, KSP    float64
	PSI        float64
	Flagged    bool // PSI above the limit or KS rejecting at Alpha
}

// Drift slides a window of the given length (seconds), step one window, over
// the observed period and compares each window's visits with the simulated
// flow, KPI by KPI: a window is flagged when its PSI exceeds th.PSI or the KS
// test rejects at th.Alpha. Windows with fewer than minN observations of a KPI
// are skipped for it.
func Drift(reps [][]engine.FlowRow, obs []Visit, window float64, minN int, th Thresholds) ([]DriftWindow, error) {
	th = th.withDefaults()
	if !(window > 0) {
		return nil, fmt.Errorf("ops: drift: the window must be positive, got %g s", window)
	}
	var pooled []engine.FlowRow
	for _, r := range reps {
		pooled = append(pooled, r...)
	}
	sim := flowSamples(pooled)
	for _, v := range sim {
		slices.Sort(v) // once, not in every window's test
	}
	if len(obs) == 0 {
		return nil, fmt.Errorf("ops: drift: no observed visits")
	}
	obs = slices.Clone(obs)
	slices.SortStableFunc(obs, func(a, b Visit) int { return cmp.Compare(a.Arrival, b.Arrival) })
	t0, t1 := math.Floor(obs[0].Arrival/86400)*86400, obs[len(obs)-1].Arrival
	var out []DriftWindow
	i := 0
	for start := t0; start <= t1; start += window {
		j := i
		for j < len(obs) && obs[j].Arrival < start+window {
			j++
		}
		o := visitSamples(obs[i:j])
		i = j
		for _, k := range ValidationKPIs {
			if len(sim[k]) == 0 || len(o[k]) < minN || len(o[k]) == 0 {
				continue
			}
			ks, err := stats.KS2(sim[k], o[k])
			if err != nil {
				return nil, err
			}
			psi, err := stats.PSI(sim[k], o[k], th.Bins)
			if err != nil {
				return nil, err
			}
			out = append(out, DriftWindow{Start: start, End: start + window, KPI: k, N: len(o[k]), KS: ks.D, KSP: ks.P, PSI: psi,
				Flagged: psi > th.PSI || ks.P < th.Alpha})
		}
	}
	return out, nil
}

// Samples returns the validation KPIs' samples of the simulated flow (all
// replications) and of the observed visits, by KPI name.
func Samples(reps [][]engine.FlowRow, obs []Visit) (sim, observed map[string][]float64) {
	var pooled []engine.FlowRow
	for _, r := range reps {
		pooled = append(pooled, r...)
	}
	return flowSamples(pooled), visitSamples(obs)
}
