//go:build cuda

package device

/*
#cgo LDFLAGS: -lcuda
#include <cuda.h>
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

// Pin page-locks host memory that launches copy their results into (the
// worker's mapping of the shared output file, kept across launches), so
// that device-to-host copies run at the bus's speed instead of through the
// driver's pageable staging buffers. MEDTWIN_CUDA_PIN=0 turns it off (to
// measure the difference). It implements the worker's optional pinning
// (plugins/cuda, serve.go).
func (d *Device) Pin(b []byte) error {
	if len(b) == 0 || os.Getenv("MEDTWIN_CUDA_PIN") == "0" {
		return nil
	}
	return d.on(func() error {
		if r := C.cuMemHostRegister(unsafe.Pointer(&b[0]), C.size_t(len(b)), C.CU_MEMHOSTREGISTER_PORTABLE); r != C.CUDA_SUCCESS {
			return fmt.Errorf("cuMemHostRegister of %d bytes: CUDA error %d", len(b), int(r))
		}
		d.pinned = append(d.pinned, uintptr(unsafe.Pointer(&b[0])))
		return nil
	})
}

// Unpin releases what Pin locked (before the memory is unmapped); memory
// Pin did not lock is left alone.
func (d *Device) Unpin(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return d.on(func() error {
		p := uintptr(unsafe.Pointer(&b[0]))
		for k, q := range d.pinned {
			if q == p {
				d.pinned = append(d.pinned[:k], d.pinned[k+1:]...)
				if r := C.cuMemHostUnregister(unsafe.Pointer(&b[0])); r != C.CUDA_SUCCESS {
					return fmt.Errorf("cuMemHostUnregister: CUDA error %d", int(r))
				}
			}
		}
		return nil
	})
}
