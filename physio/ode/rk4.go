package ode

import (
	"fmt"
	"math"
)

// RK4 integrates from (t0, y0) to tEnd with n fixed steps of the classical
// fourth-order Runge–Kutta method and returns the final state.
func RK4(f Func, t0 float64, y0 []float64, tEnd float64, n int) ([]float64, Stats, error) {
	var st Stats
	if n < 1 || !(tEnd > t0) {
		return nil, st, fmt.Errorf("ode: RK4 needs n >= 1 steps and tEnd > t0, got n=%d, [%g, %g]", n, t0, tEnd)
	}
	d := len(y0)
	y := append([]float64(nil), y0...)
	k1, k2, k3, k4, yt := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	h := (tEnd - t0) / float64(n)
	for s := 0; s < n; s++ {
		t := t0 + float64(s)*h
		f(t, y, k1)
		for i := range y {
			yt[i] = y[i] + h/2*k1[i]
		}
		f(t+h/2, yt, k2)
		for i := range y {
			yt[i] = y[i] + h/2*k2[i]
		}
		f(t+h/2, yt, k3)
		for i := range y {
			yt[i] = y[i] + h*k3[i]
		}
		f(t+h, yt, k4)
		for i := range y {
			y[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		st.Steps++
		st.RHS += 4
		if !finite(y) {
			return y, st, &SolveError{t + h, ErrNonFinite}
		}
	}
	return y, st, nil
}

// ConvergenceOrder estimates a fixed-step method's order from the errors at two
// step counts: p = log(e1/e2) / log(n2/n1).
func ConvergenceOrder(e1, e2 float64, n1, n2 int) float64 {
	return math.Log(e1/e2) / math.Log(float64(n2)/float64(n1))
}
