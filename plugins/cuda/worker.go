package cuda

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/medtwin/medtwin/physio/cohort"
)

// WorkerName is the CUDA worker program's file name (cmd/medtwin-cuda-worker).
const WorkerName = "medtwin-cuda-worker"

// EmbeddedWorker is the worker program that the cuda build of medtwin carries
// (cmd/medtwin sets it under the cuda build tag; `make cuda`). On first use it
// is written to the user's cache directory, under a name holding its hash,
// and run from there. Nil in a build without it.
var EmbeddedWorker []byte

// helloTimeout bounds the worker's start (loading the driver, creating the
// context, loading the kernels): a worker that says nothing is killed.
var helloTimeout = 2 * time.Minute

// exitGrace is how long a worker that spoke no protocol has to exit by itself
// before it is killed.
const exitGrace = 5 * time.Second

// Worker is the "cuda" cohort backend as medtwin sees it: the kernels run in
// a worker process (cmd/medtwin-cuda-worker, the only program linked with
// gorgonia.org/cu and libcuda), started on first use and spoken to over its
// stdin and stdout (protocol.go). medtwin itself never loads the driver, so
// it starts on any machine; without a worker, a driver or a device, Probe and
// every call say which of them is missing. Packing, chunking and unpacking
// stay here; the worker only copies, launches and copies back.
type Worker struct {
	// Path is the worker program; "" finds one (Locate).
	Path string
	// Env is added to the worker's environment.
	Env []string
	// MaxSubjects caps the subjects (or jobs) of one launch (0: 1<<22).
	MaxSubjects int
	// Log receives SimulateModels' notes on the jobs it runs on the CPU
	// (nil: standard error).
	Log io.Writer

	mu     sync.Mutex
	tried  bool
	err    error // why the worker cannot run; kept once set
	cmd    *exec.Cmd
	stdin  io.Closer
	stdout io.Closer
	c      *wire
	stderr *tail
	device string

	shm    *os.File // the worker's fd 3: outputs, mapped by both (nil: in the pipe)
	shmMem []byte   // this side's mapping of shm
	shmMin int      // outputs of at least this many bytes go through shm (0: 1 MiB; < 0: never)
}

func init() { cohort.Register(&Worker{}) }

// Name returns "cuda".
func (w *Worker) Name() string { return "cuda" }

// Probe starts the worker if it is not running and returns why it cannot run
// here (nil: a device answered). The verdict is kept: a worker that failed to
// start is not tried again.
func (w *Worker) Probe() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.start()
}

// Device returns the name of the worker's device ("" before a successful
// Probe).
func (w *Worker) Device() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.device
}

// chunkOutBytes caps one launch's outputs (256 MiB: 100 000 subjects of the
// reference cohort). The shared output the worker maps and page-locks is then
// that size, not the whole batch's: on an H200 the first launch of 1 M
// subjects in one chunk spent 1.9 s mapping and locking 2.7 GB, later ones
// 0.2 s.
const chunkOutBytes = 256 << 20

// Simulate fills b.Conc on the worker's device, in chunks that fit its memory.
func (w *Worker) Simulate(b *cohort.Batch) error {
	if err := b.Check(); err != nil {
		return err
	}
	maxN := w.maxNFor(len(b.Times))
	return w.call(func(budget int64) error { return runChunked(b, budget, maxN, w.launch) })
}

// SimulateJobs runs trial jobs on the worker's device, in runs that fit its
// memory.
func (w *Worker) SimulateJobs(jobs []cohort.Job) error {
	return w.call(func(budget int64) error { return runJobsChunked(jobs, budget, w.maxN(), w.launchJobs) })
}

// Close stops the worker (it exits when its stdin closes). A closed Worker
// refuses further work.
func (w *Worker) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return nil
	}
	w.stdin.Close()
	err := w.cmd.Wait()
	w.stdout.Close()
	w.cmd, w.c = nil, nil
	w.dropShm()
	if w.err == nil {
		w.err = errors.New("cuda: the worker was closed")
	}
	return err
}

func (w *Worker) maxN() int {
	if w.MaxSubjects > 0 {
		return w.MaxSubjects
	}
	return 1 << 22
}

// maxNFor is the most subjects of one launch whose outputs, out float64s
// each, stay within chunkOutBytes (and maxN).
func (w *Worker) maxNFor(out int) int {
	return min(w.maxN(), max(1, chunkOutBytes/(8*max(1, out))))
}

// call runs f with the device's memory budget, the worker started and held.
func (w *Worker) call(f func(budget int64) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.start(); err != nil {
		return err
	}
	w.c.put(opBudget)
	var budget int64
	err := w.c.flush()
	if err == nil {
		if err = w.c.getStatus(); err == nil {
			w.c.get(&budget)
			err = w.c.err
		}
	}
	if err == nil {
		err = f(budget)
	}
	return w.broken(err)
}

