package trial_test

import (
	"context"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/trial"
)

// A trial written in Go, no Lua: 1 g IV bolus, one compartment with V = 50 L
// and log-normal CL (typical 5 L/h, ω = 0.3); the target is a concentration
// at 24 h in [0.4, 1.2] mg/L. C(24) = D/V·exp(−CL/V·24) falls with CL, so the
// probability of target attainment has a closed form in Φ (see
// TestGoSpecAttainmentClosedForm), printed beside the simulated one.
func ExampleSpec_Run() {
	spec := &trial.Spec{
		Name: "bolus", Subjects: 4000, Seed: 7, Grid: 1,
		Population: &cohort.Population{Covariates: []cohort.Covariate{
			{Name: "weight_kg", Dist: "lognormal", Median: 70, Sigma: 0.2, Min: 40, Max: 150}}},
		Typical: func(s trial.Subject) (map[string]float64, error) {
			return map[string]float64{"ncmt": 1, "cl": 5, "v1": 50}, nil
		},
		IIV: map[string]float64{"cl": 0.3},
		Arms: []trial.Arm{{Name: "1 g", Doses: func(trial.Subject) ([]pk.Dose, error) {
			return []pk.Dose{{Time: 0, Amt: 1000, Cmt: 1}}, nil
		}}},
		Endpoints: []trial.Endpoint{{Endpoint: cohort.Endpoint{Name: "c24", Kind: "conc", At: 24}}},
		Target:    trial.Target{Endpoint: "c24", Min: 0.4, Max: 1.2},
	}
	res, err := spec.Run(context.Background(), 0, spec.Subjects)
	if err != nil {
		fmt.Println(err)
		return
	}
	pta := spec.AttainmentTable(res)[0].Rate(0)
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	clAt := func(c float64) float64 { return -50.0 / 24 * math.Log(c*50/1000) }
	exact := phi(math.Log(clAt(0.4)/5)/0.3) - phi(math.Log(clAt(1.2)/5)/0.3)
	fmt.Printf("attainment %.2f, closed form %.2f\n", pta, exact)
	// Output:
	// attainment 0.25, closed form 0.25
}
