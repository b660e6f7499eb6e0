package cuda

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
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
// results. Integers are int64, numbers float64, slices a uint64 length and
// their elements, all little endian (the layouts of Packed and PackedJobs,
// unchanged).
const (
	helloPrefix = "medtwin-cuda-worker 1 "

	opBudget byte = 'M' // -> int64: device memory bytes one launch may use
	opBatch  byte = 'B' // Packed -> Out
	opJobs   byte = 'J' // PackedJobs -> OutC

	statusOK  byte = 0
	statusErr byte = 1
)

// maxElems bounds a slice length read from the other side, so that a garbled
// stream gives an error instead of an enormous allocation (2^31 elements,
// 16 GiB of float64, beyond any one launch).
const maxElems = 1 << 31

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
	for _, off := range [2]struct {
		o   []int32
		len int
	}{{pj.InOff, nIn}, {pj.OutOff, len(pj.OutT)}} {
		if off.o[0] != 0 || int(off.o[n]) != off.len {
			return fmt.Errorf("job offsets do not span their arrays")
		}
		for i := 0; i < n; i++ {
			if off.o[i+1] < off.o[i] {
				return fmt.Errorf("job offsets decrease at job %d", i)
			}
		}
	}
	if math.IsNaN(pj.HMax) || pj.HMax <= 0 {
		return fmt.Errorf("step bound %v", pj.HMax)
	}
	return nil
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