// broken turns an I/O error (the worker died or garbled its reply) into a
// kept error that says what the worker printed; a device error passes.
func (w *Worker) broken(err error) error {
	if err == nil || w.c == nil || w.c.err == nil {
		return err
	}
	w.cmd.Process.Kill()
	state := w.cmd.Wait()
	w.err = fmt.Errorf("cuda: the worker stopped (%v; %v)%s", err, state, w.stderr.said())
	w.cmd, w.c = nil, nil
	w.dropShm()
	return w.err
}

// launch sends one packed chunk and reads its concentrations into pk.Out (or
// points pk.Out at the shared output).
func (w *Worker) launch(pk *Packed) error {
	return w.request(opBatch, pk.outLen(), func() { w.c.putPacked(pk) }, &pk.Out)
}

// launchJobs sends one run of jobs and reads their concentrations into pj.OutC.
func (w *Worker) launchJobs(pj *PackedJobs) error {
	return w.request(opJobs, len(pj.OutT), func() { w.c.putJobs(pj) }, &pj.OutC)
}

// request sends op with the arguments args writes, and reads its n results
// into *out (allocated here when it has another length), or points *out at
// the shared output when they came that way.
func (w *Worker) request(op byte, n int, args func(), out *[]float64) error {
	view, shared := w.sharedOut(n)
	if !shared && len(*out) != n {
		*out = make([]float64, n)
	}
	w.c.put(op)
	args()
	w.c.put(shared)
	if err := w.reply(*out, shared); err != nil {
		return err
	}
	if shared {
		*out = view
	}
	return nil
}

// reply reads a launch's status and, unless they are shared, its results
// into out.
func (w *Worker) reply(out []float64, shared bool) error {
	if err := w.c.flush(); err != nil {
		return err
	}
	if err := w.c.getStatus(); err != nil {
		var re *errRemote
		if errors.As(err, &re) {
			return fmt.Errorf("cuda: %s", re.msg)
		}
		return err
	}
	if shared {
		return nil
	}
	if n := w.c.length(); w.c.err == nil && n != len(out) {
		w.c.err = fmt.Errorf("cuda worker protocol: %d results for %d outputs", n, len(out))
	}
	w.c.readRaw(f64s(out))
	return w.c.err
}

// sharedOut returns n float64s on the shared output file, grown as needed,
// when the outputs are large enough to be worth it and the worker has one.
// The view stays valid until the next call (a chunk is unpacked before the
// next is launched).
func (w *Worker) sharedOut(n int) ([]float64, bool) {
	minBytes := w.shmMin
	if minBytes == 0 {
		minBytes = 1 << 20
	}
	if w.shm == nil || minBytes < 0 || n == 0 || n*8 < minBytes {
		return nil, false
	}
	if len(w.shmMem) < n*8 {
		if w.shmMem != nil {
			unmap(w.shmMem)
			w.shmMem = nil
		}
		mem, err := []byte(nil), w.shm.Truncate(int64(n)*8)
		if err == nil {
			mem, err = mapShared(w.shm, n*8)
		}
		if err != nil {
			return nil, false // the pipe still works
		}
		w.shmMem = mem
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&w.shmMem[0])), n), true
}

// dropShm releases the shared output file and this side's mapping.
func (w *Worker) dropShm() {
	if w.shmMem != nil {
		unmap(w.shmMem)
		w.shmMem = nil
	}
	if w.shm != nil {
		w.shm.Close()
		w.shm = nil
	}
}

// start runs the worker and reads its hello (w.mu held).
func (w *Worker) start() error {
	if w.tried {
		return w.err
	}
	w.tried = true
	laps := StartLaps("worker start")
	path := w.Path
	if path == "" {
		if path, w.err = Locate(); w.err != nil {
			w.err = fmt.Errorf("cuda: %w", w.err)
			return w.err
		}
	}
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), w.Env...)
	w.stderr = &tail{}
	cmd.Stderr = w.stderr
	if traceOn {
		cmd.Stderr = io.MultiWriter(w.stderr, os.Stderr)
	}
	if f, err := newShmFile(); err == nil {
		cmd.ExtraFiles = []*os.File{f} // fd 3 in the worker
		w.shm = f
	}
	stdin, stdout, theirs, err := workerPipes(cmd)
	if err != nil {
		w.dropShm()
		w.err = fmt.Errorf("cuda: %v", err)
		return w.err
	}
	err = cmd.Start()
	for _, f := range theirs {
		f.Close()
	}
	if err != nil {
		stdin.Close()
		stdout.Close()
		w.dropShm()
		w.err = fmt.Errorf("cuda: cannot run the CUDA worker: %v", err)
		return w.err
	}
	r := bufio.NewReaderSize(stdout, 1<<16)
	type hello struct {
		line string
		err  error
	}
	got := make(chan hello, 1)
	go func() {
		line, err := r.ReadString('\n')
		got <- hello{line, err}
	}()
	var h hello
	select {
	case h = <-got:
	case <-time.After(helloTimeout):
		cmd.Process.Kill()
		h = <-got
		h.err = fmt.Errorf("no hello within %v", helloTimeout)
	}
	var dev string
	if h.err == nil {
		dev, err = parseHello(h.line)
	} else {
		err = h.err
	}
	if err != nil {
		stdin.Close()
		w.err = startError(path, h.line, err, cmd, r, w.stderr)
		w.dropShm()
		return w.err
	}
	laps.Lap("hello from " + dev)
	laps.Done()
	w.cmd, w.stdin, w.stdout, w.device = cmd, stdin, stdout, dev
	w.c = &wire{r: r, w: bufio.NewWriterSize(stdin, 1<<16)}
	return nil
}

