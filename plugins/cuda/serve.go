package cuda

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"
)

// Device runs packed work on one accelerator: what the CUDA worker serves
// (plugins/cuda/device on a GPU; the tests serve the CPU emulation of the
// same kernels behind the same protocol).
type Device interface {
	// Name describes the device for messages ("NVIDIA H200", say).
	Name() string
	// Budget returns the device memory, in bytes, that one launch may use.
	Budget() (int64, error)
	// Launch fills pk.Out; LaunchJobs fills pj.OutC; LaunchModel compiles
	// pm.Source (once per source; NVRTC on a GPU) and fills pm.Out with its
	// kernel.
	Launch(pk *Packed) error
	LaunchJobs(pj *PackedJobs) error
	LaunchModel(pm *PackedModel) error
}

// pinner is a Device that can page-lock the worker's mapping of the shared
// output (device.Device: cuMemHostRegister), for faster copies from the
// device; Unpin comes before the mapping is released.
type pinner interface {
	Pin([]byte) error
	Unpin([]byte) error
}

// Serve is the worker's side of the protocol (protocol.go): it says hello for
// d and answers requests from r on w until r ends (nil) or the stream breaks.
// An error of d's is sent back for that request; the worker goes on.
func Serve(r io.Reader, w io.Writer, d Device) error {
	c := newWire(r, w)
	c.dev = d
	if _, err := fmt.Fprintf(c.w, "%sok %s\n", helloPrefix, oneLine(d.Name())); err != nil {
		return err
	}
	if err := c.flush(); err != nil {
		return err
	}
	for {
		op, err := c.r.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch op {
		case opBudget:
			b, err := d.Budget()
			c.putStatus(err)
			if err == nil {
				c.put(b)
			}
		case opBatch:
			pk := c.getPacked()
			err = c.launched(pk.N*pk.NT, &pk.Out, func() error { return d.Launch(pk) })
		case opJobs:
			pj := c.getJobs()
			err = c.launched(len(pj.OutT), &pj.OutC, func() error { return d.LaunchJobs(pj) })
		case opModel:
			pm := c.getModel()
			err = c.launched(pm.OutLen(), &pm.Out, func() error { return d.LaunchModel(pm) })
		default:
			return fmt.Errorf("cuda worker protocol: unknown request %q", op)
		}
		if err != nil {
			return err
		}
		if err := c.flush(); err != nil {
			return err
		}
	}
}

// launched reads where a request's n results go, runs launch with *out
// either in memory (sent in the reply) or mapped on the shared file at fd 3,
// and writes the reply. The error is the stream's (the device's goes in the
// reply).
func (c *wire) launched(n int, out *[]float64, launch func() error) error {
	var shared bool
	c.get(&shared)
	if c.err != nil {
		return c.err
	}
	var err error
	if shared {
		if len(c.shm) < n*8 {
			pin, _ := c.dev.(pinner)
			if c.shm != nil {
				if pin != nil {
					pin.Unpin(c.shm)
				}
				unmap(c.shm)
				c.shm = nil
			}
			if c.shm, err = mapShared(sharedFile(), n*8); err == nil && pin != nil {
				if e := pin.Pin(c.shm); e != nil {
					fmt.Fprintf(os.Stderr, "medtwin-cuda-worker: %v; results are copied through pageable memory\n", e)
				}
			}
		}
		if err == nil && n > 0 {
			*out = unsafe.Slice((*float64)(unsafe.Pointer(&c.shm[0])), n)
		}
	} else {
		*out = make([]float64, n)
	}
	if err == nil {
		err = launch()
	}
	c.putStatus(err)
	if err == nil && !shared {
		c.f64s(*out)
	}
	return nil
}

// sharedFile is the output file the client passed as fd 3.
var sharedFile = sync.OnceValue(func() *os.File { return os.NewFile(3, "medtwin-cuda-shared-output") })

// Refuse is the worker's hello when it has no device: it says why, and the
// worker then exits.
func Refuse(w io.Writer, why error) error {
	_, err := fmt.Fprintf(w, "%serror %s\n", helloPrefix, oneLine(why.Error()))
	return err
}

// oneLine keeps a message on the hello line.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
