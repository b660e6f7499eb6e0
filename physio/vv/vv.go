// Package vv registers the physiology checks of `medtwin verify` (code
// verification in the sense of ASME V&V 40): solver orders of convergence,
// stiff problems against published reference solutions, and the PK library's
// ODE path against its exact path and against textbook closed forms. Import it
// for its side effect.
package vv

import (
	"context"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/verify"
	"github.com/medtwin/medtwin/physio/ode"
	"github.com/medtwin/medtwin/physio/pk"
)

func expSin(t float64, y, dy []float64) { dy[0] = y[0] * math.Cos(t) }

// observedOrder integrates y' = y·cos t (y = e^{sin t}) to t = 2 with n and 2n
// fixed steps and returns log2 of the error ratio.
func observedOrder(method string, n int) (float64, error) {
	exact := math.Exp(math.Sin(2))
	errAt := func(n int) (float64, error) {
		h := 2.0 / float64(n)
		fixed := ode.Options{H0: h, HMax: h, RTol: 1e10, ATol: 1e10}
		var y float64
		switch method {
		case "RK4":
			v, _, err := ode.RK4(expSin, 0, []float64{1}, 2, n)
			if err != nil {
				return 0, err
			}
			y = v[0]
		case "DOPRI5":
			sol, err := ode.Solve(expSin, 0, []float64{1}, []float64{2}, fixed)
			if err != nil {
				return 0, err
			}
			y = sol.Y[0][0]
		case "DOP853":
			s := ode.NewDop853(expSin, 1, fixed)
			s.Reset(0, []float64{1})
			if _, err := s.Integrate(2, nil, nil, nil); err != nil {
				return 0, err
			}
			y = s.Y[0]
		default:
			sol, err := ode.SolveStiff(expSin, 0, []float64{1}, []float64{2}, fixed)
			if err != nil {
				return 0, err
			}
			y = sol.Y[0][0]
		}
		return math.Abs(y - exact), nil
	}
	e1, err := errAt(n)
	if err != nil {
		return 0, err
	}
	e2, err := errAt(2 * n)
	if err != nil {
		return 0, err
	}
	return ode.ConvergenceOrder(e1, e2, n, 2*n), nil
}

func orderCheck(method string, order float64, n int) verify.Check {
	return verify.Check{Suite: "ode", Name: fmt.Sprintf("%s order of convergence", method), Run: func(ctx context.Context, full bool) verify.Result {
		p, err := observedOrder(method, n)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		return verify.Result{Expected: order, Measured: p, Tolerance: "± 0.3", Pass: math.Abs(p-order) <= 0.3,
			Source: "theoretical order; y' = y cos t, y = exp(sin t), steps n and 2n", Detail: fmt.Sprintf("n = %d", n)}
	}}
}

func referenceCheck(name string, f ode.Func, y0 []float64, tEnd float64, ref []float64, comp int, source string, opts ode.Options) verify.Check {
	return verify.Check{Suite: "ode", Name: name, Run: func(ctx context.Context, full bool) verify.Result {
		sol, err := ode.SolveStiff(f, 0, y0, []float64{tEnd}, opts)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		worst := 0.0
		for i, r := range ref {
			if r > 1e-12 {
				worst = math.Max(worst, math.Abs(sol.Y[0][i]-r)/r)
			}
		}
		return verify.Result{Expected: ref[comp], Measured: sol.Y[0][comp], Tolerance: "every component within 1e-4 relative",
			Pass: worst <= 1e-4, Source: source, Detail: fmt.Sprintf("worst relative error %.2g, %d steps", worst, sol.Stats.Steps)}
	}}
}

// taylorCheck integrates the forced oscillator y1' = y2, y2' = −y1 + 1 from
// (3, −2) over 20 periods with the Taylor series method and compares y1 with
// the closed form 1 + 2·cos t − 2·sin t.
func taylorCheck() verify.Check {
	return verify.Check{Suite: "ode", Name: "Taylor series (order 20), forced oscillator over 20 periods", Run: func(ctx context.Context, full bool) verify.Result {
		const tEnd, tol = 40 * math.Pi, 1e-10
		s := ode.NewTaylor(ode.ForcedOscillatorJet, 2, 0, ode.Options{RTol: tol, ATol: tol})
		s.Reset(0, []float64{3, -2})
		if err := s.Integrate(tEnd, nil, nil); err != nil {
			return verify.Result{Err: err.Error()}
		}
		want := ode.ForcedOscillator(3, -2, tEnd)
		e := math.Abs(s.Y[0] - want)
		return verify.Result{Expected: want, Measured: s.Y[0], Tolerance: "within 1e-8 (rtol = atol = 1e-10)", Pass: e <= 1e-8,
			Source: "closed form y1 = 1 + (y1(0)−1)·cos t + y2(0)·sin t", Detail: fmt.Sprintf("error %.2g, %d steps", e, s.Stats.Steps)}
	}}
}

// pkRoutes are the regimens the ODE path is held against the exact path on.
var pkRoutes = map[string][]pk.Dose{
	"IV bolus":         {{Amt: 1000, II: 12, ADDL: 4, Cmt: 2}},
	"infusion":         {{Amt: 1000, Rate: 500, II: 12, ADDL: 4, Cmt: 2}},
	"oral (lag, F)":    {{Amt: 500, II: 8, ADDL: 5, Cmt: 1}},
	"SS=1 bolus":       {{Amt: 750, II: 8, SS: 1, ADDL: 2, Cmt: 2}},
	"SS=1 infusion":    {{Amt: 1500, Rate: 750, II: 12, SS: 1, ADDL: 2, Cmt: 2}},
	"SS=1 oral":        {{Amt: 500, II: 8, SS: 1, ADDL: 2, Cmt: 1}},
	"SS=2 over a dose": {{Amt: 500, II: 24, Cmt: 2}, {Time: 10, Amt: 250, II: 6, SS: 2, Cmt: 2}},
}

