// kernels.cu: the CUDA entry points of plugins/cuda, one thread per subject.
// The work is in kernels.h (shared with the CPU emulation). Compiled to
// kernels.ptx by `make ptx` (nvcc -ptx -arch=sm_90).
#include "kernels.h"

extern "C" __global__ void cohort_exact(int n, const double *p, int ncmt, int nt, double dt,
                                        const int *dose_step, int ndose, double dose_amt, double *out) {
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n) mt_exact(i, n, p, ncmt, nt, dt, dose_step, ndose, dose_amt, out);
}

extern "C" __global__ void cohort_mm(int n, const double *p, int ncmt, int nt, double dt, int sub,
                                     const int *dose_step, int ndose, double dose_amt, double *out) {
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n) mt_mm(i, n, p, ncmt, nt, dt, sub, dose_step, ndose, dose_amt, out);
}

extern "C" __global__ void cohort_job(int n, const double *p, const int *in_off, const double *in_t,
                                      const int *in_state, const double *in_amt, const double *in_rate,
                                      const int *out_off, const double *out_t, double *out_c, double hmax) {
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n) mt_job(i, n, p, in_off, in_t, in_state, in_amt, in_rate, out_off, out_t, out_c, hmax);
}
