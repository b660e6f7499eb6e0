package vv

import (
	"context"
	"fmt"

	"github.com/medtwin/medtwin/engine/verify"
	"github.com/medtwin/medtwin/physio/modlang"
)

// Checks of the model language (physio/modlang): the stiff Test Set problems
// written in the language and solved by Radau5 with the graph's Jacobian,
// each library PK model against physio/pk, and the Jacobian against
// finite differences.
func init() {
	for _, p := range modlang.StiffProblems() {
		verify.Register(verify.Check{Suite: "modlang", Name: p.Name + " (language, Radau5)", Run: func(ctx context.Context, full bool) verify.Result {
			y, worst, st, err := p.Solve()
			if err != nil {
				return verify.Result{Err: err.Error()}
			}
			return verify.Result{Expected: p.Ref[0], Measured: y[0], Tolerance: "within 1e-5 relative, every component",
				Pass: worst <= 1e-5, Source: p.Source, Detail: fmt.Sprintf("worst relative error %.2g; %d steps, %d rejected", worst, st.Steps, st.Rejected)}
		}})
	}
	for _, e := range modlang.PKEquivalents() {
		verify.Register(verify.Check{Suite: "modlang", Name: "library " + e.Library + " = physio/pk", Run: func(ctx context.Context, full bool) verify.Result {
			worst, err := e.Compare()
			if err != nil {
				return verify.Result{Err: err.Error()}
			}
			return verify.Result{Expected: 0, Measured: worst, Tolerance: "within 1e-10 of the peak concentration",
				Pass: worst <= 1e-10, Source: "physio/pk (hand-written exact and Taylor paths)", Detail: fmt.Sprintf("worst difference %.2g of the peak", worst)}
		}})
	}
	verify.Register(verify.Check{Suite: "modlang", Name: "Jacobian (forward-mode AD) = finite differences, tmdd_qss", Run: func(ctx context.Context, full bool) verify.Result {
		m, err := modlang.Library("tmdd_qss")
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		worst := m.NewInstance().JacobianCheck(0, []float64{5, 20, 3})
		return verify.Result{Expected: 0, Measured: worst, Tolerance: "within 1e-6 of max(1, |difference quotient|) (central differences, h = 1e-6·y)",
			Pass: worst <= 1e-6, Source: "central finite differences (error O(h²))", Detail: fmt.Sprintf("worst relative difference %.2g", worst)}
	}})
}
