package ode

import "math"

// Reference problems with published reference solutions, used by the tests and
// by `medtwin verify`.

// Robertson is the ROBER chemical kinetics problem (Robertson 1966; Hairer &
// Wanner 1996, Solving ODEs II, §IV.1), y(0) = (1, 0, 0).
func Robertson(t float64, y, dy []float64) {
	dy[0] = -0.04*y[0] + 1e4*y[1]*y[2]
	dy[2] = 3e7 * y[1] * y[1]
	dy[1] = -dy[0] - dy[2]
}

// RobertsonRef is the reference solution at t = 1e11 from the Test Set for IVP
// Solvers (Mazzia & Magherini, release 2.4, 2008, problem ROBER).
var RobertsonRef = []float64{0.2083340149701255e-07, 0.8333360770334713e-13, 0.9999999791665050e+00}

// HIRES is the High Irradiance RESponse problem (Schäfer 1975; Hairer & Wanner
// 1996, §IV.10), 8 equations, y(0) = (1, 0, 0, 0, 0, 0, 0, 0.0057), t in
// [0, 321.8122].
func HIRES(t float64, y, dy []float64) {
	dy[0] = -1.71*y[0] + 0.43*y[1] + 8.32*y[2] + 0.0007
	dy[1] = 1.71*y[0] - 8.75*y[1]
	dy[2] = -10.03*y[2] + 0.43*y[3] + 0.035*y[4]
	dy[3] = 8.32*y[1] + 1.71*y[2] - 1.12*y[3]
	dy[4] = -1.745*y[4] + 0.43*y[5] + 0.43*y[6]
	dy[5] = -280*y[5]*y[7] + 0.69*y[3] + 1.71*y[4] - 0.43*y[5] + 0.69*y[6]
	dy[6] = 280*y[5]*y[7] - 1.81*y[6]
	dy[7] = -dy[6]
}

// HIRESRef is the reference solution at t = 321.8122 (Test Set for IVP Solvers,
// problem HIRES).
var HIRESRef = []float64{0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
	0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2}

// VanDerPol returns the Van der Pol oscillator y1' = y2, y2' = mu((1−y1²)y2 − y1),
// stiff for large mu.
func VanDerPol(mu float64) Func {
	return func(t float64, y, dy []float64) {
		dy[0] = y[1]
		dy[1] = mu*(1-y[0]*y[0])*y[1] - y[0]
	}
}

// ForcedOscillatorJet is the Taylor jet (see Jet) of the forced oscillator
// y1' = y2, y2' = −y1 + 1, whose solution is ForcedOscillator.
func ForcedOscillatorJet(t float64, c [][]float64) {
	for k := 0; k+1 < len(c); k++ {
		in := 0.0
		if k == 0 {
			in = 1
		}
		c[k+1][0] = c[k][1] / float64(k+1)
		c[k+1][1] = (-c[k][0] + in) / float64(k+1)
	}
}

// ForcedOscillator returns y1(t) of the forced oscillator from (y1, y2) = (a, b)
// at t = 0: 1 + (a−1)·cos t + b·sin t.
func ForcedOscillator(a, b, t float64) float64 { return 1 + (a-1)*math.Cos(t) + b*math.Sin(t) }