// workerPipes connects cmd's stdin and stdout to pipes, grown to 1 MiB where
// the system allows (growPipe), and returns this side's ends and the
// worker's, which the caller closes once the worker has started.
func workerPipes(cmd *exec.Cmd) (stdin, stdout *os.File, theirs []*os.File, err error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, nil, nil, err
	}
	growPipe(inW)
	growPipe(outW)
	cmd.Stdin, cmd.Stdout = inR, outW
	return inW, outR, []*os.File{inR, outW}, nil
}

// startError says why the worker at path did not come up: it refused (no
// device), or it exited or spoke no protocol, with what it printed.
func startError(path, line string, err error, cmd *exec.Cmd, stdout io.Reader, stderr *tail) error {
	var re *errRemote
	if errors.As(err, &re) {
		cmd.Wait()
		return fmt.Errorf("cuda: no usable CUDA device: %s", re.msg)
	}
	// what else it prints before it exits (cu's init prints a line, then
	// exits); one that goes on without speaking the protocol is killed
	restc := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(stdout, 4096))
		io.Copy(io.Discard, stdout)
		restc <- b
	}()
	var rest []byte
	select {
	case rest = <-restc:
	case <-time.After(exitGrace):
		cmd.Process.Kill()
		rest = <-restc
	}
	state := cmd.Wait()
	printed := strings.TrimSpace(strings.TrimSpace(line+string(rest)) + "\n" + stderr.String())
	msg := fmt.Sprintf("cuda: the CUDA worker %s could not start", path)
	if state != nil {
		msg += " (" + state.Error() + ")"
	} else if !errors.Is(err, io.EOF) {
		msg += " (" + err.Error() + ")"
	}
	if printed != "" {
		msg += ": " + oneLine(printed)
	}
	if strings.Contains(printed, "libcuda") {
		msg += " [no NVIDIA driver on this machine]"
	}
	return errors.New(msg)
}

// Locate finds the worker program: $MEDTWIN_CUDA_WORKER; else
// medtwin-cuda-worker beside the running executable; else the embedded one
// (EmbeddedWorker), written to the cache directory.
func Locate() (string, error) {
	if p := os.Getenv("MEDTWIN_CUDA_WORKER"); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), WorkerName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if len(EmbeddedWorker) > 0 {
		return unpackWorker(EmbeddedWorker)
	}
	return "", errors.New("this medtwin carries no CUDA worker (`make cuda` builds one that does), " +
		"there is no " + WorkerName + " beside it, and MEDTWIN_CUDA_WORKER is not set")
}

// unpackWorker writes the embedded worker to <user cache>/medtwin under a
// name holding its SHA-256, once (written to a temporary name and renamed, so
// that a crash leaves no half program), and returns its path.
func unpackWorker(prog []byte) (string, error) {
	sum := sha256.Sum256(prog)
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "medtwin")
	path := filepath.Join(dir, WorkerName+"-"+hex.EncodeToString(sum[:8]))
	if have, err := os.ReadFile(path); err == nil && sha256.Sum256(have) == sum {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("writing the CUDA worker: %v", err)
	}
	f, err := os.CreateTemp(dir, WorkerName+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing the CUDA worker: %v", err)
	}
	_, err = f.Write(prog)
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o755)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the CUDA worker to %s: %v", dir, err)
	}
	return path, nil
}

// tail keeps the last 4 KiB written to it (the worker's stderr).
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if n := len(t.b); n > 4096 {
		t.b = append(t.b[:0], t.b[n-4096:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

// said formats what the worker printed on stderr for an error message.
func (t *tail) said() string {
	if s := t.String(); s != "" {
		return ": " + oneLine(s)
	}
	return ""
}
