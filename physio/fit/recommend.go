package fit

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/physio/pk"
)

// Target is what a regimen should reach at steady state.
type Target struct {
	// Metric is "auc24" (mg·h/L over 24 h at steady state: for a linear model
	// the daily dose times F over CL) or "trough" (mg/L just before a dose
	// at steady state).
	Metric   string
	Min, Max float64
}

// Regimen is a candidate maintenance regimen.
type Regimen struct {
	DoseMg    float64
	IntervalH float64
	InfusionH float64 // 0: a bolus (or an oral dose into the depot)
	Cmt       int     // 0: the model's default (depot if any, else central)
}

// Candidate is a regimen with its posterior probability of target attainment.
type Candidate struct {
	Regimen
	// PTA is the fraction of posterior draws whose steady-state metric lies
	// in [Target.Min, Target.Max].
	PTA float64
	// Median, P5 and P95 are quantiles of the metric over the draws (R type 7).
	Median, P5, P95 float64
	// AtMode is the metric at η̂ (the MAP point estimate).
	AtMode float64
}

// Recommend evaluates each regimen for the subject over draws of η from the
// Laplace approximation of the posterior (see PosteriorDraws) and returns the
// candidates with the index of the best: the highest probability of
// attainment, ties to the smaller daily dose, then to the longer interval.
func (m *Model) Recommend(ds *DataSet, s *Subject, e *Estimate, regimens []Regimen, target Target, draws int, seed, id uint64) ([]Candidate, int, error) {
	if len(regimens) == 0 {
		return nil, -1, fmt.Errorf("fit: no candidate regimens")
	}
	if !(target.Min < target.Max) || target.Min < 0 {
		return nil, -1, fmt.Errorf("fit: the target range [%v, %v] must be increasing and non-negative", target.Min, target.Max)
	}
	if target.Metric != "auc24" && target.Metric != "trough" {
		return nil, -1, fmt.Errorf("fit: target metric %q: want auc24 or trough", target.Metric)
	}
	if target.Metric == "auc24" && !m.Structure.Linear() {
		return nil, -1, fmt.Errorf("fit: an AUC24 target needs a linear model (this one has Michaelis–Menten elimination)")
	}
	for i, r := range regimens {
		if !(r.DoseMg > 0) || !(r.IntervalH > 0) || r.InfusionH < 0 || r.InfusionH > r.IntervalH {
			return nil, -1, fmt.Errorf("fit: regimen %d: dose %v mg every %v h over %v h: want dose > 0, interval > 0, 0 <= infusion <= interval", i+1, r.DoseMg, r.IntervalH, r.InfusionH)
		}
	}
	o, err := m.newObjective(ds, s)
	if err != nil {
		return nil, -1, err
	}
	etas, err := PosteriorDraws(e, draws, seed, id)
	if err != nil {
		return nil, -1, err
	}
	// the individual parameters of each draw, computed once for all regimens
	np := len(o.params)
	params := make([]float64, (len(etas)+1)*np)
	for d, eta := range append(etas, e.Eta) {
		o.m.Individual(o.lastCov(), eta, params[d*np:(d+1)*np])
	}
	mode := params[len(etas)*np:]
	out := make([]Candidate, len(regimens))
	vals := make([]float64, len(etas))
	for ri, r := range regimens {
		c := Candidate{Regimen: r}
		if c.AtMode, err = o.metric(mode, r, target.Metric); err != nil {
			return nil, -1, err
		}
		in := 0
		for d := range etas {
			v, err := o.metric(params[d*np:(d+1)*np], r, target.Metric)
			if err != nil {
				return nil, -1, err
			}
			vals[d] = v
			if v >= target.Min && v <= target.Max {
				in++
			}
		}
		c.PTA = float64(in) / float64(len(etas))
		sort.Float64s(vals)
		c.P5, c.Median, c.P95 = quantile7(vals, 0.05), quantile7(vals, 0.5), quantile7(vals, 0.95)
		out[ri] = c
	}
	best := 0
	for i, c := range out {
		b := out[best]
		di, db := c.DoseMg*24/c.IntervalH, b.DoseMg*24/b.IntervalH
		if c.PTA > b.PTA || (c.PTA == b.PTA && (di < db || (di == db && c.IntervalH > b.IntervalH))) {
			best = i
		}
	}
	return out, best, nil
}

// metric is the steady-state AUC24 or trough of regimen r for individual
// parameters p.
func (o *subjectObjective) metric(p []float64, r Regimen, metric string) (float64, error) {
	d := pk.Dose{Amt: r.DoseMg, II: r.IntervalH, SS: 1, Cmt: r.Cmt}
	if r.InfusionH > 0 {
		d.Rate = r.DoseMg / r.InfusionH
	}
	if metric == "auc24" {
		cl, f := math.NaN(), 1.0
		for i, n := range o.m.Structure.ParamNames() {
			switch n {
			case "CL":
				cl = p[i]
			case "F":
				if v := p[i]; v > 0 && r.Cmt <= 1 {
					f = v
				}
			}
		}
		if !(cl > 0) {
			return 0, fmt.Errorf("fit: subject %s: CL = %v", o.s.ID, cl)
		}
		return 24 / r.IntervalH * f * r.DoseMg / cl, nil
	}
	var c [1]float64
	if err := o.m.Structure.Predict(p, []pk.Dose{d}, []float64{r.IntervalH}, c[:]); err != nil {
		return 0, err
	}
	return c[0], nil
}

// quantile7 is the R type 7 quantile of sorted xs.
func quantile7(xs []float64, p float64) float64 {
	h := p * float64(len(xs)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-lo)*(xs[i+1]-xs[i])
}
