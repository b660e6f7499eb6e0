package fit

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
	"gonum.org/v1/gonum/mat"
)

// VPCQuantiles are the quantiles a VPC compares: the 5th, 50th and 95th
// percentiles (Bergstrand et al. 2011's figures).
var VPCQuantiles = [3]float64{0.05, 0.5, 0.95}

// VPCBin is one time bin of a prediction-corrected VPC.
type VPCBin struct {
	Lo, Hi float64 // the bin's first and last observation time, h
	Time   float64 // the median observation time of the bin, h
	N      int     // observations in the bin
	// PredMedian is the median PRED of the bin (the correction's reference).
	PredMedian float64
	// Obs are the observed pcDV's quantiles (VPCQuantiles); Sim[q] the 5th,
	// 50th and 95th percentiles over the simulated data sets of the same
	// quantile (the 90% prediction interval of each and its median).
	Obs [3]float64
	Sim [3][3]float64
}

// VPC is a prediction-corrected visual predictive check.
type VPC struct {
	Sims int
	Bins []VPCBin
}

// PCVPC returns the prediction-corrected VPC of the model over ds
// (Bergstrand, Hooker, Wallin & Karlsson 2011, AAPS J 13:143): sims
// replicates of the data set's design (its doses, times and covariates) are
// simulated from the model (η ~ N(0, Ω), ε from the error model; subject i
// from the named stream ("fit-vpc", i) of seed, so the result does not
// depend on the number of cores), then binned and corrected by PCVPCOf.
// The model must have been Checked.
func (m *Model) PCVPC(ds *DataSet, nbins, sims int, seed uint64) (*VPC, error) {
	if nbins < 1 || sims < 2 {
		return nil, fmt.Errorf("fit: a VPC needs at least 1 bin and 2 simulations, got %d and %d", nbins, sims)
	}
	ns := len(ds.Subjects)
	objs := make([]*subjectObjective, ns)
	for i := range ds.Subjects {
		o, err := m.newObjective(ds, &ds.Subjects[i])
		if err != nil {
			return nil, err
		}
		objs[i] = o
	}
	// simulate: sim[i][r][j] for subject i, replicate r, record j
	sim := make([][][]float64, ns)
	errs := make([]error, ns)
	var l mat.TriDense
	m.chol.LTo(&l)
	k := len(m.Etas)
	par.Strided(ns, 0, func(_, i int) {
		o := objs[i]
		src := rng.New(seed, 0, "fit-vpc", uint64(i))
		z, eta := make([]float64, k), make([]float64, k)
		sim[i] = make([][]float64, sims)
		for r := 0; r < sims; r++ {
			drawEta(src, &l, z, eta)
			if err := o.predict(eta); err != nil {
				errs[i] = err
				return
			}
			ys := make([]float64, len(o.pred))
			for _, j := range o.obs {
				f, e := o.pred[j], src.Normal(0, 1)
				if m.Error.Kind == ExponentialError {
					ys[j] = f * math.Exp(m.Error.Add*e)
				} else {
					ys[j] = f + m.Error.sd(f)*e
				}
			}
			sim[i][r] = ys
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("fit: VPC, subject %s: %v", ds.Subjects[i].ID, err)
		}
	}
	return m.PCVPCOf(ds, nbins, sim)
}

// PCVPCOf returns the prediction-corrected VPC of the model over ds from
// replicates simulated elsewhere (the trial engine, say): sim[i][r][j] is
// replicate r's simulated DV of subject i's record j (ds.Subjects[i].Records
// order; only observation records are read). The observations (non-BLQ,
// PRED > 0: a level at the time of the first dose has no prediction to
// correct by) are binned by time into nbins bins of about equal counts (ties
// never split); each observed and simulated value y is corrected to
// y·PRED_bin/PRED, PRED the population prediction (η = 0) of its record and
// PRED_bin the bin's median PRED (Bergstrand et al. 2011, eq. 1 with a lower
// bound of 0; on the log scale under exponential error: y + log PRED_bin −
// log PRED, back-transformed); then per bin the observed 5th, 50th and 95th
// percentiles are set against the 90% intervals of the same percentiles over
// the simulations. Quantiles are R's type 7 (engine/stats). The model must
// have been Checked.
func (m *Model) PCVPCOf(ds *DataSet, nbins int, sim [][][]float64) (*VPC, error) {
	if len(sim) != len(ds.Subjects) || len(sim) == 0 {
		return nil, fmt.Errorf("fit: a VPC needs simulations of each of the %d subjects, got %d", len(ds.Subjects), len(sim))
	}
	sims := len(sim[0])
	if nbins < 1 || sims < 2 {
		return nil, fmt.Errorf("fit: a VPC needs at least 1 bin and 2 simulations, got %d and %d", nbins, sims)
	}
	for i, s := range sim {
		if len(s) != sims {
			return nil, fmt.Errorf("fit: VPC, subject %s has %d replicates, want %d", ds.Subjects[i].ID, len(s), sims)
		}
		for r, ys := range s {
			if len(ys) != len(ds.Subjects[i].Records) {
				return nil, fmt.Errorf("fit: VPC, subject %s, replicate %d has %d values for %d records", ds.Subjects[i].ID, r, len(ys), len(ds.Subjects[i].Records))
			}
		}
	}
	type obs struct {
		subj, rec int
		time      float64
		dv, pred  float64
	}
	var all []obs
	for i := range ds.Subjects {
		o, err := m.newObjective(ds, &ds.Subjects[i])
		if err != nil {
			return nil, err
		}
		if err := o.predict(nil); err != nil {
			return nil, fmt.Errorf("fit: subject %s: %v", o.s.ID, err)
		}
		for _, j := range o.obs {
			r := o.s.Records[j]
			if r.BLQ || !(o.pred[j] > 0) {
				continue // censored, or nothing to correct by (before the first dose)
			}
			all = append(all, obs{subj: i, rec: j, time: r.Time, dv: r.DV, pred: o.pred[j]})
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("fit: %s has no observations for a VPC", ds.Source)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].time < all[b].time })
	correct := func(y, pred, predBin float64) float64 {
		if m.Error.Kind == ExponentialError {
			if !(y > 0) || !(pred > 0) || !(predBin > 0) {
				return math.NaN()
			}
			return math.Exp(math.Log(y) + math.Log(predBin) - math.Log(pred))
		}
		if pred == 0 {
			return math.NaN()
		}
		return y * predBin / pred
	}
	out := &VPC{Sims: sims}
	n := len(all)
	start := 0
	for b := 0; b < nbins && start < n; b++ {
		end := (b + 1) * n / nbins
		if end <= start {
			end = start + 1
		}
		for end < n && all[end].time == all[end-1].time {
			end++
		}
		if b == nbins-1 {
			end = n
		}
		bin := all[start:end]
		start = end
		vb := VPCBin{Lo: bin[0].time, Hi: bin[len(bin)-1].time, N: len(bin)}
		ts, ps := make([]float64, len(bin)), make([]float64, len(bin))
		for i, o := range bin {
			ts[i], ps[i] = o.time, o.pred
		}
		sort.Float64s(ts)
		sort.Float64s(ps)
		vb.Time, vb.PredMedian = stats.Quantile(0.5, ts), stats.Quantile(0.5, ps)
		ys := make([]float64, 0, len(bin))
		for _, o := range bin {
			if v := correct(o.dv, o.pred, vb.PredMedian); !math.IsNaN(v) {
				ys = append(ys, v)
			}
		}
		sort.Float64s(ys)
		simQ := [3][]float64{make([]float64, sims), make([]float64, sims), make([]float64, sims)}
		for r := 0; r < sims; r++ {
			ys := ys[:0:0]
			for _, o := range bin {
				if v := correct(sim[o.subj][r][o.rec], o.pred, vb.PredMedian); !math.IsNaN(v) {
					ys = append(ys, v)
				}
			}
			sort.Float64s(ys)
			for q, p := range VPCQuantiles {
				simQ[q][r] = stats.Quantile(p, ys)
			}
		}
		for q, p := range VPCQuantiles {
			vb.Obs[q] = stats.Quantile(p, ys)
			sort.Float64s(simQ[q])
			for c, pp := range VPCQuantiles {
				vb.Sim[q][c] = stats.Quantile(pp, simQ[q])
			}
		}
		out.Bins = append(out.Bins, vb)
	}
	return out, nil
}
