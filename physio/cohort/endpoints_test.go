package cohort

import (
	"math"
	"testing"
)

// On C = 10·e^{−0.1t}: AUC over [0, 24] = 100(1 − e^{−2.4}); Cmax 10; Cmin over
// [0, 24] = 10e^{−2.4}; time above 5 = ln 2/0.1; concentration at 12 h = 10e^{−1.2}.
func TestEndpointsClosedForm(t *testing.T) {
	const dt = 0.01
	c := make([]float64, int(48/dt)+1)
	ts := make([]float64, len(c))
	for i := range c {
		ts[i] = float64(i) * dt
		c[i] = 10 * math.Exp(-0.1*ts[i])
	}
	for _, cse := range []struct {
		e    Endpoint
		want float64
		tol  float64
	}{
		{Endpoint{Kind: "auc", From: 0, To: 24}, 100 * (1 - math.Exp(-2.4)), 1e-4},
		{Endpoint{Kind: "cmax", From: 0, To: 24}, 10, 1e-12},
		{Endpoint{Kind: "cmin", From: 0, To: 24}, 10 * math.Exp(-2.4), 1e-9},
		{Endpoint{Kind: "time_above", From: 0, To: 48, Level: 5}, math.Ln2 / 0.1, 1e-3},
		{Endpoint{Kind: "conc", At: 12}, 10 * math.Exp(-1.2), 1e-5},
	} {
		if got := cse.e.Eval(ts, c); math.Abs(got-cse.want) > cse.tol*math.Abs(cse.want) {
			t.Errorf("%s: %v, want %v", cse.e.Kind, got, cse.want)
		}
	}
	if (Endpoint{Name: "x", Kind: "auc", From: 5, To: 5}).Validate() == nil {
		t.Fatal("an empty window was accepted")
	}
}
