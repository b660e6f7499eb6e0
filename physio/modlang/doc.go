// Package modlang is medtwin's model language: a patient model written as
// data (parameters with units and sources, states with initial values, and an
// equation block in the notation of rxode2, mrgsolve's $ODE and NONMEM's
// $DES), compiled once into an expression graph and from it into flat
// instruction tapes that evaluate the right-hand side, its Jacobian (forward
// mode automatic differentiation) and its Taylor coefficients of any order
// (Taylor mode automatic differentiation) without allocation or map
// look-ups.
//
// The equation block:
//
//	ke = CL / V                      # an assignment
//	cp = central / V
//	d/dt(depot)   = -KA * depot      # a state's derivative
//	d/dt(central) = KA * depot - ke * central
//	if (cp > 10) { tox = 1 } else { tox = 0 }
//	F(depot) = FDEPOT                # dosing: bioavailability,
//	ALAG(depot) = TLAG               # lag time, infusion rate R and duration D
//
// with + − × ÷, ^ (or **), exp, log, sqrt, abs, sin, cos, floor, min, max, ifelse(c, a, b),
// comparisons (< <= > >= == !=), && || !, and the time t. Where every
// parameter and state declares a unit, each equation's dimensions are
// checked (see units.go).
//
// A model is declared as a Spec (from Lua's model { ... } or from a model
// file, see file.go) and compiled by Compile; an Instance binds parameter
// values and provides ode.Func, ode.JacFunc and ode.Jet. Models linear in
// their states with coefficients constant between doses are recognised
// (Model.Linear) and simulated on the exact matrix-exponential path.
package modlang
