package cuda

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// The worker protocol: medtwin and the CUDA worker (cmd/medtwin-cuda-worker,
// the only program that links gorgonia.org/cu) speak over the worker's stdin
// and stdout. The worker first writes one hello line,
//
//	medtwin-cuda-worker 1 ok <device name>
//	medtwin-cuda-worker 1 error <why there is no device>
//
// and, after "ok", answers requests one at a time until its stdin closes. A
// request is one op byte, its arguments and where the results go (a bool:
// false, in the reply; true, into the file the worker got as fd 3, mapped
// shared, which spares the pipe gigabytes of outputs); a reply is a status
// byte (0 ok, 1 error followed by a message) and, when ok and not shared, its
// results. Integers are int64, numbers float64, slices and strings a uint64
// length and their elements, all little endian (the layouts of Packed,
// PackedJobs and PackedModel, unchanged).
const (
	helloPrefix = "medtwin-cuda-worker 1 "

	opBudget byte = 'M' // -> int64: device memory bytes one launch may use
	opBatch  byte = 'B' // Packed -> Out
	opJobs   byte = 'J' // PackedJobs -> OutC
	opModel  byte = 'L' // PackedModel (with its generated source) -> Out

	statusOK  byte = 0
	statusErr byte = 1
)

// maxElems bounds a slice length read from the other side, so that a garbled
// stream gives an error instead of an enormous allocation (2^31 elements,
// 16 GiB of float64, beyond any one launch).
const maxElems = 1 << 31

// maxSource bounds the generated source of a model request (a 50-equation
// model's is about 20 KB).
const maxSource = 64 << 20

// wire reads and writes the protocol's values, keeping the first error.
type wire struct {
	r   *bufio.Reader
	w   *bufio.Writer
	err error
	// shm is the worker's mapping of the shared output file, kept from one
	// request to the next (remapped only to grow), so that its pages are
	// faulted in once rather than at every launch.
	shm []byte
	// dev is the worker's device (nil on the client's side).
	dev Device
}

func newWire(r io.Reader, w io.Writer) *wire {
	return &wire{r: bufio.NewReaderSize(r, 1<<16), w: bufio.NewWriterSize(w, 1<<16)}
}

func (c *wire) put(v any) {
	if c.err == nil {
		c.err = binary.Write(c.w, binary.LittleEndian, v)
	}
}

func (c *wire) int(v int) { c.put(int64(v)) }

func (c *wire) f64s(v []float64) { c.put(uint64(len(v))); c.raw(f64s(v)) }
func (c *wire) i32s(v []int32)   { c.put(uint64(len(v))); c.raw(i32s(v)) }

// raw writes a slice's elements as they lie in memory: little endian on the
// machines medtwin runs on (checked in init), without binary.Write's copy of
// the whole slice (a batch's output can be gigabytes).
func (c *wire) raw(p unsafe.Pointer, n int64) {
	if c.err == nil && n > 0 {
		_, c.err = c.w.Write(unsafe.Slice((*byte)(p), n))
	}
}

// readRaw fills a slice's elements from the stream, in place.
func (c *wire) readRaw(p unsafe.Pointer, n int64) {
	if c.err == nil && n > 0 {
		_, c.err = io.ReadFull(c.r, unsafe.Slice((*byte)(p), n))
	}
}

func init() {
	if x := uint16(1); *(*byte)(unsafe.Pointer(&x)) != 1 {
		panic("cuda: the worker protocol assumes a little-endian machine")
	}
}

func (c *wire) get(v any) {
	if c.err == nil {
		c.err = binary.Read(c.r, binary.LittleEndian, v)
	}
}

func (c *wire) getInt() int {
	var v int64
	c.get(&v)
	if c.err == nil && (v < 0 || v > maxElems) {
		c.err = fmt.Errorf("cuda worker protocol: count %d out of range", v)
	}
	return int(v)
}

func (c *wire) getF64() float64 {
	var v float64
	c.get(&v)
	return v
}

func (c *wire) length() int {
	var n uint64
	c.get(&n)
	if c.err == nil && n > maxElems {
		c.err = fmt.Errorf("cuda worker protocol: length %d out of range", n)
	}
	return int(n)
}

func (c *wire) getF64s() []float64 {
	n := c.length()
	if c.err != nil {
		return nil
	}
	v := make([]float64, n)
	c.readRaw(f64s(v))
	return v
}

// str writes a string: its length and its bytes.
func (c *wire) str(s string) {
	c.put(uint64(len(s)))
	if c.err == nil {
		_, c.err = c.w.WriteString(s)
	}
}

// getStr reads a string of at most limit bytes.
func (c *wire) getStr(limit int) string {
	var n uint64
	c.get(&n)
	if c.err == nil && n > uint64(limit) {
		c.err = fmt.Errorf("cuda worker protocol: a string of %d bytes", n)
	}
	if c.err != nil {
		return ""
	}
	b := make([]byte, n)
	_, c.err = io.ReadFull(c.r, b)
	return string(b)
}

func (c *wire) getI32s() []int32 {
	n := c.length()
	if c.err != nil {
		return nil
	}
	v := make([]int32, n)
	c.readRaw(i32s(v))
	return v
}

