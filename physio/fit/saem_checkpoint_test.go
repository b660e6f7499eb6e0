package fit

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestSAEMResume: a theophylline SAEM fit (20 + 10 iterations) stopped after
// iteration 12 (in the exploration phase) and resumed from the JSON
// checkpoint written then ends bit for bit where the uninterrupted fit ends
// (OFV, θ, Ω, σ, every subject's η̂): the chains' random streams continue
// where they stopped. So does the fit on one core; a FOCE-I fit refuses the
// SAEM checkpoint.
func TestSAEMResume(t *testing.T) {
	ds := readTheoph(t)
	opt := SAEMOptions{Seed: 3, Explore: 20, Smooth: 10, PopOptions: PopOptions{NoCovariance: true}}
	full, err := theophStart(t).FitSAEM(ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	var saved []byte
	stop := errors.New("interrupted")
	cut := opt
	cut.Checkpoint = func(cp *Checkpoint) error {
		if cp.Iteration == 12 {
			saved, err = json.Marshal(cp)
			if err != nil {
				t.Fatal(err)
			}
			return stop
		}
		return nil
	}
	if _, err := theophStart(t).FitSAEM(ds, cut); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("the interrupted fit: %v", err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(saved, &cp); err != nil {
		t.Fatal(err)
	}
	res := opt
	res.Resume = &cp
	resumed, err := theophStart(t).FitSAEM(ds, res)
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	one, err := theophStart(t).FitSAEM(ds, opt)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OFV %.10f; resumed %.10f", full.OFV, resumed.OFV)
	for name, r := range map[string]*PopResult{"resumed": resumed, "GOMAXPROCS 1": one} {
		same := r.OFV == full.OFV && r.Model.Error.Add == full.Model.Error.Add
		for i := range full.Model.Params {
			same = same && r.Model.Params[i].Typical == full.Model.Params[i].Typical
		}
		for a := 0; a < 2; a++ {
			same = same && r.Model.Omega.At(a, a) == full.Model.Omega.At(a, a)
		}
		for i := range full.Individual.Estimates {
			for a, v := range full.Individual.Estimates[i].Eta {
				same = same && r.Individual.Estimates[i].Eta[a] == v
			}
		}
		if !same {
			t.Errorf("%s: OFV %.17g CL %.17g, uninterrupted %.17g %.17g", name, r.OFV, r.Model.Params[0].Typical, full.OFV, full.Model.Params[0].Typical)
		}
	}
	if _, err := theophStart(t).FitFOCEI(ds, PopOptions{Resume: &cp}); err == nil || !strings.Contains(err.Error(), "another fit") {
		t.Errorf("FOCE-I with a SAEM checkpoint: %v", err)
	}
	cp.SAEM.Chains = cp.SAEM.Chains[1:]
	if _, err := theophStart(t).FitSAEM(ds, res); err == nil || !strings.Contains(err.Error(), "another fit") {
		t.Errorf("a checkpoint with a chain missing: %v", err)
	}
}
