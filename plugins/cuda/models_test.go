package cuda

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
)

// hostMain runs the generated kernel for every subject on the host: it
// reads n, nt, ne, maxsteps, the tolerances and the packed arrays (native
// byte order) from stdin and writes Out to stdout.
const hostMain = `
#include <stdio.h>
#include <stdlib.h>
static void *get(size_t bytes) { void *p = malloc(bytes ? bytes : 8); if (bytes && fread(p, 1, bytes, stdin) != bytes) exit(2); return p; }
int main(void) {
  int hdr[4];
  if (fread(hdr, sizeof hdr, 1, stdin) != 1) return 2;
  int n = hdr[0], nt = hdr[1], ne = hdr[2], maxsteps = hdr[3];
  double tol[2];
  if (fread(tol, sizeof tol, 1, stdin) != 1) return 2;
  double *p = get(sizeof(double)*n*mt_model_NPARAMS), *y0 = get(sizeof(double)*n*mt_model_NSTATES);
  int *evoff = get(sizeof(int)*(n + 1));
  double *evt = get(sizeof(double)*ne); int *evkind = get(sizeof(int)*ne), *evidx = get(sizeof(int)*ne);
  double *evval = get(sizeof(double)*ne), *times = get(sizeof(double)*nt);
  double *out = malloc(sizeof(double)*n*nt*mt_model_NOUTPUTS);
  for (int i = 0; i < n; i++) mt_model_kernel(n, p, y0, evoff, evt, evkind, evidx, evval, nt, times, tol[0], tol[1], maxsteps, out, i);
  fwrite(out, sizeof(double), (size_t)n*nt*mt_model_NOUTPUTS, stdout);
  return 0;
}
`

// hostKernel stands in for the device's NVRTC path on the host: it compiles
// generated sources with the C compiler cc (once per source: the program is
// kept in dir under the source's hash, so that workers sharing dir share
// it) and runs their kernels over a packed run's subjects, filling its Out.
type hostKernel struct{ cc, dir string }

func (h *hostKernel) run(pm *PackedModel) error {
	pm.Room()
	if pm.Kernel != ModelPrefix+"_kernel" {
		return fmt.Errorf("host kernel: kernel %q, want %s_kernel", pm.Kernel, ModelPrefix)
	}
	sum := sha256.Sum256([]byte(pm.Source))
	bin := filepath.Join(h.dir, "model-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(bin); err != nil {
		file := bin + ".c"
		if err := os.WriteFile(file, []byte(pm.Source+hostMain), 0o644); err != nil {
			return err
		}
		if out, err := exec.Command(h.cc, "-std=c99", "-O1", "-o", bin+".tmp", file, "-lm").CombinedOutput(); err != nil {
			return fmt.Errorf("host kernel: %v\n%s", err, out)
		}
		if err := os.Rename(bin+".tmp", bin); err != nil {
			return err
		}
	}
	var in bytes.Buffer
	for _, v := range []any{[4]int32{int32(pm.N), int32(pm.NT), int32(len(pm.EvT)), int32(pm.MaxSteps)}, [2]float64{pm.RTol, pm.ATol},
		pm.P, pm.Y0, pm.EvOff, pm.EvT, pm.EvKind, pm.EvIdx, pm.EvVal, pm.Times} {
		if err := binary.Write(&in, binary.NativeEndian, v); err != nil {
			return err
		}
	}
	cmd := exec.Command(bin)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("host kernel: %v", err)
	}
	return binary.Read(bytes.NewReader(out), binary.NativeEndian, pm.Out)
}

// runOnHost compiles pm's source with the host C compiler and runs its
// kernel over pm's subjects, filling pm.Out (what the device does).
func runOnHost(t *testing.T, cc string, pm *PackedModel) {
	t.Helper()
	h := &hostKernel{cc: cc, dir: t.TempDir()}
	if err := h.run(pm); err != nil {
		t.Fatal(err)
	}
}