func pkParityCheck(route string, doses []pk.Dose, integ pk.Integrator, label string) verify.Check {
	return verify.Check{Suite: "pk", Name: "ODE path (" + label + ") = exact path: " + route + " (3-cmt with depot)", Run: func(ctx context.Context, full bool) verify.Result {
		m := pk.Model{NCmt: 3, Absorption: true, Integrator: integ, P: pk.Params{CL: 4.5, V1: 58, Q2: 6.5, V2: 38, Q3: 2, V3: 120, KA: 0.9, F: 0.7, ALAG: 0.4}}
		times := make([]float64, 97)
		for i := range times {
			times[i] = float64(i) * 0.5
		}
		ex, err := m.Simulate(doses, times, pk.Exact)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		od, err := m.Simulate(doses, times, pk.ODE)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		worst, at := 0.0, 0
		for i := range times {
			if ex[i] > 1e-9 {
				if d := math.Abs(od[i]-ex[i]) / ex[i]; d > worst {
					worst, at = d, i
				}
			}
		}
		return verify.Result{Expected: ex[at], Measured: od[at], Tolerance: "within 1e-6 relative at every output", Pass: worst <= 1e-6,
			Source: "matrix-exponential solution (Van Loan 1978)", Detail: fmt.Sprintf("worst relative difference %.2g at t = %g h", worst, times[at])}
	}}
}

func closedFormCheck(name, source string, m pk.Model, doses []pk.Dose, f func(t float64) float64) verify.Check {
	return verify.Check{Suite: "pk", Name: "exact path = closed form: " + name, Run: func(ctx context.Context, full bool) verify.Result {
		times := []float64{0.5, 1, 2, 4, 8, 12, 24}
		c, err := m.Simulate(doses, times, pk.Exact)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		worst, at := 0.0, 0
		for i, tt := range times {
			if d := math.Abs(c[i]-f(tt)) / f(tt); d > worst {
				worst, at = d, i
			}
		}
		return verify.Result{Expected: f(times[at]), Measured: c[at], Tolerance: "within 1e-10 relative", Pass: worst <= 1e-10,
			Source: source, Detail: fmt.Sprintf("worst relative error %.2g", worst)}
	}}
}

func init() {
	verify.Register(orderCheck("DOPRI5", 5, 20))
	verify.Register(orderCheck("DOP853", 8, 8))
	verify.Register(orderCheck("RK4", 4, 20))
	verify.Register(orderCheck("Rosenbrock23", 2, 200))
	verify.Register(taylorCheck())
	verify.Register(referenceCheck("Robertson to t = 1e11 (Rosenbrock23), y3", ode.Robertson, []float64{1, 0, 0}, 1e11, ode.RobertsonRef, 2,
		"Test Set for IVP Solvers (Mazzia & Magherini 2008), ROBER", ode.Options{RTol: 1e-8, ATol: 1e-14, H0: 1e-6}))
	verify.Register(referenceCheck("HIRES at t = 321.8122 (Rosenbrock23), y8", ode.HIRES, []float64{1, 0, 0, 0, 0, 0, 0, 0.0057}, 321.8122, ode.HIRESRef, 7,
		"Test Set for IVP Solvers (Mazzia & Magherini 2008), HIRES", ode.Options{RTol: 1e-9, ATol: 1e-13}))
	for route, doses := range pkRoutes {
		verify.Register(pkParityCheck(route, doses, pk.DOPRI5, "DOPRI5"))
		verify.Register(pkParityCheck(route, doses, pk.Taylor, "Taylor"))
	}
	const cl, v, ka, dose, tau = 5.0, 50.0, 1.2, 100.0, 8.0
	k := cl / v
	verify.Register(closedFormCheck("1-cmt IV bolus", "C = D/V·e^{−kt} (Gibaldi & Perrier 1982, eq. 1.14)",
		pk.Model{NCmt: 1, P: pk.Params{CL: cl, V1: v}}, []pk.Dose{{Amt: dose}},
		func(t float64) float64 { return dose / v * math.Exp(-k*t) }))
	verify.Register(closedFormCheck("1-cmt oral (Bateman)", "C = F·D·ka/(V(ka−k))·(e^{−kt} − e^{−ka·t}) (Gibaldi & Perrier 1982, eq. 1.42)",
		pk.Model{NCmt: 1, Absorption: true, P: pk.Params{CL: cl, V1: v, KA: ka, F: 0.8}}, []pk.Dose{{Amt: dose}},
		func(t float64) float64 { return 0.8 * dose * ka / (v * (ka - k)) * (math.Exp(-k*t) - math.Exp(-ka*t)) }))
	verify.Register(closedFormCheck("1-cmt steady-state bolus", "C = D/V·e^{−kt}/(1 − e^{−kτ}) (Gibaldi & Perrier 1982, eq. 3.13)",
		pk.Model{NCmt: 1, P: pk.Params{CL: cl, V1: v}}, []pk.Dose{{Amt: dose, II: tau, SS: 1, ADDL: 3}},
		func(t float64) float64 { return dose / v * math.Exp(-k*math.Mod(t, tau)) / (1 - math.Exp(-k*tau)) }))
}
