package modlang

import (
	"fmt"
	"strings"
)

// CUDASource generates a CUDA kernel for the model from the same graph as
// CSource: one thread per subject, each integrating its subject with an
// adaptive Dormand–Prince 5(4) method (Dormand & Prince 1980, J Comput Appl
// Math 6:19–26; the coefficients of Hairer, Nørsett & Wanner, Solving ODEs I,
// table II.5.2) through its dosing events, stepping onto every event and
// output time (no dense output). NVRTC compiles it at run time (the worker,
// plugins/cuda/device); the same text compiles as C99 with a host compiler,
// where the kernel is a plain function taking the subject index as its last
// argument, so its parity is tested on the CPU:
//
//	MEDTWIN_GLOBAL void P_kernel(int n, const double *params, const double *y0,
//	    const int *evoff, const double *evt, const int *evkind, const int *evidx, const double *evval,
//	    int nt, const double *times, double rtol, double atol, int maxsteps, double *out);
//
// params holds P_NPARAMS values per subject, y0 P_NSTATES; subject i's
// events (KernelEvents) are evoff[i] ≤ e < evoff[i+1]; out receives
// P_NOUTPUTS values per output time, subject-major
// (out[(i*nt+k)*P_NOUTPUTS+j]), NaN from the first step that fails
// (more than maxsteps steps, or a step size that underflows).
func (m *Model) CUDASource(prefix string) string {
	var b strings.Builder
	b.WriteString(`#if defined(__CUDACC__)
#define MEDTWIN_FN __device__
#define MEDTWIN_GLOBAL extern "C" __global__
#define MEDTWIN_INDEX ((int)(blockIdx.x * blockDim.x + threadIdx.x))
#define MEDTWIN_HOST_ARG
#define MEDTWIN_NAN __longlong_as_double(0x7ff8000000000000ULL)
#else
#define MEDTWIN_FN
#define MEDTWIN_GLOBAL
#define MEDTWIN_INDEX medtwin_index
#define MEDTWIN_HOST_ARG , int medtwin_index
#define MEDTWIN_NAN NAN
#endif
#if defined(__CUDACC_RTC__)
#define NAN MEDTWIN_NAN
#define HUGE_VAL __longlong_as_double(0x7ff0000000000000ULL)
#endif
`)
	b.WriteString(m.CSource(prefix))
	b.WriteString(strings.ReplaceAll(cudaKernel, "PFX", prefix))
	return b.String()
}

