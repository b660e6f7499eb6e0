package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/scripts"
)

// theophDesign is the theophylline data set's design repeated copies times
// (subjects renamed), so that a VPC has enough subjects to tell models apart.
func theophDesign(t *testing.T, copies int) *fit.DataSet {
	t.Helper()
	raw, err := os.ReadFile("../../scenarios/theophylline.csv")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := fit.ReadCSV(strings.NewReader(string(raw)), "theophylline.csv")
	if err != nil {
		t.Fatal(err)
	}
	subj := ds.Subjects
	ds.Subjects = nil
	for c := 0; c < copies; c++ {
		for _, s := range subj {
			s.ID = fmt.Sprintf("%d-%s", c, s.ID)
			s.Records = append([]fit.Record(nil), s.Records...)
			ds.Subjects = append(ds.Subjects, s)
		}
	}
	return ds
}

// writePopulation writes m as a fit's population.json into a new directory.
func writePopulation(t *testing.T, m *fit.Model) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pop := &fit.PopResult{Model: m, Method: "foce-i", OFV: math.NaN(), AIC: math.NaN(), BIC: math.NaN()}
	if err := results.WriteFileAtomic(filepath.Join(dir, "population.json"), jsonBytes(populationJSON(pop, results.Provenance{}))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func theophModel(t *testing.T, ds *fit.DataSet) *fit.Model {
	t.Helper()
	spec, err := scripts.LoadFitSpec("../../scenarios/theophylline_fit.lua")
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Model.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	return spec.Model
}

func vpcCoverage(v *fit.VPC) float64 {
	in, n := 0, 0
	for _, b := range v.Bins {
		for q := range fit.VPCQuantiles {
			n++
			if b.Obs[q] >= b.Sim[q][0] && b.Obs[q] <= b.Sim[q][2] {
				in++
			}
		}
	}
	return float64(in) / float64(n)
}

// TestFitVPCThroughTrialEngine: the pcVPC simulated by the trial engine
// from a fit's population.json (the path of `population = fit("DIR")`)
// agrees with fit's own simulator: in every bin each simulated percentile's
// median over 200 replicates is the same within 4 Monte Carlo standard
// errors (the SE of a median of n draws is √(π/2)·sd/√n, sd estimated from
// the 90% interval as its width / 3.29, both simulators' errors added). Data
// simulated by the trial engine from the fit (an independent seed) fall
// inside the intervals (at least 75% of the cells; 90% by construction),
// while under a fit with clearance halved they do not (at most 50%). The
// same seed gives the same replicates on 1 core and on all (and replicate r
// does not depend on how many are asked for).
func TestFitVPCThroughTrialEngine(t *testing.T) {
	const sims, bins = 200, 8
	ds := theophDesign(t, 4)
	m := theophModel(t, ds)
	dir := writePopulation(t, m)
	sim, err := scripts.SimulateFitDesign(dir, ds, sims, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	sim1, err := scripts.SimulateFitDesign(dir, ds, 10, 7, nil)
	runtime.GOMAXPROCS(prev)
	for i := range sim1 { // replicates 0–9 of a run of 10 and of a run of 200
		if !reflect.DeepEqual(sim1[i], sim[i][:10]) {
			err = fmt.Errorf("subject %s differs", ds.Subjects[i].ID)
		}
	}
	if err != nil {
		t.Errorf("GOMAXPROCS 1 gives other replicates (%v)", err)
	}
	trial, err := m.PCVPCOf(ds, bins, sim)
	if err != nil {
		t.Fatal(err)
	}
	own, err := m.PCVPC(ds, bins, sims, 7)
	if err != nil {
		t.Fatal(err)
	}
	for b := range trial.Bins {
		tb, ob := trial.Bins[b], own.Bins[b]
		for q := range fit.VPCQuantiles {
			sd := ((tb.Sim[q][2] - tb.Sim[q][0]) + (ob.Sim[q][2] - ob.Sim[q][0])) / 2 / 3.29
			se := math.Sqrt(math.Pi/2) * sd / math.Sqrt(sims) * math.Sqrt2
			if d := math.Abs(tb.Sim[q][1] - ob.Sim[q][1]); d > 4*se {
				t.Errorf("bin %d (%g–%g h), quantile %g: trial engine %.4g, fit's simulator %.4g (|Δ| %.3g > 4 SE %.3g)",
					b, tb.Lo, tb.Hi, fit.VPCQuantiles[q], tb.Sim[q][1], ob.Sim[q][1], d, 4*se)
			}
		}
	}
	// observed data: one more replicate of the design from the trial engine
	obs, err := scripts.SimulateFitDesign(dir, ds, 1, 99, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds.Subjects {
		for j := range ds.Subjects[i].Records {
			if ds.Subjects[i].Records[j].Observed() {
				ds.Subjects[i].Records[j].DV = obs[i][0][j]
			}
		}
	}
	good, err := m.PCVPCOf(ds, bins, sim)
	if err != nil {
		t.Fatal(err)
	}
	wrong := theophModel(t, ds)
	for k := range wrong.Params {
		if wrong.Params[k].Name == "CL" {
			wrong.Params[k].Typical /= 2
		}
	}
	wdir := writePopulation(t, wrong)
	wsim, err := scripts.SimulateFitDesign(wdir, ds, sims, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := wrong.PCVPCOf(ds, bins, wsim)
	if err != nil {
		t.Fatal(err)
	}
	cg, cb := vpcCoverage(good), vpcCoverage(bad)
	t.Logf("coverage: the fit %.2f, CL halved %.2f", cg, cb)
	if cg < 0.75 || cb > 0.5 {
		t.Errorf("coverage %.2f (the fit, want >= 0.75), %.2f (CL halved, want <= 0.5)", cg, cb)
	}
}

// TestFitVPCNoTrialEquivalent: a fit with exponential residual error has no
// trial equivalent: SimulateFitDesign says so, and the report's VPC falls
// back to fit's own simulator, saying why.
func TestFitVPCNoTrialEquivalent(t *testing.T) {
	ds := theophDesign(t, 1)
	m := theophModel(t, ds)
	m.Error = fit.ErrorModel{Kind: fit.ExponentialError, Add: 0.2}
	for i := range ds.Subjects { // levels of 0 at the dose have no log
		for j, r := range ds.Subjects[i].Records {
			if r.Observed() && !(r.DV > 0) {
				ds.Subjects[i].Records[j].MDV = true
			}
		}
	}
	dir := writePopulation(t, m)
	if _, err := scripts.SimulateFitDesign(dir, ds, 10, 1, nil); err == nil || !strings.Contains(err.Error(), "no trial equivalent") {
		t.Fatalf("exponential error: %v", err)
	}
	v, how, err := fitVPC(dir, ds, m, 1)
	if err != nil || v == nil || !strings.Contains(how, "own simulator") || !strings.Contains(how, "no trial equivalent") {
		t.Errorf("fallback: %v, %q", err, how)
	}
}
