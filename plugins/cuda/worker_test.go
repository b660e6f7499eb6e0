//go:build cgo

package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
)

// fakeEnv makes this test binary act as a CUDA worker (TestMain): the value
// says which kind.
const fakeEnv = "MEDTWIN_CUDA_FAKE_WORKER"

// fakeCCDirEnv names the folder where the fake worker compiles generated
// model kernels with the host C compiler (unset: it has none).
const fakeCCDirEnv = "MEDTWIN_CUDA_FAKE_CC_DIR"

// TestMain lets the test binary stand in for cmd/medtwin-cuda-worker: with
// fakeEnv set it serves the CPU emulation of the kernels behind the worker
// protocol, or misbehaves the way a real worker can.
func TestMain(m *testing.M) {
	switch os.Getenv(fakeEnv) {
	case "":
		os.Exit(m.Run())
	case "emu":
		d := emuDevice{budget: 1 << 20}
		// model kernels are compiled into the test's folder, when it gives one
		if cc, err := exec.LookPath("cc"); err == nil && os.Getenv(fakeCCDirEnv) != "" {
			d.host = &hostKernel{cc: cc, dir: os.Getenv(fakeCCDirEnv)}
		}
		serveOrDie(d)
	case "null":
		serveOrDie(nullDevice{})
	case "nan":
		serveOrDie(nanDevice{})
	case "devicefail":
		serveOrDie(emuDevice{budget: 1 << 20, fail: errors.New("CUDA_ERROR_LAUNCH_FAILED: the kernel faulted")})
	case "nodevice":
		Refuse(os.Stdout, errors.New("the driver loaded but sees no CUDA device"))
		os.Exit(1)
	case "cuinit":
		// what gorgonia.org/cu v0.9.6's package init does when cuInit fails
		fmt.Printf("Error in initialization, please refer to %q for details on: %+v\n",
			"https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__INITIALIZE.html", "CUDA_ERROR_NO_DEVICE")
		os.Exit(1)
	case "nolib":
		// what the dynamic loader says when libcuda is missing
		fmt.Fprintln(os.Stderr, os.Args[0]+": error while loading shared libraries: libcuda.so.1: cannot open shared object file: No such file or directory")
		os.Exit(127)
	case "die":
		// says hello, then dies at the first request
		fmt.Printf("%sok fake device\n", helloPrefix)
		var b [1]byte
		os.Stdin.Read(b[:])
		fmt.Fprintln(os.Stderr, "fatal: device lost")
		os.Exit(2)
	}
	os.Exit(3)
}

func serveOrDie(d Device) {
	if err := Serve(os.Stdin, os.Stdout, d); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// emuDevice runs the kernels' C code on the CPU (emu.go) behind the worker
// protocol: what a GPU worker does, with the same packed layouts; generated
// model kernels go through the host C compiler (host; nil: none installed).
type emuDevice struct {
	budget int64
	fail   error
	host   *hostKernel
}

func (emuDevice) Name() string             { return "CPU emulation" }
func (d emuDevice) Budget() (int64, error) { return d.budget, nil }
func (d emuDevice) Launch(pk *Packed) error {
	if d.fail != nil {
		return d.fail
	}
	return emulate(pk)
}
func (d emuDevice) LaunchModel(pm *PackedModel) error {
	switch {
	case d.fail != nil:
		return d.fail
	case d.host == nil:
		return errors.New("the fake worker has no C compiler for model kernels")
	}
	return d.host.run(pm)
}
func (d emuDevice) LaunchJobs(pj *PackedJobs) error {
	if d.fail != nil {
		return d.fail
	}
	return emulateJobs(pj)
}

// fakeWorker returns a Worker that runs this test binary as a worker of the
// given kind, stopped when the test ends.
func fakeWorker(t *testing.T, kind string) *Worker {
	t.Helper()
	w := &Worker{Path: os.Args[0], Env: []string{fakeEnv + "=" + kind}}
	t.Cleanup(func() { w.Close() })
	return w
}

// bitsEqual fails unless got and want are the same float64s, bit for bit.
func bitsEqual(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for k := range got {
		if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
			t.Fatalf("%s: value %d is %v through the worker, %v in process", what, k, got[k], want[k])
		}
	}
}

