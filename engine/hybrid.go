package engine

// Continuous is the kernel's contract with a continuous-time model (a patient's
// physiology) run next to the discrete events (DESIGN.md, "Hybrid runs"):
//
//   - its state is advanced lazily, only to the time the simulation looks at it
//     (AdvanceTo), not on every event;
//   - a threshold on its state becomes an ordinary kernel event, scheduled at the
//     crossing time found by root finding on the solver's dense output;
//   - an action of the simulation (a dose, a bolus, a treatment change) is a
//     discontinuity after which the integrator restarts and every pending
//     crossing is predicted again.
//
// physio/twin.Patient implements it.
type Continuous interface {
	// AdvanceTo brings the state to simulation time t (seconds); t never goes back.
	AdvanceTo(t float64) error
}
