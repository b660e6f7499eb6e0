package fit

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/diff/fd"
)

// Checkpoint is the whole state of a FOCE-I fit after an outer iteration
// (or of a SAEM fit after an iteration, in SAEM):
// with it a fit resumes (PopOptions.Resume) and ends exactly where the
// uninterrupted fit would have, bit for bit. It round-trips through
// encoding/json (Go writes float64 in the shortest form that reads back to
// the same bits).
type Checkpoint struct {
	Method string   `json:"method"`
	Names  []string `json:"names"` // the estimated quantities, to refuse another model's checkpoint
	// X is the transformed parameter vector, F the OFV there and G its
	// gradient; HInv the BFGS inverse-Hessian approximation (row-major).
	X, G, HInv []float64
	F          float64
	// Etas are every subject's last η̂ (the inner modes' next start).
	Etas        [][]float64
	Iteration   int
	Evaluations int
	Stall       int // iterations without an OFV decrease of more than 1e-6
	// SAEM is a SAEM fit's state (Method "saem"; X, G, HInv and F unused).
	SAEM *SAEMState `json:"saem,omitempty"`
}

// outerGradStep is the central-difference step of the OFV's gradient over
// the transformed parameters.
const outerGradStep = 1e-4

// gradient is the OFV's central-difference gradient at x.
func (p *popProblem) gradient(g, x []float64) {
	fd.Gradient(g, p.ofv, x, &fd.Settings{Formula: fd.Central, Step: outerGradStep})
}

// minimize runs FOCE-I's outer BFGS from cp (a fresh start or a checkpoint)
// to convergence (max |∂OFV/∂x| < 1e-3, or 20 iterations without an OFV
// decrease above 1e-6, or a line search that cannot decrease the OFV: the
// noise floor of the inner modes) or maxIter iterations. The first
// direction is the steepest descent scaled to a largest step of 1 on the
// transformed scale; the inverse-Hessian approximation is scaled by sᵀy/yᵀy
// before its first update (Nocedal & Wright 2006, Numerical Optimization,
// eq. 6.20); steps by backtracking (Armijo). After each iteration it calls
// each (a checkpoint and progress); an error from it stops the fit.
func (p *popProblem) minimize(cp *Checkpoint, maxIter int, each func(*Checkpoint) error) (status string) {
	n := len(cp.X)
	x, g, hinv := cp.X, cp.G, cp.HInv
	d, xn, gn, s, y, hy := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for cp.Iteration < maxIter {
		gmax := 0.0
		for _, v := range g {
			gmax = math.Max(gmax, math.Abs(v))
		}
		if gmax < 1e-3 {
			return "GradientThreshold"
		}
		if cp.Stall >= 20 {
			return "FunctionConvergence"
		}
		slope := 0.0
		for a := 0; a < n; a++ {
			d[a] = 0
			for b := 0; b < n; b++ {
				d[a] -= hinv[a*n+b] * g[b]
			}
			slope += d[a] * g[a]
		}
		if !(slope < 0) { // lost descent: restart from the steepest descent
			for a := range hinv {
				hinv[a] = 0
			}
			for a := 0; a < n; a++ {
				hinv[a*n+a] = 1 / math.Max(gmax, 1)
				d[a] = -g[a] * hinv[a*n+a]
			}
			slope = 0
			for a := range d {
				slope += d[a] * g[a]
			}
		}
		t, fn := 1.0, math.Inf(1)
		accepted := false
		for ls := 0; ls < 30; ls++ {
			for a := range xn {
				xn[a] = x[a] + t*d[a]
			}
			fn = p.ofv(xn)
			if fn <= cp.F+1e-4*t*slope && fn < cp.F {
				accepted = true
				break
			}
			t *= 0.5
		}
		if !accepted {
			return "LineSearchFailure"
		}
		p.gradient(gn, xn)
		for a := 0; a < n; a++ {
			s[a], y[a] = xn[a]-x[a], gn[a]-g[a]
		}
		if cp.F-fn > 1e-6 {
			cp.Stall = 0
		} else {
			cp.Stall++
		}
		first := cp.Iteration == 0
		copy(x, xn)
		copy(g, gn)
		cp.F = fn
		if sy := dot(s, y); sy > 1e-12 {
			if first {
				sc := sy / dot(y, y)
				for a := range hinv {
					hinv[a] *= sc / hinv[0]
				}
			}
			bfgsUpdate(hinv, s, y, hy, sy)
		}
		cp.Iteration++
		cp.Evaluations = p.evals
		for i, e := range p.etas {
			copy(cp.Etas[i], e)
		}
		if each != nil {
			if err := each(cp); err != nil {
				return "stopped: " + err.Error()
			}
		}
	}
	return "IterationLimit"
}

// startCheckpoint is the state before the first outer iteration at x0: the
// OFV (already evaluated, leaving the η̂ in p.etas), its gradient and the
// first inverse-Hessian approximation.
func (p *popProblem) startCheckpoint(x0 []float64, f0 float64) *Checkpoint {
	n := len(x0)
	cp := &Checkpoint{Method: "foce-i", X: append([]float64(nil), x0...), G: make([]float64, n), HInv: make([]float64, n*n), F: f0}
	for _, q := range p.params {
		cp.Names = append(cp.Names, q.Name)
	}
	p.gradient(cp.G, cp.X)
	gmax := 0.0
	for _, v := range cp.G {
		gmax = math.Max(gmax, math.Abs(v))
	}
	for a := 0; a < n; a++ {
		cp.HInv[a*n+a] = 1 / math.Max(gmax, 1) // a first step of at most 1 on the log scale
	}
	cp.Etas = make([][]float64, len(p.etas))
	for i, e := range p.etas {
		cp.Etas[i] = append([]float64(nil), e...)
	}
	cp.Evaluations = p.evals
	return cp
}

// resume checks a checkpoint against the problem and restores its state.
func (p *popProblem) resume(cp *Checkpoint) error {
	var names []string
	for _, q := range p.params {
		names = append(names, q.Name)
	}
	n := len(names)
	if cp.Method != "foce-i" || strings.Join(cp.Names, ",") != strings.Join(names, ",") || len(cp.X) != n || len(cp.G) != n ||
		len(cp.HInv) != n*n || len(cp.Etas) != len(p.etas) {
		return fmt.Errorf("fit: --resume: the checkpoint is of another fit (method %s, parameters %s; this fit: foce-i, %s)",
			cp.Method, strings.Join(cp.Names, ", "), strings.Join(names, ", "))
	}
	for i, e := range cp.Etas {
		if len(e) != len(p.etas[i]) {
			return fmt.Errorf("fit: --resume: the checkpoint has %d η for subject %d, this model %d", len(e), i+1, len(p.etas[i]))
		}
		copy(p.etas[i], e)
	}
	p.evals = cp.Evaluations
	return nil
}
