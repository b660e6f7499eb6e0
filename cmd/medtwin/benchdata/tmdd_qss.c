/* Target-mediated drug disposition, quasi-steady-state approximation
   (Gibiansky L, Gibiansky E, Kakkar T, Ma P 2008, J Pharmacokinet Pharmacodyn
   35:573-591, eqs. 8-10), written by hand for deSolve's compiled-model
   interface: the reference for `medtwin bench tmdd`, independent of the model
   language's tmdd_qss.model. States: depot, total (nmol), rtot (nmol/L).
   Parameters: ka, cl, v1, ksyn, kdeg, kint, kss. */
#include <R.h>
#include <math.h>
static double parms[7];
#define ka   parms[0]
#define cl   parms[1]
#define v1   parms[2]
#define ksyn parms[3]
#define kdeg parms[4]
#define kint parms[5]
#define kss  parms[6]
void initmod(void (*odeparms)(int *, double *)) { int N = 7; odeparms(&N, parms); }
void derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip) {
  double ctot = y[1] / v1, diff = ctot - y[2] - kss;
  double c = 0.5 * (diff + sqrt(diff * diff + 4 * kss * ctot));
  double bound = y[2] * c / (kss + c);
  ydot[0] = -ka * y[0];
  ydot[1] = ka * y[0] - cl * c - kint * bound * v1;
  ydot[2] = ksyn - kdeg * y[2] - (kint - kdeg) * bound;
}
