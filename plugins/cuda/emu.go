//go:build cgo

package cuda

// #cgo CFLAGS: -O2 -std=c99
// #cgo LDFLAGS: -lm
// #include "kernels.h"
//
// static void emu_exact(int n, const double *p, int ncmt, int nt, double dt,
//                       const int *dose_step, int ndose, double dose_amt, double *out) {
// 	for (int i = 0; i < n; i++) mt_exact(i, n, p, ncmt, nt, dt, dose_step, ndose, dose_amt, out);
// }
// static void emu_mm(int n, const double *p, int ncmt, int nt, double dt, int sub,
//                    const int *dose_step, int ndose, double dose_amt, double *out) {
// 	for (int i = 0; i < n; i++) mt_mm(i, n, p, ncmt, nt, dt, sub, dose_step, ndose, dose_amt, out);
// }
import "C"

import (
	"github.com/medtwin/medtwin/physio/cohort"
)

// emulate runs the kernels of kernels.h on the CPU, one loop iteration per
// device thread, over a packed batch.
func emulate(pk *packed) error {
	var ds *C.int
	if len(pk.DoseStep) > 0 {
		ds = (*C.int)(&pk.DoseStep[0])
	}
	p, out := (*C.double)(&pk.P[0]), (*C.double)(&pk.Out[0])
	if pk.Nonlinear {
		C.emu_mm(C.int(pk.N), p, C.int(pk.NCmt), C.int(pk.NT), C.double(pk.DT), C.int(pk.Sub), ds, C.int(len(pk.DoseStep)), C.double(pk.DoseAmt), out)
	} else {
		C.emu_exact(C.int(pk.N), p, C.int(pk.NCmt), C.int(pk.NT), C.double(pk.DT), ds, C.int(len(pk.DoseStep)), C.double(pk.DoseAmt), out)
	}
	return nil
}

// Emulator is a cohort.Backend that runs the device kernels on the CPU with
// the device's batching (for tests, and to check a cohort before a GPU run).
type Emulator struct {
	// Budget is the memory per chunk in bytes, MaxSubjects the subjects per
	// chunk (0: 64 MiB and 1 << 20).
	Budget      int64
	MaxSubjects int
}

// Name returns "cuda-emulator".
func (Emulator) Name() string { return "cuda-emulator" }

// Simulate fills b.Conc through the kernels' code, chunk by chunk.
func (e Emulator) Simulate(b *cohort.Batch) error {
	if err := b.Check(); err != nil {
		return err
	}
	budget, maxN := e.Budget, e.MaxSubjects
	if budget <= 0 {
		budget = 64 << 20
	}
	if maxN <= 0 {
		maxN = 1 << 20
	}
	return runChunked(b, budget, maxN, emulate)
}
