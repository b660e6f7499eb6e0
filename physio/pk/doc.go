// Package pk is medtwin's pharmacokinetics library: linear 1-, 2- and
// 3-compartment models with IV bolus, zero-order infusion and first-order
// absorption (lag time, bioavailability), driven by dosing records in NONMEM
// style (TIME, AMT, RATE, II, ADDL, CMT, SS), solved two ways:
//
//   - the exact path: between events the state is propagated with the
//     transition matrix exp(K·dt) and the infusion integral ∫exp(K·s)ds, both
//     from one matrix exponential (gonum mat.Dense.Exp), and steady state is
//     solved in closed form, (I − exp(K·II))·S = c;
//   - the ODE path: the same system integrated by physio/ode's DOPRI5, restarted
//     at every discontinuity, with steady state found by iterating a dosing
//     interval to its fixed point.
//
// The two agree within 1e-6 relative for every route (tested), and the exact
// path agrees with the textbook closed forms (Gibaldi & Perrier 1982,
// Pharmacokinetics, 2nd ed., ch. 1–2). Time is in hours, amounts in mg,
// volumes in L, clearances in L/h, concentrations in mg/L.
//
// Compartments are numbered as in NONMEM's ADVAN subroutines: with absorption
// (ADVAN2/4/12) 1 is the depot, 2 the central, 3 and 4 the peripheral
// compartments; without (ADVAN1/3/11) 1 is central, 2 and 3 peripheral.
package pk
