package fit

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/par"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Estimate is one subject's MAP estimate (NONMEM's POSTHOC, mapbayr's MAP).
type Estimate struct {
	ID  string
	Eta []float64 // η̂, in Model.Etas order
	// Cov is the posterior covariance of η by the Laplace approximation: the
	// inverse of half the Hessian of J at η̂ (nil when that Hessian is not
	// positive definite; Warning says so).
	Cov *mat.SymDense
	// Params are the individual parameters at η̂ (Structure order).
	Params []float64
	// Objective is J(η̂) (see subjectObjective); OFV adds log det Ω + log
	// det(H/2): −2 log of the Laplace approximation of the subject's marginal
	// likelihood, without the constant n·log 2π.
	Objective, OFV float64
	// GradNorm is the norm of ∇J at η̂ (central differences).
	GradNorm float64
	// Evaluations counts objective and gradient evaluations (the
	// optimiser's and the Hessian's).
	Evaluations int
	Converged   bool
	Warning     string // a non-convergence or singular Hessian, said in words
	// PRED and IPRED are the predictions at every record at η = 0 and η̂;
	// IWRES the individual weighted residuals (NaN where none).
	PRED, IPRED, IWRES []float64
}

// Method picks the optimiser of MAP.
type Method int

const (
	// BFGS is a quasi-Newton method: this package's own (bfgs.go) where the
	// structure gives exact gradients, gonum's on central differences otherwise.
	BFGS Method = iota
	// NelderMead is gonum's derivative-free simplex (a cross-check).
	NelderMead
)

// gradTol is the gradient norm at which BFGS stops; convTol the one below
// which an estimate counts as converged whatever the optimiser's status (a
// line search that fails at the noise floor of the finite differences is
// normal there). With the Hessian's eigenvalues of order 1–1000 (1/ω² and
// more) convTol puts η̂ within about 1e-5 of the mode.
const (
	gradTol = 1e-7
	convTol = 1e-5
)

// MAP returns the subject's maximum a posteriori η given the population
// values. The model must have been Checked against ds.Covariates.
func (m *Model) MAP(ds *DataSet, s *Subject, method Method) (*Estimate, error) {
	o, err := m.newObjective(ds, s)
	if err != nil {
		return nil, err
	}
	return o.fit(method)
}

// funcs returns J and ∇J as the optimiser takes them, counting evaluations
// in evals: exact gradients from the structure's sensitivities (exact true),
// finite differences wherever it has none (e.g. the ka = k limit). The line
// search asks for J and then ∇J at the same point: one evaluation gives both,
// the gradient kept for the next call.
func (o *subjectObjective) funcs(evals *int) (f func([]float64) float64, grad func(g, x []float64), exact bool) {
	k := len(o.m.Etas)
	f = func(x []float64) float64 { *evals++; return o.value(x) }
	step := &fd.Settings{Formula: fd.Central, Step: 6e-6}
	grad = func(g, x []float64) { fd.Gradient(g, f, x, step) }
	if o.sens == nil {
		return f, grad, false
	}
	cx, cg := make([]float64, k), make([]float64, k)
	cj, ok := o.valueGrad(cx, cg)
	if !ok {
		return f, grad, false
	}
	// the check's evaluation at η = 0 (where every fit starts) is the first
	// cached one; o.pred and o.dpred hold the last evaluated point
	cached := !math.IsInf(cj, 0)
	f = func(x []float64) float64 {
		if cached && floats.Equal(x, cx) {
			return cj
		}
		*evals++
		j, ok := o.valueGrad(x, cg)
		if !ok {
			cached = false
			return o.value(x)
		}
		copy(cx, x)
		cj = j
		cached = !math.IsInf(j, 0)
		return j
	}
	grad = func(g, x []float64) {
		if cached && floats.Equal(x, cx) {
			copy(g, cg)
			return
		}
		*evals++
		if _, ok := o.valueGrad(x, g); !ok {
			fd.Gradient(g, f, x, step)
		}
	}
	return f, grad, true
}