// Model-language jobs packed for the generated kernel, run through it on the
// host and unpacked, agree with the CPU backend within 1e-10 of each curve's
// scale (TMDD, nonlinear: two outputs, infusions and boluses). The device is
// not exercised here. Skipped where no C compiler is installed.
func TestPackedModelParity(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	m, err := modlang.Library("tmdd_qss")
	if err != nil {
		t.Fatal(err)
	}
	times := make([]float64, 43)
	for k := range times {
		times[k] = 8 * float64(k)
	}
	jobs := make([]cohort.ModelJob, 6)
	for i := range jobs {
		p := m.Defaults()
		p[m.ParamIndex("CL")] *= 1 + 0.1*float64(i)
		jobs[i] = cohort.ModelJob{Model: m, Params: p, Times: times, Names: []string{"rtot", "c"},
			Options: modlang.SimOptions{RTol: 1e-12, ATol: 1e-14},
			Doses:   []modlang.Dose{{Amt: 50 * float64(i+1), II: 168, ADDL: 1}, {Time: 24, Amt: 20, Rate: 10, Cmt: "total"}}}
	}
	pm, err := PackModels(jobs)
	if err != nil {
		t.Fatal(err)
	}
	runOnHost(t, cc, pm)
	got := append([]cohort.ModelJob(nil), jobs...)
	pm.Unpack(got)
	cpu, _ := cohort.ModelRunnerFor("cpu")
	if err := cpu.SimulateModels(jobs); err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		sameToScale(t, fmt.Sprintf("subject %d (%v)", i, jobs[i].Names), got[i].Values, jobs[i].Values, 1e-10)
	}
}

// sameToScale fails unless each of got's curves is within tol of the
// largest magnitude of want's.
func sameToScale(t *testing.T, what string, got, want [][]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d curves, want %d", what, len(got), len(want))
	}
	for k := range want {
		scale := 0.0
		for _, v := range want[k] {
			scale = math.Max(scale, math.Abs(v))
		}
		if len(got[k]) != len(want[k]) {
			t.Fatalf("%s, curve %d: %d values, want %d", what, k, len(got[k]), len(want[k]))
		}
		for n, w := range want[k] {
			if g := got[k][n]; !(math.Abs(g-w) <= tol*math.Max(scale, math.Abs(w))) {
				t.Errorf("%s, curve %d, value %d: %.17g, want %.17g", what, k, n, g, w)
			}
		}
	}
}

// Jobs the kernel cannot take are refused with the job named.
func TestPackModelsRefuses(t *testing.T) {
	m, _ := modlang.Library("tmdd_qss")
	other, _ := modlang.Library("pk1")
	ok := cohort.ModelJob{Model: m, Times: []float64{0, 1}}
	for _, c := range []struct {
		bad  cohort.ModelJob
		want string
	}{
		{cohort.ModelJob{Model: other, Times: []float64{0, 1}}, "job 1: cuda: one model per launch"},
		{cohort.ModelJob{Model: m, Times: []float64{0, 2}}, "job 1: cuda: one grid of output times"},
		{cohort.ModelJob{Model: m, Times: []float64{0, 1}, Names: []string{"diff"}}, `job 1: cuda: the kernel reports the model's outputs [c ctot rtot], not "diff"`},
	} {
		_, err := PackModels([]cohort.ModelJob{ok, c.bad})
		if err == nil || err.Error()[:min(len(err.Error()), len(c.want))] != c.want {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// A job that sets RTol alone keeps the default ATol (1e-12), as the CPU
// backend does (modlang.Simulate): with ATol 0 the kernel's error scale is
// zero where a state is, so its steps fail and every output is NaN.
func TestPackModelsDefaultsEachTolerance(t *testing.T) {
	m, _ := modlang.Library("tmdd_qss")
	pm, err := PackModels([]cohort.ModelJob{{Model: m, Times: []float64{0, 1}, Options: modlang.SimOptions{RTol: 1e-8}}})
	if err != nil {
		t.Fatal(err)
	}
	if pm.RTol != 1e-8 || pm.ATol != 1e-12 {
		t.Errorf("tolerances %v, %v; want 1e-8 and the default 1e-12", pm.RTol, pm.ATol)
	}
}