// cudaKernel is the per-subject integrator (PFX: the prefix).
const cudaKernel = `
/* one Dormand–Prince 5(4) attempt from (t, y) with step h: ynew and the
   scaled RMS error estimate */
MEDTWIN_FN static inline double PFX_dp5(double t, double h, const double *y, const double *p, const double *s,
    const double *rate, double rtol, double atol, double *ynew) {
  double k1[PFX_NSTATES], k2[PFX_NSTATES], k3[PFX_NSTATES], k4[PFX_NSTATES], k5[PFX_NSTATES], k6[PFX_NSTATES], k7[PFX_NSTATES], z[PFX_NSTATES];
  int i;
  PFX_rhs(t, y, p, s, rate, k1);
  for (i = 0; i < PFX_NSTATES; i++) z[i] = y[i] + h*(1.0/5.0)*k1[i];
  PFX_rhs(t + h*(1.0/5.0), z, p, s, rate, k2);
  for (i = 0; i < PFX_NSTATES; i++) z[i] = y[i] + h*((3.0/40.0)*k1[i] + (9.0/40.0)*k2[i]);
  PFX_rhs(t + h*(3.0/10.0), z, p, s, rate, k3);
  for (i = 0; i < PFX_NSTATES; i++) z[i] = y[i] + h*((44.0/45.0)*k1[i] - (56.0/15.0)*k2[i] + (32.0/9.0)*k3[i]);
  PFX_rhs(t + h*(4.0/5.0), z, p, s, rate, k4);
  for (i = 0; i < PFX_NSTATES; i++) z[i] = y[i] + h*((19372.0/6561.0)*k1[i] - (25360.0/2187.0)*k2[i] + (64448.0/6561.0)*k3[i] - (212.0/729.0)*k4[i]);
  PFX_rhs(t + h*(8.0/9.0), z, p, s, rate, k5);
  for (i = 0; i < PFX_NSTATES; i++) z[i] = y[i] + h*((9017.0/3168.0)*k1[i] - (355.0/33.0)*k2[i] + (46732.0/5247.0)*k3[i] + (49.0/176.0)*k4[i] - (5103.0/18656.0)*k5[i]);
  PFX_rhs(t + h, z, p, s, rate, k6);
  for (i = 0; i < PFX_NSTATES; i++) ynew[i] = y[i] + h*((35.0/384.0)*k1[i] + (500.0/1113.0)*k3[i] + (125.0/192.0)*k4[i] - (2187.0/6784.0)*k5[i] + (11.0/84.0)*k6[i]);
  PFX_rhs(t + h, ynew, p, s, rate, k7);
  double err = 0.0;
  for (i = 0; i < PFX_NSTATES; i++) {
    double e = h*((71.0/57600.0)*k1[i] - (71.0/16695.0)*k3[i] + (71.0/1920.0)*k4[i] - (17253.0/339200.0)*k5[i] + (22.0/525.0)*k6[i] - (1.0/40.0)*k7[i]);
    double sc = atol + rtol*fmax(fabs(y[i]), fabs(ynew[i]));
    err += (e/sc)*(e/sc);
  }
  return sqrt(err/PFX_NSTATES);
}

/* advances (t, y) to t1 with the step size *h carried between calls;
   returns 0 when the integration fails */
MEDTWIN_FN static inline int PFX_advance(double *t, double t1, double *y, double *h, const double *p, const double *s,
    const double *rate, double rtol, double atol, int maxsteps, int *steps) {
  double ynew[PFX_NSTATES];
  int i;
  while (*t < t1) {
    double step = fmin(*h, t1 - *t);
    int last = step == t1 - *t;
    if (!(step > 1e-15*fmax(1.0, fabs(*t))) || ++*steps > maxsteps) return 0;
    double err = PFX_dp5(*t, step, y, p, s, rate, rtol, atol, ynew);
    if (!(err == err)) { *h = step/10.0; continue; }
    if (err <= 1.0) {
      *t = last ? t1 : *t + step;
      for (i = 0; i < PFX_NSTATES; i++) y[i] = ynew[i];
      *h = step*fmin(5.0, fmax(0.2, 0.9*pow(fmax(err, 1e-10), -0.2)));
    } else {
      *h = step*fmax(0.2, 0.9*pow(err, -0.2));
    }
  }
  return 1;
}

MEDTWIN_GLOBAL void PFX_kernel(int n, const double *params, const double *y0,
    const int *evoff, const double *evt, const int *evkind, const int *evidx, const double *evval,
    int nt, const double *times, double rtol, double atol, int maxsteps, double *out MEDTWIN_HOST_ARG) {
  int i = MEDTWIN_INDEX, j, k, e, steps = 0, ok = 1;
  if (i >= n) return;
  const double *p = params + (long)i*PFX_NPARAMS;
  double s[PFX_NSTATIC], y[PFX_NSTATES], rate[PFX_NSTATES], o[PFX_NOUTPUTS + 1];
  PFX_static(p, s);
  for (j = 0; j < PFX_NSTATES; j++) { y[j] = y0[(long)i*PFX_NSTATES + j]; rate[j] = 0.0; }
  e = evoff[i];
  int eend = evoff[i + 1];
  double t = 0.0;
  if (e < eend && evt[e] < t) t = evt[e];
  if (nt > 0 && times[0] < t) t = times[0];
  double h0 = 1e-3*fmax(1.0, fabs(times[nt > 0 ? nt - 1 : 0] - t)), h = h0;
  for (k = 0; k < nt; k++) {
    while (ok && e < eend && evt[e] <= times[k]) {
      if (evt[e] > t) {
        ok = PFX_advance(&t, evt[e], y, &h, p, s, rate, rtol, atol, maxsteps, &steps);
        h = h0; /* a discontinuity: restart the step size */
      }
      int x = evidx[e];
      if (evkind[e] == 1) {
        rate[x] -= evval[e];
        if (fabs(rate[x]) < 1e-12*evval[e]) rate[x] = 0.0;
      } else if (evkind[e] == 2) {
        y[x] += evval[e];
      } else {
        rate[x] += evval[e];
      }
      e++;
    }
    if (ok && times[k] > t) ok = PFX_advance(&t, times[k], y, &h, p, s, rate, rtol, atol, maxsteps, &steps);
    if (ok) PFX_outputs(times[k], y, p, s, o);
    for (j = 0; j < PFX_NOUTPUTS; j++) out[((long)i*nt + k)*PFX_NOUTPUTS + j] = ok ? o[j] : MEDTWIN_NAN;
  }
}
`

// KernelEvents are one subject's dosing events in the kernel's layout
// (CUDASource), from the same expansion Simulate uses: ADDL repeated, F and
// ALAG applied, RATE −1/−2 resolved, ordered as Simulate applies them.
type KernelEvents struct {
	T    []float64
	Kind []int32 // 1 an infusion ends, 2 a bolus, 3 an infusion starts
	Idx  []int32 // the state
	Val  []float64
}

// KernelEvents expands the doses for the instance's parameters.
func (in *Instance) KernelEvents(doses []Dose) (KernelEvents, error) {
	evs, err := in.events(doses)
	if err != nil {
		return KernelEvents{}, err
	}
	var k KernelEvents
	for _, e := range evs {
		if e.kind == 0 {
			return KernelEvents{}, fmt.Errorf("model %s: %s: steady-state records (SS = %d) are not among the kernel's events: the CPU computes them", in.M.Spec.Name, doses[e.rec].name(e.rec), e.ss)
		}
		v := e.amt
		if e.kind != 2 {
			v = e.rate
		}
		k.T, k.Kind, k.Idx, k.Val = append(k.T, e.t), append(k.Kind, int32(e.kind)), append(k.Idx, int32(e.idx)), append(k.Val, v)
	}
	return k, nil
}

// KernelName is the kernel's symbol for a prefix (what the module exports).
func KernelName(prefix string) string { return fmt.Sprintf("%s_kernel", prefix) }