func (o *subjectObjective) fit(method Method) (*Estimate, error) {
	m := o.m
	k := len(m.Etas)
	evals := 0
	f, grad, exact := o.funcs(&evals)
	x0 := make([]float64, k)
	var p optimize.Problem
	if j0 := f(x0); math.IsInf(j0, 0) {
		if err := o.predict(x0); err != nil {
			return nil, fmt.Errorf("fit: subject %s: the model cannot be evaluated at the typical values: %v", o.s.ID, err)
		}
		return nil, fmt.Errorf("fit: subject %s: the objective is not finite at the typical values (a non-positive prediction under exponential error?)", o.s.ID)
	}
	p.Func = f
	var meth optimize.Method
	settings := &optimize.Settings{GradientThreshold: gradTol, MajorIterations: 1000, FuncEvaluations: 100000,
		Converger: &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-15, Iterations: 50}}
	if method == NelderMead {
		meth = &optimize.NelderMead{}
		settings.GradientThreshold = 0
		settings.Converger = &optimize.FunctionConverge{Absolute: 1e-14, Iterations: 2000}
	} else {
		p.Grad = grad
		meth = &optimize.BFGS{}
	}
	est := &Estimate{ID: o.s.ID}
	var why string
	if exact && method == BFGS {
		// the exact gradient: this package's allocation-free BFGS from the
		// Gauss–Newton curvature at the start
		b := newBFGS(k)
		fg := func(x, g []float64) float64 { j := f(x); grad(g, x); return j }
		// f(x0) above left the sensitivities at x0 in o.dpred
		_, status := b.minimize(fg, x0, o.fisherInverse(x0))
		est.Eta = append([]float64(nil), b.x...)
		why = status.String()
	} else {
		res, err := optimize.Minimize(p, x0, settings, meth)
		if res == nil {
			return nil, fmt.Errorf("fit: subject %s: the optimiser failed: %v", o.s.ID, err)
		}
		est.Eta = append([]float64(nil), res.X...)
		why = res.Status.String()
		if err != nil {
			why = err.Error()
		}
	}
	g := make([]float64, k)
	est.Objective = f(est.Eta)
	grad(g, est.Eta)
	est.GradNorm = floats.Norm(g, 2)
	// predictions at η̂ before the Hessian's points overwrite them
	n := len(o.s.Records)
	est.PRED, est.IPRED, est.IWRES = make([]float64, n), make([]float64, n), make([]float64, n)
	if err := o.predict(est.Eta); err != nil {
		return nil, fmt.Errorf("fit: subject %s: %v", o.s.ID, err)
	}
	copy(est.IPRED, o.pred)
	for i := range est.IWRES {
		est.IWRES[i] = o.iwres(i, est.IPRED[i])
	}
	est.Params = append([]float64(nil), o.params...)
	est.Converged = est.GradNorm < convTol
	if !est.Converged {
		est.Warning = fmt.Sprintf("no convergence (%s); gradient norm %.3g at the last η", why, est.GradNorm)
	}
	h := mat.NewSymDense(k, nil)
	if exact {
		// central differences of the exact gradient, symmetrised
		x, gp, gm := make([]float64, k), make([]float64, k), make([]float64, k)
		const step = 1e-5
		for b := 0; b < k; b++ {
			copy(x, est.Eta)
			x[b] += step
			f(x)
			grad(gp, x)
			x[b] -= 2 * step
			f(x)
			grad(gm, x)
			for a := 0; a < k; a++ {
				d := (gp[a] - gm[a]) / (2 * step)
				if a == b {
					h.SetSym(a, a, d)
				} else if a < b {
					h.SetSym(a, b, h.At(a, b)+d/2)
				} else {
					h.SetSym(b, a, h.At(b, a)+d/2)
				}
			}
		}
	} else {
		fd.Hessian(h, f, est.Eta, &fd.Settings{Formula: fd.Central, Step: 1e-4})
	}
	half := mat.NewSymDense(k, nil)
	half.ScaleSym(0.5, h)
	var ch mat.Cholesky
	if ch.Factorize(half) {
		est.Cov = mat.NewSymDense(k, nil)
		if err := ch.InverseTo(est.Cov); err != nil {
			est.Cov = nil
		}
	}
	if est.Cov == nil {
		est.Warning = joinWarn(est.Warning, fmt.Sprintf("the Hessian at the mode is singular or not positive definite (gradient norm %.3g): no posterior covariance", est.GradNorm))
		est.OFV = math.NaN()
	} else {
		est.OFV = est.Objective + m.logDetOm + ch.LogDet()
	}
	est.Evaluations = evals
	if err := o.predict(nil); err == nil {
		copy(est.PRED, o.pred)
	}
	return est, nil
}

func joinWarn(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Result is the MAP fit of a data set.
type Result struct {
	Estimates []*Estimate // in data-set order
	// Shrinkage is each η's shrinkage, 1 − SD(η̂)/ω (Savic & Karlsson 2009,
	// AAPS J 11:558; SD with the n−1 denominator); NaN with one subject.
	Shrinkage []float64
	// OFV sums the subjects' OFV; Objective their J(η̂).
	OFV, Objective float64
}

// Fit returns every subject's MAP estimate, the η-shrinkage and the OFV.
// Subjects are fitted in parallel on all cores; each estimate depends on its
// subject only, so the result does not depend on GOMAXPROCS. The first
// subject (in data-set order) that cannot be fitted is the error.
func (m *Model) Fit(ds *DataSet, method Method) (*Result, error) {
	return m.FitEach(ds, method, nil)
}

// FitEach is Fit calling done (if not nil) after each subject's estimate, for
// progress; done is called from several goroutines at once.
func (m *Model) FitEach(ds *DataSet, method Method, done func()) (*Result, error) {
	if err := m.Check(ds.Covariates); err != nil {
		return nil, err
	}
	if err := m.CheckData(ds); err != nil {
		return nil, err
	}
	n := len(ds.Subjects)
	res := &Result{Estimates: make([]*Estimate, n)}
	errs := make([]error, n)
	par.Strided(n, 0, func(_, i int) {
		res.Estimates[i], errs[i] = m.MAP(ds, &ds.Subjects[i], method)
		if done != nil {
			done()
		}
	})
	for i, e := range res.Estimates {
		if errs[i] != nil {
			return nil, errs[i]
		}
		res.OFV += e.OFV
		res.Objective += e.Objective
	}
	k := len(m.Etas)
	res.Shrinkage = make([]float64, k)
	for a := 0; a < k; a++ {
		if n < 2 {
			res.Shrinkage[a] = math.NaN()
			continue
		}
		mean := 0.0
		for _, e := range res.Estimates {
			mean += e.Eta[a]
		}
		mean /= float64(n)
		ss := 0.0
		for _, e := range res.Estimates {
			ss += (e.Eta[a] - mean) * (e.Eta[a] - mean)
		}
		res.Shrinkage[a] = 1 - math.Sqrt(ss/float64(n-1))/math.Sqrt(m.Omega.At(a, a))
	}
	return res, nil
}