// Through the worker protocol, in the pipe and in shared memory, batches come back bit for bit what the same
// kernels give in process, on both batch paths, in chunks of 23 subjects; the in-process emulation is itself checked
// against the CPU backend (emu_test.go), so the worker path agrees with the
// CPU backend within the same bounds.
func TestWorkerBatchesRoundTrip(t *testing.T) { bothWays(t, batchesRoundTrip) }

// bothWays runs a round trip with the results in the pipe and in shared memory.
func bothWays(t *testing.T, f func(t *testing.T, shmMin int)) {
	for _, shm := range []int{-1, 1} {
		t.Run(fmt.Sprintf("shmMin=%d", shm), func(t *testing.T) { f(t, shm) })
	}
}

func batchesRoundTrip(t *testing.T, shmMin int) {
	w := fakeWorker(t, "emu")
	w.MaxSubjects, w.shmMin = 23, shmMin
	if err := w.Probe(); err != nil {
		t.Fatal(err)
	}
	if w.Device() != "CPU emulation" {
		t.Errorf("device %q, want the worker's hello", w.Device())
	}
	for _, tc := range []struct {
		name string
		mk   func() *cohort.Batch
	}{
		{"exact, 3 compartments", func() *cohort.Batch {
			b := cohort.ReferenceBatch(7, 0, 100)
			b.NCmt = 3
			for i := range b.Q3 {
				b.Q3[i], b.V3[i] = 3+float64(i%5), 40+float64(i%7)
			}
			b.Times = b.Times[:25]
			return b
		}},
		{"Michaelis-Menten", func() *cohort.Batch { b := mmBatch(60); b.Times = b.Times[:25]; return b }},
	} {
		got, want := tc.mk(), tc.mk()
		if err := w.Simulate(got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := (Emulator{}).Simulate(want); err != nil {
			t.Fatal(err)
		}
		bitsEqual(t, tc.name, got.Conc, want.Conc)
		if (w.shmMem != nil) != (shmMin > 0) {
			t.Fatalf("shmMin %d: shared output mapped %v", shmMin, w.shmMem != nil)
		}
		cpu, _ := cohort.Get("cpu")
		ref := tc.mk()
		if err := cpu.Simulate(ref); err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for k := range ref.Conc {
			if ref.Conc[k] > 1e-6 {
				worst = math.Max(worst, math.Abs(got.Conc[k]-ref.Conc[k])/ref.Conc[k])
			}
		}
		t.Logf("%s: worst relative difference to the CPU backend %.2g", tc.name, worst)
		if worst > 1e-6 {
			t.Errorf("%s: worker differs from the CPU backend by %.2g", tc.name, worst)
		}
	}
}

// Trial jobs (every regimen kind the job kernel takes, linear and
// Michaelis–Menten), in the pipe and in shared memory, come back bit for bit what the in-process kernels give.
func TestWorkerJobsRoundTrip(t *testing.T) { bothWays(t, jobsRoundTrip) }

func jobsRoundTrip(t *testing.T, shmMin int) {
	w := fakeWorker(t, "emu")
	w.MaxSubjects, w.shmMin = 7, shmMin
	for _, nonlinear := range []bool{false, true} {
		got, want := trialJobs(nonlinear), trialJobs(nonlinear)
		if err := w.SimulateJobs(got); err != nil {
			t.Fatal(err)
		}
		if err := (Emulator{}).SimulateJobs(want); err != nil {
			t.Fatal(err)
		}
		for j := range got {
			bitsEqual(t, fmt.Sprintf("nonlinear %v, job %d", nonlinear, j), got[j].Conc, want[j].Conc)
		}
	}
	// the host-side check (a steady-state record) still names the job
	jobs := trialJobs(false)[:1]
	jobs[0].Doses[0].SS = 1
	if err := w.SimulateJobs(jobs); err == nil || !strings.Contains(err.Error(), "job 0") {
		t.Errorf("SS record through the worker: %v", err)
	}
}

// A device error is reported for its request, and the worker goes on.
func TestWorkerDeviceErrorIsReported(t *testing.T) {
	w := fakeWorker(t, "devicefail")
	for range 2 {
		err := w.Simulate(mmBatch(3))
		if err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_LAUNCH_FAILED") {
			t.Fatalf("Simulate: %v, want the device's error", err)
		}
	}
}

