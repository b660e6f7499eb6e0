/*
 * kernels.h: the per-subject work of plugins/cuda in portable C. kernels.cu
 * compiles it as CUDA device code (one thread per subject); emu.go compiles the
 * same text with the host C compiler so that the CPU tests exercise the very
 * arithmetic the GPU runs.
 *
 * Layout (structure of arrays, coalesced on the device): parameter q of
 * subject i at p[q*n + i]. The batch kernels (mt_exact, mt_mm) write the
 * concentration at grid step h of subject i to out[i*nt + h] (subject-major,
 * cohort.Batch's own layout, so the host copies the result instead of
 * transposing it; on the device the L2 cache merges a thread's successive
 * writes into whole lines);
 * doses of dose_amt mg go into the depot at the grid steps
 * dose_step[0..ndose), before that step's output, as in physio/cohort (and
 * ../shared/bench/cohort/cohort_floor.c). The job kernel (mt_job) takes each
 * subject's own inputs and output times in compressed rows (CSR).
 *
 * Matrices are row-major with row stride MT_S: up to 4 states (depot and 3
 * disposition compartments) plus the constant input of the augmented system
 * d/dt [y; 1] = [[K, r], [0, 0]]·[y; 1] that carries infusions.
 */
#ifndef MEDTWIN_KERNELS_H
#define MEDTWIN_KERNELS_H

#ifdef __CUDACC__
#define MT_FN __device__ static inline
#else
#include <math.h>
#define MT_FN static inline
#endif

#define MT_S 5

/* parameter rows of p */
enum { MT_KA, MT_CL, MT_V1, MT_Q2, MT_V2, MT_Q3, MT_V3, MT_VMAX, MT_KM, MT_NCMT, MT_DEPOT, MT_NPARAM };

/* c = a·b for the leading n×n blocks */
MT_FN void mt_mul(const double *a, const double *b, int n, double *c) {
	for (int r = 0; r < n; r++)
		for (int col = 0; col < n; col++) {
			double s = 0;
			for (int m = 0; m < n; m++) s += a[r * MT_S + m] * b[m * MT_S + col];
			c[r * MT_S + col] = s;
		}
}

/* e = exp(k·dt): 16-term Taylor series of k·dt/2^s, squared s times, s such
 * that the scaled 1-norm is below 1/2 (Moler & Van Loan 2003, method 3; the
 * algorithm of physio/cohort's CPU backend). */
MT_FN void mt_expm(const double *k, double dt, int n, double *e) {
	double norm = 0;
	for (int c = 0; c < n; c++) {
		double s = 0;
		for (int r = 0; r < n; r++) s += fabs(k[r * MT_S + c]);
		if (s > norm) norm = s;
	}
	norm *= dt;
	int sq = 0;
	while (norm > 0.5) { norm /= 2; sq++; }
	double h = dt / (double)(1 << sq);
	double a[MT_S * MT_S], term[MT_S * MT_S], t2[MT_S * MT_S];
	for (int j = 0; j < MT_S * MT_S; j++) { a[j] = 0; term[j] = 0; e[j] = 0; }
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n; c++) a[r * MT_S + c] = k[r * MT_S + c] * h;
	for (int r = 0; r < n; r++) { e[r * MT_S + r] = 1; term[r * MT_S + r] = 1; }
	for (int m = 1; m <= 16; m++) {
		mt_mul(term, a, n, t2);
		for (int r = 0; r < n; r++)
			for (int c = 0; c < n; c++) {
				term[r * MT_S + c] = t2[r * MT_S + c] / (double)m;
				e[r * MT_S + c] += term[r * MT_S + c];
			}
	}
	for (int s = 0; s < sq; s++) {
		mt_mul(e, e, n, t2);
		for (int j = 0; j < MT_S * MT_S; j++) e[j] = t2[j];
	}
}

/* k = the rate matrix of subject i: with a depot (state 0) in front of the
 * central compartment (state depot), then peripherals as ncmt asks. */