// flush sends what was written and returns the first error.
func (c *wire) flush() error {
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

// The requests' arguments, written by the client and read by the worker.

func (c *wire) putPacked(pk *Packed) {
	c.int(pk.N)
	c.int(pk.NT)
	c.int(pk.NCmt)
	c.int(pk.Sub)
	c.put(pk.Nonlinear)
	c.put(pk.DT)
	c.put(pk.DoseAmt)
	c.f64s(pk.P)
	c.i32s(pk.DoseStep)
}

func (c *wire) getPacked() *Packed {
	pk := &Packed{N: c.getInt(), NT: c.getInt(), NCmt: c.getInt(), Sub: c.getInt()}
	c.get(&pk.Nonlinear)
	pk.DT, pk.DoseAmt = c.getF64(), c.getF64()
	pk.P, pk.DoseStep = c.getF64s(), c.getI32s()
	if c.err == nil && (len(pk.P) != nParam*pk.N || pk.N > maxElems/max(pk.NT, 1) || pk.NCmt < 1 || pk.NCmt > 3 || pk.Sub < 1) {
		c.err = fmt.Errorf("cuda worker protocol: a batch of %d subjects with %d parameters, %d times, %d compartments, %d sub-steps", pk.N, len(pk.P), pk.NT, pk.NCmt, pk.Sub)
	}
	return pk
}

func (c *wire) putJobs(pj *PackedJobs) {
	c.int(pj.N)
	c.put(pj.HMax)
	c.f64s(pj.P)
	c.i32s(pj.InOff)
	c.f64s(pj.InT)
	c.i32s(pj.InState)
	c.f64s(pj.InAmt)
	c.f64s(pj.InRate)
	c.i32s(pj.OutOff)
	c.f64s(pj.OutT)
}

func (c *wire) getJobs() *PackedJobs {
	pj := &PackedJobs{N: c.getInt(), HMax: c.getF64()}
	pj.P, pj.InOff, pj.InT, pj.InState = c.getF64s(), c.getI32s(), c.getF64s(), c.getI32s()
	pj.InAmt, pj.InRate, pj.OutOff, pj.OutT = c.getF64s(), c.getF64s(), c.getI32s(), c.getF64s()
	if c.err != nil {
		return pj
	}
	if err := pj.check(); err != nil {
		c.err = fmt.Errorf("cuda worker protocol: %v", err)
	}
	return pj
}

// check verifies that the compressed rows index inside their arrays, so that
// a garbled request cannot send the kernel out of bounds.
func (pj *PackedJobs) check() error {
	n := pj.N
	nIn := len(pj.InT)
	if len(pj.P) != nParam*n || len(pj.InOff) != n+1 || len(pj.OutOff) != n+1 ||
		len(pj.InState) != nIn || len(pj.InAmt) != nIn || len(pj.InRate) != nIn {
		return fmt.Errorf("jobs of inconsistent lengths (%d jobs)", n)
	}
	if err := checkOffsets(pj.InOff, nIn); err != nil {
		return err
	}
	if err := checkOffsets(pj.OutOff, len(pj.OutT)); err != nil {
		return err
	}
	if math.IsNaN(pj.HMax) || pj.HMax <= 0 {
		return fmt.Errorf("step bound %v", pj.HMax)
	}
	return nil
}

// checkOffsets verifies compressed-row offsets (one per job and one past the
// last) that must run from 0 to total without decreasing.
func checkOffsets(off []int32, total int) error {
	n := len(off) - 1
	if off[0] != 0 || int(off[n]) != total {
		return fmt.Errorf("job offsets do not span their arrays")
	}
	for i := 0; i < n; i++ {
		if off[i+1] < off[i] {
			return fmt.Errorf("job offsets decrease at job %d", i)
		}
	}
	return nil
}

func (c *wire) putModel(pm *PackedModel) {
	c.str(pm.Source)
	c.str(pm.Kernel)
	c.int(pm.N)
	c.int(pm.NT)
	c.int(pm.NOut)
	c.int(pm.MaxSteps)
	c.put(pm.RTol)
	c.put(pm.ATol)
	c.f64s(pm.P)
	c.f64s(pm.Y0)
	c.i32s(pm.EvOff)
	c.f64s(pm.EvT)
	c.i32s(pm.EvKind)
	c.i32s(pm.EvIdx)
	c.f64s(pm.EvVal)
	c.f64s(pm.Times)
}

func (c *wire) getModel() *PackedModel {
	pm := &PackedModel{Source: c.getStr(maxSource), Kernel: c.getStr(1 << 10)}
	pm.N, pm.NT, pm.NOut, pm.MaxSteps = c.getInt(), c.getInt(), c.getInt(), c.getInt()
	pm.RTol, pm.ATol = c.getF64(), c.getF64()
	pm.P, pm.Y0, pm.EvOff, pm.EvT = c.getF64s(), c.getF64s(), c.getI32s(), c.getF64s()
	pm.EvKind, pm.EvIdx, pm.EvVal, pm.Times = c.getI32s(), c.getI32s(), c.getF64s(), c.getF64s()
	if c.err != nil {
		return pm
	}
	if err := pm.check(); err != nil {
		c.err = fmt.Errorf("cuda worker protocol: model request: %v", err)
	}
	return pm
}

// check verifies that a model request's arrays have the sizes its source
// declares (P_NPARAMS, P_NSTATES and P_NOUTPUTS of the kernel's prefix P),
// that its events name states of the model and its offsets index inside
// their arrays: a garbled request cannot send the kernel out of bounds.
func (pm *PackedModel) check() error {
	prefix, ok := strings.CutSuffix(pm.Kernel, "_kernel")
	if !ok || prefix == "" {
		return fmt.Errorf("kernel name %q is not <prefix>_kernel", pm.Kernel)
	}
	size := map[string]int{"NPARAMS": -1, "NSTATES": -1, "NOUTPUTS": -1}
	for _, line := range strings.Split(pm.Source, "\n") {
		for k := range size {
			if v, ok := strings.CutPrefix(line, "#define "+prefix+"_"+k+" "); ok {
				if size[k], ok = atoiOK(strings.TrimSpace(v)); !ok {
					return fmt.Errorf("the source defines %s_%s as %q", prefix, k, v)
				}
			}
		}
	}
	for _, k := range []string{"NPARAMS", "NSTATES", "NOUTPUTS"} {
		if size[k] < 0 || size[k] > 1<<20 {
			return fmt.Errorf("the source does not define %s_%s", prefix, k)
		}
	}
	n, nEv := pm.N, len(pm.EvT)
	switch {
	case pm.NOut != size["NOUTPUTS"] || pm.NOut < 1:
		return fmt.Errorf("%d outputs for a kernel that reports %d", pm.NOut, size["NOUTPUTS"])
	case pm.NT != len(pm.Times) || n > 0 && pm.NT > maxElems/n/pm.NOut:
		return fmt.Errorf("%d output times for %d subjects, %d given", pm.NT, n, len(pm.Times))
	case len(pm.P) != n*size["NPARAMS"] || len(pm.Y0) != n*size["NSTATES"]:
		return fmt.Errorf("%d subjects with %d parameters and %d initial states (the model has %d and %d)", n, len(pm.P), len(pm.Y0), size["NPARAMS"], size["NSTATES"])
	case len(pm.EvOff) != n+1 || len(pm.EvKind) != nEv || len(pm.EvIdx) != nEv || len(pm.EvVal) != nEv:
		return fmt.Errorf("events of inconsistent lengths (%d subjects)", n)
	case !(pm.RTol > 0 && pm.ATol > 0 && pm.RTol < 1 && pm.ATol < math.Inf(1)) || pm.MaxSteps < 1:
		return fmt.Errorf("tolerances %v, %v and %d steps", pm.RTol, pm.ATol, pm.MaxSteps)
	}
	if err := checkOffsets(pm.EvOff, nEv); err != nil {
		return err
	}
	for e := range nEv {
		if k, x := pm.EvKind[e], pm.EvIdx[e]; k < 1 || k > 3 || x < 0 || int(x) >= size["NSTATES"] {
			return fmt.Errorf("event %d of kind %d into state %d (the model has %d states)", e, k, x, size["NSTATES"])
		}
	}
	return nil
}

// atoiOK parses a small non-negative decimal integer.
func atoiOK(s string) (int, bool) {
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= 0
}

// putStatus writes a reply's status (and the message of an error).
func (c *wire) putStatus(err error) {
	if err == nil {
		c.put(statusOK)
		return
	}
	msg := err.Error()
	c.put(statusErr)
	c.put(uint32(len(msg)))
	if c.err == nil {
		_, c.err = c.w.WriteString(msg)
	}
}

// errRemote is an error the worker reported for one request: the worker is
// still usable.
type errRemote struct{ msg string }

func (e *errRemote) Error() string { return e.msg }

// getStatus reads a reply's status: nil, an *errRemote, or the I/O error.
func (c *wire) getStatus() error {
	var s byte
	c.get(&s)
	if c.err != nil {
		return c.err
	}
	switch s {
	case statusOK:
		return nil
	case statusErr:
		var n uint32
		c.get(&n)
		if c.err == nil && n > 1<<20 {
			c.err = fmt.Errorf("cuda worker protocol: message of %d bytes", n)
		}
		if c.err != nil {
			return c.err
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c.r, msg); err != nil {
			c.err = err
			return err
		}
		return &errRemote{msg: string(msg)}
	}
	c.err = fmt.Errorf("cuda worker protocol: status byte %d", s)
	return c.err
}

// parseHello reads the worker's hello line: the device's name, or why the
// worker has none. Anything else (a message printed by a library before the
// worker could speak) comes back whole in the error.
func parseHello(line string) (device string, err error) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), helloPrefix)
	if !ok {
		return "", errors.New(strings.TrimSpace(line))
	}
	if d, ok := strings.CutPrefix(rest, "ok "); ok {
		return d, nil
	}
	if e, ok := strings.CutPrefix(rest, "error "); ok {
		return "", &errRemote{msg: e}
	}
	return "", fmt.Errorf("cuda worker protocol: hello %q", line)
}
