package fit

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rOptim runs testdata/map_reference.R (R's optim on the MAP objective of a
// one-compartment oral model written independently in R) and returns η̂ by
// subject and R's CPU seconds per subject (user + system; NaN when reps is 0).
// It skips the test without Rscript.
func rOptim(t testing.TB, data string, tv [3]float64, ie [3]int, omega *mat.SymDense, add, prop float64, method string, reps int) (map[string][]float64, float64) {
	rs, err := exec.LookPath("Rscript")
	if err != nil {
		t.Skip("Rscript is not installed: `make r-reference` installs R and runs the comparison with R's optim")
	}
	k := omega.SymmetricDim()
	var om []string
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			om = append(om, strconv.FormatFloat(omega.At(i, j), 'g', 17, 64))
		}
	}
	args := []string{"testdata/map_reference.R", data}
	for _, v := range tv {
		args = append(args, strconv.FormatFloat(v, 'g', 17, 64))
	}
	for _, v := range ie {
		args = append(args, strconv.Itoa(v))
	}
	args = append(args, strings.Join(om, ","), fmt.Sprint(add), fmt.Sprint(prop), method, strconv.Itoa(reps))
	out, err := exec.Command(rs, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}
	etas := map[string][]float64{}
	sec := math.NaN()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "cpu_seconds_per_subject" {
			sec, _ = strconv.ParseFloat(f[1], 64)
			continue
		}
		if len(f) == 2 && f[0] == "seconds_per_subject" {
			continue
		}
		var e []float64
		for _, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("R printed %q", line)
			}
			e = append(e, v)
		}
		etas[f[0]] = e
	}
	return etas, sec
}

func compareWithR(t *testing.T, m *Model, ds *DataSet, r map[string][]float64) {
	t.Helper()
	res, err := m.Fit(ds, BFGS)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, e := range res.Estimates {
		want, ok := r[e.ID]
		if !ok || len(want) != len(e.Eta) {
			t.Fatalf("R gave no η for subject %s", e.ID)
		}
		for k := range want {
			d := math.Abs(e.Eta[k] - want[k])
			worst = math.Max(worst, d)
			if d > 1e-4 {
				t.Errorf("subject %s %s: MAP %.7f, R optim %.7f", e.ID, m.Etas[k], e.Eta[k], want[k])
			}
		}
	}
	t.Logf("%d subjects: largest |η − η_R| = %.2g", len(res.Estimates), worst)
}

// TestTheophMAPVsR: the theophylline MAP η agree with R's optim (BFGS) on the
// same objective to 1e-4.
func TestTheophMAPVsR(t *testing.T) {
	t.Parallel() // R's start-up dominates: run the two R comparisons side by side
	m := theophModel(t)
	r, _ := rOptim(t, "testdata/theoph.csv", [3]float64{math.Exp(theoLCl), math.Exp(theoLCl - theoLKe), math.Exp(theoLKa)},
		[3]int{2, 2, 1}, m.Omega, theoSigma, 0, "BFGS", 0)
	compareWithR(t, m, readTheoph(t), r)
}

// TestSimulatedMAPVsR: 10 simulated subjects, full Ω over CL, V and KA and
// combined error: MAP η agree with R's optim (L-BFGS-B) to 1e-4.
func TestSimulatedMAPVsR(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript is not installed: `make r-reference` installs R and runs the comparison with R's optim")
	}
	path := filepath.Join(t.TempDir(), "oral.csv")
	src := simulatedOral(10, 7)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m := oralModel()
	r, _ := rOptim(t, path, [3]float64{5, 50, 1.2}, [3]int{1, 2, 3}, m.Omega, 0.1, 0.1, "L-BFGS-B", 0)
	ds, err := ReadCSV(strings.NewReader(src), "oral.csv")
	if err != nil {
		t.Fatal(err)
	}
	compareWithR(t, m, ds, r)
}
