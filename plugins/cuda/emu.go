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
// static void emu_job(int n, const double *p, const int *in_off, const double *in_t, const int *in_state,
//                     const double *in_amt, const double *in_rate, const int *out_off, const double *out_t,
//                     double *out_c, double hmax) {
// 	for (int i = 0; i < n; i++) mt_job(i, n, p, in_off, in_t, in_state, in_amt, in_rate, out_off, out_t, out_c, hmax);
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
func emulate(pk *Packed) error {
	if len(pk.Out) != pk.outLen() {
		pk.Out = make([]float64, pk.outLen())
	}
	ds, p, out := cInts(pk.DoseStep), cDoubles(pk.P), cDoubles(pk.Out)
	if pk.Nonlinear {
		C.emu_mm(C.int(pk.N), p, C.int(pk.NCmt), C.int(pk.NT), C.double(pk.DT), C.int(pk.Sub), ds, C.int(len(pk.DoseStep)), C.double(pk.DoseAmt), out)
	} else {
		C.emu_exact(C.int(pk.N), p, C.int(pk.NCmt), C.int(pk.NT), C.double(pk.DT), ds, C.int(len(pk.DoseStep)), C.double(pk.DoseAmt), out)
	}
	return nil
}

// cDoubles and cInts pass a slice's elements to C (nil when empty).
func cDoubles(v []float64) *C.double { p, _ := f64s(v); return (*C.double)(p) }
func cInts(v []int32) *C.int         { p, _ := i32s(v); return (*C.int)(p) }

// emulateJobs runs mt_job on the CPU over packed jobs.
func emulateJobs(pj *PackedJobs) error {
	if len(pj.OutC) != len(pj.OutT) {
		pj.OutC = make([]float64, len(pj.OutT))
	}
	if pj.N == 0 || len(pj.OutT) == 0 {
		return nil
	}
	C.emu_job(C.int(pj.N), cDoubles(pj.P), cInts(pj.InOff), cDoubles(pj.InT), cInts(pj.InState), cDoubles(pj.InAmt), cDoubles(pj.InRate),
		cInts(pj.OutOff), cDoubles(pj.OutT), cDoubles(pj.OutC), C.double(pj.HMax))
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
	budget, maxN := e.limits()
	return runChunked(b, budget, maxN, emulate)
}

// SimulateJobs runs trial jobs through the job kernel's code on the CPU.
func (e Emulator) SimulateJobs(jobs []cohort.Job) error {
	budget, maxN := e.limits()
	return runJobsChunked(jobs, budget, maxN, emulateJobs)
}

// limits returns the chunk budget and subject cap, with their defaults
// (64 MiB, 2^20 subjects).
func (e Emulator) limits() (budget int64, maxN int) {
	budget, maxN = e.Budget, e.MaxSubjects
	if budget <= 0 {
		budget = 64 << 20
	}
	if maxN <= 0 {
		maxN = 1 << 20
	}
	return budget, maxN
}