// A worker that cannot start says why in plain words, whatever killed it:
// no device, cu's init exiting, no libcuda, no worker at all; and a worker
// that dies mid-run is an error that keeps what it printed, not a hang.
func TestWorkerStartFailuresAreExplained(t *testing.T) {
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{"nodevice", []string{"no usable CUDA device", "sees no CUDA device"}},
		{"cuinit", []string{"could not start", "exit status 1", "Error in initialization", "CUDA_ERROR_NO_DEVICE"}},
		{"nolib", []string{"could not start", "exit status 127", "libcuda.so.1", "no NVIDIA driver"}},
	} {
		w := fakeWorker(t, tc.kind)
		err := w.Probe()
		for _, s := range tc.want {
			if err == nil || !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %v, want it to say %q", tc.kind, err, s)
			}
		}
		if err2 := w.Simulate(mmBatch(2)); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: Simulate after a failed start: %v", tc.kind, err2)
		}
	}
	w := &Worker{Path: filepath.Join(t.TempDir(), "none")}
	if err := w.Probe(); err == nil || !strings.Contains(err.Error(), "cannot run the CUDA worker") {
		t.Errorf("missing program: %v", err)
	}
	w = fakeWorker(t, "die")
	err := w.Simulate(mmBatch(2))
	if err == nil || !strings.Contains(err.Error(), "worker stopped") || !strings.Contains(err.Error(), "device lost") {
		t.Errorf("worker dying mid-run: %v", err)
	}
	if err2 := w.Simulate(mmBatch(2)); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("after the worker died: %v", err2)
	}
}

// The worker is found through MEDTWIN_CUDA_WORKER, and its refusal is what
// Probe (and so cohort.Auto, which then takes the CPU) reports. (Not the
// registered backend: the GPU tests of the cuda build use that one.)
func TestWorkerFromEnvironment(t *testing.T) {
	t.Setenv("MEDTWIN_CUDA_WORKER", os.Args[0])
	t.Setenv(fakeEnv, "nodevice")
	p, err := Locate()
	if err != nil || p != os.Args[0] {
		t.Fatalf("Locate = %q, %v; want $MEDTWIN_CUDA_WORKER", p, err)
	}
	w := &Worker{}
	t.Cleanup(func() { w.Close() })
	if err := w.Probe(); err == nil || !strings.Contains(err.Error(), "sees no CUDA device") {
		t.Fatalf("Probe: %v", err)
	}
}

// The embedded worker is written once to the cache directory under its hash,
// executable, and runs from there.
func TestEmbeddedWorkerIsUnpackedAndRuns(t *testing.T) {
	prog, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	path, err := unpackWorker(prog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, cache) || !strings.Contains(filepath.Base(path), WorkerName+"-") {
		t.Errorf("unpacked to %s, want under %s", path, cache)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode()&0o100 == 0 || st.Size() != int64(len(prog)) {
		t.Fatalf("unpacked worker: %v, %v", st, err)
	}
	again, err := unpackWorker(prog)
	if err != nil || again != path {
		t.Errorf("second unpack: %s, %v; want the same file", again, err)
	}
	w := &Worker{Path: path, Env: []string{fakeEnv + "=emu"}}
	t.Cleanup(func() { w.Close() })
	if err := w.Probe(); err != nil {
		t.Fatalf("running the unpacked worker: %v", err)
	}
}

// nullDevice answers launches without computing: what is left is the cost of
// the protocol (packing, the pipes, unpacking).
type nullDevice struct{}

func (nullDevice) Name() string                   { return "null" }
func (nullDevice) Budget() (int64, error)         { return 64 << 30, nil }
func (nullDevice) Launch(*Packed) error           { return nil }
func (nullDevice) LaunchJobs(*PackedJobs) error   { return nil }
func (nullDevice) LaunchModel(*PackedModel) error { return nil }

// BenchmarkWorkerTransfer measures the worker protocol's cost on the batch
// form of `bench cohort` (337 hourly outputs per subject, 2.7 KB each): a
// worker that computes nothing, so subjects/s is the ceiling the pipes put on
// a GPU run, to set beside the GPU's own rate.
func BenchmarkWorkerTransfer(b *testing.B) {
	for _, shm := range []int{-1, 0} {
		b.Run(map[int]string{-1: "pipe", 0: "shared"}[shm], func(b *testing.B) { workerTransfer(b, shm) })
	}
}

func workerTransfer(b *testing.B, shmMin int) {
	w := &Worker{Path: os.Args[0], Env: []string{fakeEnv + "=null"}, shmMin: shmMin}
	defer w.Close()
	const n = 100_000
	bt := cohort.FloorParams(n)
	if err := w.Simulate(bt); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n * len(bt.Times) * 8))
	b.ResetTimer()
	for range b.N {
		if err := w.Simulate(bt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "subjects/s")
}

