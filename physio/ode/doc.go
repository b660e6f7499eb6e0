// Package ode solves initial value problems y' = f(t, y) for medtwin's patient
// models. gonum has no ODE solver; this one is verified against analytic
// solutions and published reference values (see ode_test.go and `medtwin verify`).
//
// Solvers:
//   - DOPRI5: explicit Dormand–Prince 5(4) with step-size control, Hairer's
//     4th-order dense output and event location on the dense output (Dormand &
//     Prince 1980, J Comp Appl Math 6:19; Hairer, Nørsett & Wanner 1993, Solving
//     ODEs I, §II.5–6).
//   - Rosenbrock23: the L-stable linearly implicit 2(3) pair of Shampine &
//     Reichelt 1997 (SIAM J Sci Comput 18:1, the method of MATLAB's ode23s) for
//     stiff problems, with an analytic or finite-difference Jacobian and LU
//     solves from gonum/mat.
//   - RK4: the classical fixed-step fourth-order Runge–Kutta method.
//
// All solvers report statistics (steps, rejected steps, right-hand-side and
// Jacobian evaluations) and return clear errors for step-size underflow,
// non-finite states and too many steps.
package ode
