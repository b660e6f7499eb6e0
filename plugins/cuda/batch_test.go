package cuda

import (
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// pack puts each parameter of each subject where kernels.h reads it
// (p[q*n+i]) and dose times on grid steps; unpack copies the subject-major
// output into Conc at the chunk's subjects (1800 subjects: split among the
// cores).
func TestPackLayout(t *testing.T) {
	const n = 1800
	b := cohort.ReferenceBatch(1, 0, n+10)
	pk, err := pack(b, 3, n+3)
	if err != nil {
		t.Fatal(err)
	}
	if pk.N != n || pk.NT != 337 || len(pk.DoseStep) != 28 || pk.DoseStep[27] != 324 || pk.DT != 1 {
		t.Fatalf("packed %d subjects, %d times, doses %v, dt %v", pk.N, pk.NT, pk.DoseStep, pk.DT)
	}
	for i := 0; i < n; i++ {
		if pk.P[pKA*n+i] != b.KA[3+i] || pk.P[pCL*n+i] != b.CL[3+i] || pk.P[pV2*n+i] != b.V2[3+i] || pk.P[pVMax*n+i] != 0 {
			t.Fatalf("subject %d misplaced", i)
		}
	}
	pk.Out = make([]float64, pk.outLen())
	for h := 0; h < pk.NT; h++ {
		for i := 0; i < pk.N; i++ {
			pk.Out[i*pk.NT+h] = float64(1000*i + h)
		}
	}
	b.Conc = make([]float64, b.Len()*pk.NT)
	pk.unpack(b, 3)
	for i := 0; i < n; i++ {
		for h := 0; h < pk.NT; h++ {
			if b.Conc[(3+i)*pk.NT+h] != float64(1000*i+h) {
				t.Fatalf("subject %d, step %d: %v", i, h, b.Conc[(3+i)*pk.NT+h])
			}
		}
	}
	b.DoseTimes = append(b.DoseTimes, 12.5)
	if _, err := pack(b, 0, 10); err == nil || !strings.Contains(err.Error(), "12.5 h is not on the output grid") {
		t.Errorf("off-grid dose: %v", err)
	}
}

// chunks cover every subject once, in order, within the budget.
func TestChunks(t *testing.T) {
	per := bytesPerSubject(337)
	c, err := chunks(1000, 337, 300*per+5, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, 300}, {300, 600}, {600, 900}, {900, 1000}}
	if len(c) != len(want) {
		t.Fatalf("%v", c)
	}
	for k := range want {
		if c[k] != want[k] {
			t.Fatalf("%v, want %v", c, want)
		}
	}
	if c, _ := chunks(1000, 337, 1<<40, 256); len(c) != 4 || c[3] != [2]int{768, 1000} {
		t.Fatalf("max subjects per chunk: %v", c)
	}
	if _, err := chunks(10, 337, per-1, 100); err == nil {
		t.Error("a budget below one subject accepted")
	}
}
