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
