/*
 * kernels.h: the per-subject work of plugins/cuda in portable C. kernels.cu
 * compiles it as CUDA device code (one thread per subject); emu.go compiles the
 * same text with the host C compiler so that the CPU tests exercise the very
 * arithmetic the GPU runs.
 *
 * Layout (structure of arrays, coalesced on the device): parameter q of
 * subject i at p[q*n + i]; concentration at grid step h of subject i at
 * out[h*n + i] (time-major). Doses of dose_amt mg go into the depot at the
 * grid steps dose_step[0..ndose), before that step's output, as in
 * physio/cohort (and ../shared/bench/cohort/cohort_floor.c).
 */
#ifndef MEDTWIN_KERNELS_H
#define MEDTWIN_KERNELS_H

#ifdef __CUDACC__
#define MT_FN __device__ static inline
#else
#include <math.h>
#define MT_FN static inline
#endif

/* parameter rows of p */
enum { MT_KA, MT_CL, MT_V1, MT_Q2, MT_V2, MT_Q3, MT_V3, MT_VMAX, MT_KM, MT_NPARAM };

/* c = a·b for the leading n×n blocks (row stride 4) */
MT_FN void mt_mul(const double *a, const double *b, int n, double *c) {
	for (int r = 0; r < n; r++)
		for (int col = 0; col < n; col++) {
			double s = 0;
			for (int m = 0; m < n; m++) s += a[r * 4 + m] * b[m * 4 + col];
			c[r * 4 + col] = s;
		}
}

/* e = exp(k·dt): 16-term Taylor series of k·dt/2^s, squared s times, s such
 * that the scaled 1-norm is below 1/2 (Moler & Van Loan 2003, method 3; the
 * algorithm of physio/cohort's CPU backend). */
MT_FN void mt_expm(const double *k, double dt, int n, double *e) {
	double norm = 0;
	for (int c = 0; c < n; c++) {
		double s = 0;
		for (int r = 0; r < n; r++) s += fabs(k[r * 4 + c]);
		if (s > norm) norm = s;
	}
	norm *= dt;
	int sq = 0;
	while (norm > 0.5) { norm /= 2; sq++; }
	double h = dt / (double)(1 << sq);
	double a[16], term[16], t2[16];
	for (int j = 0; j < 16; j++) { a[j] = 0; term[j] = 0; e[j] = 0; }
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n; c++) a[r * 4 + c] = k[r * 4 + c] * h;
	for (int r = 0; r < n; r++) { e[r * 4 + r] = 1; term[r * 4 + r] = 1; }
	for (int m = 1; m <= 16; m++) {
		mt_mul(term, a, n, t2);
		for (int r = 0; r < n; r++)
			for (int c = 0; c < n; c++) {
				term[r * 4 + c] = t2[r * 4 + c] / (double)m;
				e[r * 4 + c] += term[r * 4 + c];
			}
	}
	for (int s = 0; s < sq; s++) {
		mt_mul(e, e, n, t2);
		for (int j = 0; j < 16; j++) e[j] = t2[j];
	}
}

/* k = the rate matrix of subject i: depot (state 0) into the central
 * compartment (1), peripherals 2 and 3 as ncmt asks; row stride 4. */
MT_FN void mt_rates(const double *p, int n, int i, int ncmt, double *k) {
	for (int j = 0; j < 16; j++) k[j] = 0;
	double ka = p[MT_KA * n + i], v1 = p[MT_V1 * n + i];
	k[0] = -ka;
	k[4] = ka;
	k[5] = -p[MT_CL * n + i] / v1;
	if (ncmt >= 2) {
		double k12 = p[MT_Q2 * n + i] / v1, k21 = p[MT_Q2 * n + i] / p[MT_V2 * n + i];
		k[5] -= k12; k[6] = k21; k[9] = k12; k[10] = -k21;
	}
	if (ncmt == 3) {
		double k13 = p[MT_Q3 * n + i] / v1, k31 = p[MT_Q3 * n + i] / p[MT_V3 * n + i];
		k[5] -= k13; k[7] = k31; k[13] = k13; k[15] = -k31;
	}
}

/* mt_exact: subject i of a linear model on the exact transition-matrix path. */
MT_FN void mt_exact(int i, int n, const double *p, int ncmt, int nt, double dt,
                    const int *dose_step, int ndose, double dose_amt, double *out) {
	int ns = ncmt + 1;
	double k[16], e[16], y[4] = {0, 0, 0, 0}, z[4];
	mt_rates(p, n, i, ncmt, k);
	mt_expm(k, dt, ns, e);
	double v1 = p[MT_V1 * n + i];
	int d = 0;
	for (int h = 0; h < nt; h++) {
		while (d < ndose && dose_step[d] <= h) { y[0] += dose_amt; d++; }
		out[(long)h * n + i] = y[1] / v1;
		for (int r = 0; r < ns; r++) {
			double s = 0;
			for (int c = 0; c < ns; c++) s += e[r * 4 + c] * y[c];
			z[r] = s;
		}
		for (int r = 0; r < ns; r++) y[r] = z[r];
	}
}

/* dy = K·y minus Michaelis–Menten elimination vmax·C/(km + C) from the
 * central compartment (C = y1/v1; none at C <= 0). */
MT_FN void mt_deriv(const double *k, int ns, double vmax, double km, double v1, const double *y, double *dy) {
	for (int r = 0; r < ns; r++) {
		double s = 0;
		for (int c = 0; c < ns; c++) s += k[r * 4 + c] * y[c];
		dy[r] = s;
	}
	double c = y[1] / v1;
	if (c > 0) dy[1] -= vmax * c / (km + c);
}

/* mt_mm: subject i of a model with Michaelis–Menten elimination by the
 * classical fixed-step RK4, sub steps per grid step (error O((dt/sub)^4)). */
MT_FN void mt_mm(int i, int n, const double *p, int ncmt, int nt, double dt, int sub,
                 const int *dose_step, int ndose, double dose_amt, double *out) {
	int ns = ncmt + 1;
	double k[16], y[4] = {0, 0, 0, 0}, k1[4], k2[4], k3[4], k4[4], t[4];
	mt_rates(p, n, i, ncmt, k);
	double v1 = p[MT_V1 * n + i], vmax = p[MT_VMAX * n + i], km = p[MT_KM * n + i];
	double h = dt / sub;
	int d = 0;
	for (int g = 0; g < nt; g++) {
		while (d < ndose && dose_step[d] <= g) { y[0] += dose_amt; d++; }
		out[(long)g * n + i] = y[1] / v1;
		if (g == nt - 1) break;
		for (int s = 0; s < sub; s++) {
			mt_deriv(k, ns, vmax, km, v1, y, k1);
			for (int r = 0; r < ns; r++) t[r] = y[r] + 0.5 * h * k1[r];
			mt_deriv(k, ns, vmax, km, v1, t, k2);
			for (int r = 0; r < ns; r++) t[r] = y[r] + 0.5 * h * k2[r];
			mt_deriv(k, ns, vmax, km, v1, t, k3);
			for (int r = 0; r < ns; r++) t[r] = y[r] + h * k3[r];
			mt_deriv(k, ns, vmax, km, v1, t, k4);
			for (int r = 0; r < ns; r++) y[r] += h / 6 * (k1[r] + 2 * k2[r] + 2 * k3[r] + k4[r]);
		}
	}
}

#endif