MT_FN void mt_rates(const double *p, int n, int i, int ncmt, int depot, double *k) {
	for (int j = 0; j < MT_S * MT_S; j++) k[j] = 0;
	int c = depot;
	double v1 = p[MT_V1 * n + i];
	if (depot) {
		double ka = p[MT_KA * n + i];
		k[0] = -ka;
		k[c * MT_S] = ka;
	}
	k[c * MT_S + c] = -p[MT_CL * n + i] / v1;
	if (ncmt >= 2) {
		double k12 = p[MT_Q2 * n + i] / v1, k21 = p[MT_Q2 * n + i] / p[MT_V2 * n + i];
		k[c * MT_S + c] -= k12; k[c * MT_S + c + 1] = k21;
		k[(c + 1) * MT_S + c] = k12; k[(c + 1) * MT_S + c + 1] = -k21;
	}
	if (ncmt == 3) {
		double k13 = p[MT_Q3 * n + i] / v1, k31 = p[MT_Q3 * n + i] / p[MT_V3 * n + i];
		k[c * MT_S + c] -= k13; k[c * MT_S + c + 2] = k31;
		k[(c + 2) * MT_S + c] = k13; k[(c + 2) * MT_S + c + 2] = -k31;
	}
}

/* mt_exact: subject i of a linear oral batch on the exact transition-matrix path. */
MT_FN void mt_exact(int i, int n, const double *p, int ncmt, int nt, double dt,
                    const int *dose_step, int ndose, double dose_amt, double *out) {
	int ns = ncmt + 1;
	double k[MT_S * MT_S], e[MT_S * MT_S], y[4] = {0, 0, 0, 0}, z[4];
	mt_rates(p, n, i, ncmt, 1, k);
	mt_expm(k, dt, ns, e);
	double v1 = p[MT_V1 * n + i];
	int d = 0;
	for (int h = 0; h < nt; h++) {
		while (d < ndose && dose_step[d] <= h) { y[0] += dose_amt; d++; }
		out[(long)i * nt + h] = y[1] / v1;
		for (int r = 0; r < ns; r++) {
			double s = 0;
			for (int c = 0; c < ns; c++) s += e[r * MT_S + c] * y[c];
			z[r] = s;
		}
		for (int r = 0; r < ns; r++) y[r] = z[r];
	}
}

/* dy = K·y + r minus Michaelis–Menten elimination vmax·C/(km + C) from the
 * central compartment c (C = y_c/v1; none at C <= 0; vmax = 0: linear). */
MT_FN void mt_deriv(const double *k, int ns, int c, double vmax, double km, double v1,
                    const double *rin, const double *y, double *dy) {
	for (int r = 0; r < ns; r++) {
		double s = rin[r];
		for (int col = 0; col < ns; col++) s += k[r * MT_S + col] * y[col];
		dy[r] = s;
	}
	double conc = y[c] / v1;
	if (vmax > 0 && conc > 0) dy[c] -= vmax * conc / (km + conc);
}

/* y advances by nsub classical RK4 steps of h under inputs rin. */
MT_FN void mt_rk4(const double *k, int ns, int c, double vmax, double km, double v1,
                  const double *rin, double *y, double h, int nsub) {
	double k1[4], k2[4], k3[4], k4[4], t[4];
	for (int s = 0; s < nsub; s++) {
		mt_deriv(k, ns, c, vmax, km, v1, rin, y, k1);
		for (int r = 0; r < ns; r++) t[r] = y[r] + 0.5 * h * k1[r];
		mt_deriv(k, ns, c, vmax, km, v1, rin, t, k2);
		for (int r = 0; r < ns; r++) t[r] = y[r] + 0.5 * h * k2[r];
		mt_deriv(k, ns, c, vmax, km, v1, rin, t, k3);
		for (int r = 0; r < ns; r++) t[r] = y[r] + h * k3[r];
		mt_deriv(k, ns, c, vmax, km, v1, rin, t, k4);
		for (int r = 0; r < ns; r++) y[r] += h / 6 * (k1[r] + 2 * k2[r] + 2 * k3[r] + k4[r]);
	}
}

/* mt_mm: subject i of an oral batch with Michaelis–Menten elimination by
 * fixed-step RK4, sub steps per grid step (error O((dt/sub)^4)). */
