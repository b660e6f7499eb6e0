// Package ode solves initial value problems y' = f(t, y) for medtwin's patient
// models. gonum has no ODE solver; this one is verified against analytic
// solutions and published reference values (see ode_test.go and `medtwin verify`).
//
// Solvers:
//   - DOPRI5: explicit Dormand–Prince 5(4) with step-size control, Hairer's
//     4th-order dense output and event location on the dense output (Dormand &
//     Prince 1980, J Comp Appl Math 6:19; Hairer, Nørsett & Wanner 1993, Solving
//     ODEs I, §II.5–6).
//   - DOP853: Dormand & Prince's explicit 8th-order pair with Hairer's 8(5,3)
//     error estimate and 7th-order dense output (Prince & Dormand 1981, J Comp
//     Appl Math 7:67; Hairer, Nørsett & Wanner 1993, §II.10, code dop853.f):
//     the fastest Runge–Kutta pair at the tight tolerances (1e-8 and below) of
//     PK work.
//   - Extrapolation: Gragg–Bulirsch–Stoer (see extrapolation.go).
//   - Rosenbrock23: the L-stable linearly implicit 2(3) pair of Shampine &
//     Reichelt 1997 (SIAM J Sci Comput 18:1, the method of MATLAB's ode23s) for
//     stiff problems, with an analytic or finite-difference Jacobian and LU
//     solves from gonum/mat.
//   - Radau5: the implicit Radau IIA method of order 5 (Hairer & Wanner 1996,
//     Solving ODEs II, §IV.8, code RADAU5) with simplified Newton iterations,
//     Gustafsson's step-size control and the collocation polynomial as dense
//     output: the stiff solver for tight tolerances (the Test Set's Van der
//     Pol problem with μ = 1000 in about 1,000 steps at rtol 1e-8).
//   - RK4: the classical fixed-step fourth-order Runge–Kutta method.
//   - Taylor: the Taylor series method for systems that supply their jet
//     (normalised Taylor coefficients by automatic differentiation), with
//     Jorba & Zou's step control (2005, Exp Math 14:99); pk's models use it at
//     tight tolerances, where it takes steps of several time constants.
//
// Events (DOPRI5, DOP853, Rosenbrock23): crossings are located on the dense
// output of each accepted step and reported in time order; a terminal one stops
// the integration there, and a non-terminal crossing later in the same step is
// reported only once integration resumes past it.
//
// All solvers report statistics (steps, rejected steps, right-hand-side and
// Jacobian evaluations) and return clear errors for step-size underflow,
// non-finite states and too many steps.
package ode
