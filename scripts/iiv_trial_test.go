package scripts

import (
	"context"
	"math"
	"testing"
)

// scenarios/iiv_trial.lua, the example of `medtwin doc lua` for a trial with
// no covariates, steady-state dosing, an LLOQ and the grid, does what its
// comments say: on its 0.1 h grid the AUC over a dosing interval at steady
// state is F·dose/CL (mass balance, Gibaldi & Perrier 1982 ch. 3) within
// 1e-3, the trough 12 h after the SS dose is the closed form of
// ssOral, and levels below 0.5 mg/L are reported at 0.25 with their flag.
func TestIIVTrialExample(t *testing.T) {
	tr, err := LoadTrial("../scenarios/iiv_trial.lua")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.CovariateNames()) != 1 { // crcl_ml_min only, NaN
		t.Errorf("covariates %v, want none but the derived crcl_ml_min", tr.CovariateNames())
	}
	res, err := tr.Run(context.Background(), 0, 40)
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for k, e := range tr.Endpoints {
		idx[e.Name] = k
	}
	blq := 0
	for _, r := range res {
		ka, cl, v := r.Params["ka"], r.Params["cl"], r.Params["v1"]
		if auc, want := r.Endpoints[idx["auc_tau"]], 300/cl; math.Abs(auc-want) > 1e-3*want {
			t.Errorf("subject %d: AUC(0, 12) %v, F·dose/CL %v", r.Subject, auc, want)
		}
		if c, want := r.Endpoints[idx["trough"]], ssOral(1, 0, 300, ka, cl, v, 12, 12); math.Abs(c-want) > 1e-6*want {
			t.Errorf("subject %d: trough %v, closed form %v", r.Subject, c, want)
		}
		for k, b := range r.BLQ {
			if b {
				blq++
			}
			if b && r.Samples[k] != 0.25 || !b && r.Samples[k] < 0.5 {
				t.Errorf("subject %d at %g h: %v reported with blq %v (lloq 0.5, blq = lloq/2)", r.Subject, tr.SampleTimes[k], r.Samples[k], b)
			}
		}
	}
	if blq == 0 {
		t.Error("no level below the LLOQ in the washout: the example shows nothing")
	}
}
