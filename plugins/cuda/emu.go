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

// emulateJobs runs mt_job on the CPU over packed jobs.
func emulateJobs(pj *packedJobs) error {
	if pj.N == 0 || len(pj.OutT) == 0 {
		return nil
	}
	f := func(v []float64) *C.double {
		if len(v) == 0 {
			return nil
		}
		return (*C.double)(&v[0])
	}
	i := func(v []int32) *C.int {
		if len(v) == 0 {
			return nil
		}
		return (*C.int)(&v[0])
	}
	C.emu_job(C.int(pj.N), f(pj.P), i(pj.InOff), f(pj.InT), i(pj.InState), f(pj.InAmt), f(pj.InRate), i(pj.OutOff), f(pj.OutT), f(pj.OutC), C.double(pj.HMax))
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

// SimulateJobs runs trial jobs through the job kernel's code on the CPU.
func (e Emulator) SimulateJobs(jobs []cohort.Job) error {
	budget, maxN := e.Budget, e.MaxSubjects
	if budget <= 0 {
		budget = 64 << 20
	}
	if maxN <= 0 {
		maxN = 1 << 20
	}
	return runJobsChunked(jobs, budget, maxN, emulateJobs)
}
