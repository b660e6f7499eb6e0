package cohort

import (
	"math"
	"strings"
	"testing"
)

// With KM far above every concentration, Michaelis–Menten elimination is
// linear with clearance VMax/KM: the nonlinear batch (ODE path) with CL = 0
// then matches the linear batch (exact path) with CL = VMax/KM.
func TestNonlinearBatchLinearLimit(t *testing.T) {
	lin := ReferenceBatch(1, 0, 20)
	nl := ReferenceBatch(1, 0, 20)
	const km = 1e9
	for i := range nl.CL {
		nl.VMax = append(nl.VMax, lin.CL[i]*km)
		nl.KM = append(nl.KM, km)
		nl.CL[i] = 0
	}
	cpu, _ := Get("cpu")
	if err := cpu.Simulate(lin); err != nil {
		t.Fatal(err)
	}
	if err := cpu.Simulate(nl); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k, c := range lin.Conc {
		if c > 1e-6 {
			worst = math.Max(worst, math.Abs(nl.Conc[k]-c)/c)
		}
	}
	t.Logf("worst relative difference %.2g", worst)
	if worst > 1e-6 {
		t.Errorf("nonlinear batch in its linear limit differs from the exact path by %.2g", worst)
	}
}

// A nonlinear batch with KM = 0 or a missing VMax value is refused, naming the
// subject and parameter.
func TestNonlinearBatchErrors(t *testing.T) {
	b := ReferenceBatch(1, 0, 3)
	b.VMax, b.KM = []float64{10, 10, 10}, []float64{4, 0, 4}
	cpu, _ := Get("cpu")
	if err := cpu.Simulate(b); err == nil || !strings.Contains(err.Error(), "subject 1: km") {
		t.Errorf("km = 0: %v", err)
	}
	b.VMax, b.KM = []float64{10, 10}, []float64{4, 4, 4}
	if err := cpu.Simulate(b); err == nil || !strings.Contains(err.Error(), "vmax has 2 values") {
		t.Errorf("short vmax: %v", err)
	}
}
