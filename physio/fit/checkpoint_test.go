package fit

import (
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// TestFOCEIResume: a theophylline FOCE-I fit stopped after its 4th outer
// iteration and resumed from the JSON checkpoint written then ends bit for
// bit where the uninterrupted fit ends (OFV, θ, Ω, σ, evaluations); so does
// the uninterrupted fit on one core (GOMAXPROCS 1 vs the machine's).
func TestFOCEIResume(t *testing.T) {
	ds := readTheoph(t)
	opt := PopOptions{NoCovariance: true}
	full, err := theophStart(t).FitFOCEI(ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	var saved []byte
	stop := errors.New("interrupted")
	opt.Checkpoint = func(cp *Checkpoint) error {
		if cp.Iteration == 4 {
			saved, _ = json.Marshal(cp)
			return stop
		}
		return nil
	}
	if _, err := theophStart(t).FitFOCEI(ds, opt); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("the interrupted fit: %v", err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(saved, &cp); err != nil {
		t.Fatal(err)
	}
	resumed, err := theophStart(t).FitFOCEI(ds, PopOptions{NoCovariance: true, Resume: &cp})
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	one, err := theophStart(t).FitFOCEI(ds, PopOptions{NoCovariance: true})
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("OFV %.10f after %d iterations (%d evaluations); resumed %.10f (%d)", full.OFV, full.Iterations, full.Evaluations, resumed.OFV, resumed.Evaluations)
	for name, r := range map[string]*PopResult{"resumed": resumed, "GOMAXPROCS 1": one} {
		same := r.OFV == full.OFV && r.Iterations == full.Iterations && r.Evaluations == full.Evaluations &&
			r.Model.Error.Add == full.Model.Error.Add
		for i := range full.Model.Params {
			same = same && r.Model.Params[i].Typical == full.Model.Params[i].Typical
		}
		for a := 0; a < 2; a++ {
			same = same && r.Model.Omega.At(a, a) == full.Model.Omega.At(a, a)
		}
		if !same {
			t.Errorf("%s: OFV %.17g CL %.17g (%d iterations), uninterrupted %.17g %.17g (%d)", name, r.OFV, r.Model.Params[0].Typical, r.Iterations,
				full.OFV, full.Model.Params[0].Typical, full.Iterations)
		}
	}
	// a checkpoint of another model is refused
	m := theophStart(t)
	m.Params = m.Params[:2]
	m.Params[0].Eta = "eta_ka"
	st, _ := NewPK(1, false, false)
	m.Structure = st
	if _, err := m.FitFOCEI(ds, PopOptions{Resume: &cp}); err == nil || !strings.Contains(err.Error(), "the checkpoint is of another fit") {
		t.Errorf("another model's checkpoint: %v", err)
	}
	if math.IsNaN(full.OFV) {
		t.Fatal("NaN OFV")
	}
}