// A garbled request ends the worker with an error naming what was wrong, and
// never reaches the kernels: offsets outside their arrays, counts out of
// range, an unknown request.
func TestServeRefusesGarbledRequests(t *testing.T) {
	jobs := trialJobs(false)[:2]
	inputs, err := jobInputs(jobs)
	if err != nil {
		t.Fatal(err)
	}
	good := packJobs(jobs, inputs, 0, 2)
	if err := serveOnce(t, func(c *wire) { c.put(opJobs); c.putJobs(good); c.put(false) }); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	bad := *good
	bad.OutOff = append([]int32(nil), good.OutOff...)
	bad.OutOff[2] += 1000 // past the end of OutT
	for _, tc := range []struct {
		name  string
		write func(c *wire)
		want  string
	}{
		{"offsets past the end", func(c *wire) { c.put(opJobs); c.putJobs(&bad); c.put(false) }, "offsets"},
		{"negative count", func(c *wire) { c.put(opBatch); c.int(-5) }, "out of range"},
		{"batch parameters short", func(c *wire) {
			pk := &Packed{N: 10, NT: 3, NCmt: 1, Sub: 1, DT: 1, P: make([]float64, 3)}
			c.put(opBatch)
			c.putPacked(pk)
			c.put(false)
		}, "10 subjects"},
		{"unknown request", func(c *wire) { c.put(byte('Z')) }, "unknown request"},
	} {
		if err := serveOnce(t, tc.write); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// serveOnce serves the requests write writes to the CPU emulation (with no
// C compiler for model kernels) and returns how Serve ended.
func serveOnce(t *testing.T, write func(c *wire)) error {
	t.Helper()
	var in bytes.Buffer
	c := newWire(nil, &in)
	write(c)
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	return Serve(&in, io.Discard, emuDevice{budget: 1 << 20})
}

// BenchmarkWorkerJobsTransfer measures the host's side of a trial run on the
// GPU: 16 000 trial jobs (test regimens on 0.05 h grids, 31 M output times)
// expanded, packed, sent to a worker that computes nothing and unpacked, so
// that jobs/s is the ceiling the host puts on `trial --backend cuda`.
func BenchmarkWorkerJobsTransfer(b *testing.B) {
	base := trialJobs(false)
	jobs := base
	for len(jobs) < 16000 {
		jobs = append(jobs, base...)
	}
	w := &Worker{Path: os.Args[0], Env: []string{fakeEnv + "=null"}}
	defer w.Close()
	if err := w.SimulateJobs(jobs[:10]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := w.SimulateJobs(jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(jobs)*b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkWorkerModelsTransfer measures the host's side of language-model
// jobs on the GPU: 50 000 subjects of the QSS TMDD library model (the
// reference dosing, hourly outputs to 336 h) packed, sent to a worker that
// computes nothing and unpacked: the ceiling the host puts on `bench cohort
// --model tmdd_qss --backend cuda`.
func BenchmarkWorkerModelsTransfer(b *testing.B) {
	m, err := modlang.Library("tmdd_qss")
	if err != nil {
		b.Fatal(err)
	}
	times := make([]float64, 337)
	for k := range times {
		times[k] = float64(k)
	}
	jobs := make([]cohort.ModelJob, 50_000)
	for i := range jobs {
		p := m.Defaults()
		p[m.ParamIndex("CL")] *= 1 + float64(i%101)/100
		jobs[i] = cohort.ModelJob{Model: m, Params: p, Times: times, Doses: []modlang.Dose{{Amt: 100, II: 12, ADDL: 27}}}
	}
	w := &Worker{Path: os.Args[0], Env: []string{fakeEnv + "=null"}}
	defer w.Close()
	if err := w.SimulateModels(jobs[:10]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := w.SimulateModels(jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(jobs)*b.N)/b.Elapsed().Seconds(), "subjects/s")
}