MT_FN void mt_mm(int i, int n, const double *p, int ncmt, int nt, double dt, int sub,
                 const int *dose_step, int ndose, double dose_amt, double *out) {
	int ns = ncmt + 1;
	double k[MT_S * MT_S], y[4] = {0, 0, 0, 0}, rin[4] = {0, 0, 0, 0};
	mt_rates(p, n, i, ncmt, 1, k);
	double v1 = p[MT_V1 * n + i], vmax = p[MT_VMAX * n + i], km = p[MT_KM * n + i];
	int d = 0;
	for (int g = 0; g < nt; g++) {
		while (d < ndose && dose_step[d] <= g) { y[0] += dose_amt; d++; }
		out[(long)i * nt + g] = y[1] / v1;
		if (g < nt - 1) mt_rk4(k, ns, 1, vmax, km, v1, rin, y, dt / sub, sub);
	}
}

/* mt_job: subject i with its own inputs (in_*[in_off[i] .. in_off[i+1]),
 * ordered: at time in_t, a bolus in_amt into state in_state or a change
 * in_rate of its infusion rate) and output times (out_t[out_off[i] ..
 * out_off[i+1]), ascending), writing the central concentration to out_c. It
 * walks inputs and outputs in time order from min(0, first input, first
 * output): propagate, apply the inputs at that time, then emit its outputs
 * (pk.Model.Simulate's order). Linear models propagate exactly (the augmented
 * exponential, cached while the step and the rates stay the same); with vmax
 * > 0 by RK4 in steps of at most hmax. */
MT_FN void mt_job(int i, int n, const double *p, const int *in_off, const double *in_t, const int *in_state,
                  const double *in_amt, const double *in_rate, const int *out_off, const double *out_t,
                  double *out_c, double hmax) {
	int ncmt = (int)p[MT_NCMT * n + i], depot = (int)p[MT_DEPOT * n + i];
	int ns = ncmt + depot, c = depot, na = ns + 1;
	double k[MT_S * MT_S], a[MT_S * MT_S], e[MT_S * MT_S];
	mt_rates(p, n, i, ncmt, depot, k);
	double v1 = p[MT_V1 * n + i], vmax = p[MT_VMAX * n + i], km = p[MT_KM * n + i];
	double y[4] = {0, 0, 0, 0}, rin[4] = {0, 0, 0, 0}, z[4];
	int ei = in_off[i], e1 = in_off[i + 1], oi = out_off[i], o1 = out_off[i + 1];
	double t = 0;
	if (ei < e1 && in_t[ei] < t) t = in_t[ei];
	if (oi < o1 && out_t[oi] < t) t = out_t[oi];
	double cdt = -1;     /* the step e was computed for (-1: none) */
	int cfresh = 0;      /* e matches the current rates */
	while (oi < o1) {
		double tn = out_t[oi];
		if (ei < e1 && in_t[ei] < tn) tn = in_t[ei];
		if (tn > t) {
			double dt = tn - t;
			if (vmax > 0) {
				int nsub = (int)ceil(dt / hmax);
				if (nsub < 1) nsub = 1;
				mt_rk4(k, ns, c, vmax, km, v1, rin, y, dt / nsub, nsub);
			} else {
				if (!(cfresh && dt == cdt)) {
					for (int j = 0; j < MT_S * MT_S; j++) a[j] = 0;
					for (int r = 0; r < ns; r++) {
						for (int col = 0; col < ns; col++) a[r * MT_S + col] = k[r * MT_S + col];
						a[r * MT_S + ns] = rin[r];
					}
					mt_expm(a, dt, na, e);
					cdt = dt;
					cfresh = 1;
				}
				for (int r = 0; r < ns; r++) {
					double s = e[r * MT_S + ns];
					for (int col = 0; col < ns; col++) s += e[r * MT_S + col] * y[col];
					z[r] = s;
				}
				for (int r = 0; r < ns; r++) y[r] = z[r];
			}
			t = tn;
		}
		while (ei < e1 && in_t[ei] <= t) {
			int st = in_state[ei];
			y[st] += in_amt[ei];
			if (in_rate[ei] != 0) {
				rin[st] += in_rate[ei];
				if (fabs(rin[st]) < 1e-12 * fabs(in_rate[ei])) rin[st] = 0; /* starts and ends cancel to rounding */
				cfresh = 0;
			}
			ei++;
		}
		while (oi < o1 && out_t[oi] <= t) {
			out_c[oi] = y[c] / v1;
			oi++;
		}
	}
}

#endif
