//go:build cgo

package cuda

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// mmBatch is n reference-cohort subjects given Michaelis–Menten elimination
// (VMax 6–9 mg/h, KM 0.5–1 mg/L, so that levels cross KM) besides CL 1 L/h.
func mmBatch(n int) *cohort.Batch {
	b := cohort.ReferenceBatch(3, 0, n)
	for i := range b.CL {
		b.VMax = append(b.VMax, 6+float64(i%4))
		b.KM = append(b.KM, 0.5+0.25*float64(i%3))
		b.CL[i] = 1
	}
	return b
}

func simulate(t *testing.T, be cohort.Backend, b *cohort.Batch) []float64 {
	t.Helper()
	if err := be.Simulate(b); err != nil {
		t.Fatal(err)
	}
	return b.Conc
}

// The device code, run on the CPU in chunks of 37 subjects, agrees with the
// CPU backend on the exact path within 1e-12 relative (the same algorithm;
// the acceptance bound for the GPU is 1e-9), for 1, 2 and 3 compartments.
func TestEmulatedExactMatchesCPU(t *testing.T) {
	cpu, _ := cohort.Get("cpu")
	for ncmt := 1; ncmt <= 3; ncmt++ {
		mk := func() *cohort.Batch {
			b := cohort.ReferenceBatch(7, 0, 200)
			b.NCmt = ncmt
			for i := range b.Q3 {
				b.Q3[i], b.V3[i] = 3+float64(i%5), 40+float64(i%7)
			}
			return b
		}
		want := simulate(t, cpu, mk())
		got := simulate(t, Emulator{Budget: 37 * bytesPerSubject(337)}, mk())
		worst := 0.0
		for k := range want {
			if want[k] > 1e-12 {
				worst = math.Max(worst, math.Abs(got[k]-want[k])/want[k])
			}
		}
		t.Logf("%d compartments: worst relative difference %.2g", ncmt, worst)
		if worst > 1e-12 {
			t.Errorf("%d compartments: emulated kernel differs from the CPU backend by %.2g", ncmt, worst)
		}
	}
}

// The nonlinear kernel (RK4, 32 steps per hour) agrees with the CPU backend's
// ODE path (Taylor series, rtol 1e-10) within 1e-6 relative on a Michaelis–Menten cohort
// whose levels cross KM, and the result does not depend on the chunking.
func TestEmulatedMichaelisMentenMatchesCPU(t *testing.T) {
	mk := func() *cohort.Batch { return mmBatch(60) }
	cpu, _ := cohort.Get("cpu")
	want := simulate(t, cpu, mk())
	got := simulate(t, Emulator{}, mk())
	worst, peak := 0.0, 0.0
	for k := range want {
		peak = math.Max(peak, want[k])
		if want[k] > 1e-6 {
			worst = math.Max(worst, math.Abs(got[k]-want[k])/want[k])
		}
	}
	t.Logf("worst relative difference %.2g (peak %.3g mg/L)", worst, peak)
	if worst > 1e-6 {
		t.Errorf("RK4 kernel differs from the CPU ODE path by %.2g", worst)
	}
	if peak < 1 {
		t.Errorf("peak %v mg/L never crosses KM", peak)
	}
	small := simulate(t, Emulator{MaxSubjects: 7}, mk())
	for k := range got {
		if math.Float64bits(small[k]) != math.Float64bits(got[k]) {
			t.Fatalf("value %d differs with 7-subject chunks: %v vs %v", k, small[k], got[k])
		}
	}
}
