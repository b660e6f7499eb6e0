package trial_test

import (
	"context"
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/trial"
)

// The trial's grid has a point just before each dose's arrival, so that no
// AUC trapezoid spans a bolus's jump. A model with an absorption lag delays
// doses into the depot only: an IV bolus into the central compartment of
// that model arrives at its own time. One compartment (V = 50 L, CL = 5 L/h),
// 1 g IV at 10 h, ALAG = 1 h on the (unused) depot: AUC over [0, 24] h is
// D/CL·(1 − e^{−k·14}), k = CL/V (Gibaldi & Perrier 1982, ch. 1). The grid
// point was put before 11 h instead of 10 h, so a trapezoid spanned the jump:
// 0.3% too high at this grid, against 5e-6 of the trapezoid rule's own error.
func TestGridPointBeforeIVDoseOfALagModel(t *testing.T) {
	spec := &trial.Spec{
		Name: "iv-with-lag", Subjects: 1, Seed: 1, Grid: 0.05, // no Population: no covariates
		Typical: func(trial.Subject) (map[string]float64, error) {
			return map[string]float64{"ncmt": 1, "ka": 1, "alag": 1, "cl": 5, "v1": 50}, nil
		},
		Arms: []trial.Arm{{Name: "iv", Doses: func(trial.Subject) ([]pk.Dose, error) {
			return []pk.Dose{{Time: 10, Amt: 1000, Cmt: 2}}, nil
		}}},
		Endpoints: []trial.Endpoint{{Endpoint: cohort.Endpoint{Name: "auc", Kind: "auc", From: 0, To: 24}}},
		Target:    trial.Target{Endpoint: "auc", Min: 0, Max: math.Inf(1)},
	}
	res, err := spec.Run(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	k := 5.0 / 50
	want := 1000.0 / 5 * (1 - math.Exp(-k*14))
	if got := res[0].Endpoints[0]; math.Abs(got-want) > 1e-4*want {
		t.Fatalf("AUC(0-24 h) %.6g, closed form %.6g (relative %.2g)", got, want, (got-want)/want)
	}
}
