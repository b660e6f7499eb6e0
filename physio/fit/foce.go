package fit

import (
	"fmt"
	"math"
	"strings"

	"github.com/medtwin/medtwin/engine/par"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// PopOptions tunes a population fit.
type PopOptions struct {
	// BlockOmega estimates every covariance of Ω; false estimates the
	// structure of the initial Ω (diagonal where its off-diagonals are 0,
	// a full block otherwise).
	BlockOmega bool
	// MaxIterations bounds the outer iterations (0: 500); SAEM stops its
	// schedule after this many iterations (0: the whole schedule).
	MaxIterations int
	// Workers is the number of goroutines of the per-subject steps (0: all
	// cores); the result does not depend on it.
	Workers int
	// Progress, when set, is called after each outer iteration with the
	// iteration, the OFV (SAEM: every 10th iteration, the complete-data
	// −2 log L at the chains' η) and the current population values.
	Progress func(iter int, ofv float64, m *Model)
	// Checkpoint, when set, is called after each FOCE-I outer iteration
	// (SAEM: each iteration) with the fit's whole state (to be saved for a later Resume); an error
	// from it stops the fit.
	Checkpoint func(*Checkpoint) error
	// Resume continues a FOCE-I or SAEM fit from a checkpoint of the same model and
	// data set: the result is the uninterrupted fit's, bit for bit.
	Resume *Checkpoint
	// NoCovariance skips the covariance step.
	NoCovariance bool
	// NPDESims simulations per subject give the NPDE (0: none), from the
	// named streams of NPDESeed (see Model.NPDE).
	NPDESims int
	NPDESeed uint64
}

// PopResult is a population fit: the model with the estimated θ, Ω and σ,
// the objective, the covariance step and the individual (POSTHOC) estimates.
type PopResult struct {
	Method string // "foce-i" or "saem"
	Model  *Model // the estimates (Params[].Typical, Omega, Error)
	// OFV is −2 log L without the constant N·log 2π (NONMEM's convention);
	// AIC and BIC add it back (2·NPar, NPar·log NObs penalties) so that they
	// compare with R's AIC/BIC.
	OFV, AIC, BIC float64
	NObs, NPar    int
	Iterations    int
	Evaluations   int // outer objective evaluations
	// Converged: FOCE-I's largest |∂OFV/∂x| at the estimate is below 0.05;
	// SAEM: it ran its iterations and its OFV is finite (no test of the
	// chains' stationarity).
	Converged bool
	Warning   string // non-convergence, an estimate at a bound, a singular covariance
	// Cov is the covariance step (nil when skipped or singular; Warning says).
	Cov *CovStep
	// Individual are the POSTHOC estimates at the final population values.
	Individual *Result
	// CWRES are the conditional weighted residuals per subject per record
	// (Hooker et al. 2007, Pharm Res 24:2187; NaN where none), PRED the
	// FOCE population predictions f(η̂) − G·η̂.
	CWRES, PRED [][]float64
	// NPDE per subject per record (nil unless PopOptions.NPDESims > 0).
	NPDE [][]float64
}

// popParam is one estimated quantity: where it goes and its transform.
type popParam struct {
	Name string
	kind int // 0 θ, 1 Ω Cholesky diagonal (log), 2 Ω Cholesky off-diagonal, 3 σ add (log), 4 σ prop (log)
	i, j int
	log  bool
}

// popProblem is the outer problem: the vector x of transformed parameters
// (log θ for positive θ, Ω by its Cholesky factor with a log diagonal, log σ)
// and the subjects' objectives, whose η̂ are kept as the next inner start.
type popProblem struct {
	m       *Model
	ds      *DataSet
	params  []popParam
	objs    []*subjectObjective
	etas    [][]float64
	ofvs    []float64
	errs    []error
	workers int
	evals   int
}

func newPopProblem(m0 *Model, ds *DataSet, opt PopOptions) (*popProblem, []float64, error) {
	if err := m0.Check(ds.Covariates); err != nil {
		return nil, nil, err
	}
	if err := m0.CheckData(ds); err != nil {
		return nil, nil, err
	}
	m := &Model{Structure: m0.Structure, Params: append([]Param(nil), m0.Params...), Etas: m0.Etas,
		Omega: mat.NewSymDense(len(m0.Etas), nil), Error: m0.Error}
	m.Omega.CopySym(m0.Omega)
	if err := m.Check(ds.Covariates); err != nil {
		return nil, nil, err
	}
	p := &popProblem{m: m, ds: ds, workers: opt.Workers}
	for i, q := range m.Params {
		p.params = append(p.params, popParam{Name: "THETA(" + q.Name + ")", kind: 0, i: i, log: q.Typical > 0})
	}
	k := len(m.Etas)
	for a := 0; a < k; a++ {
		for b := 0; b <= a; b++ {
			switch {
			case a == b:
				p.params = append(p.params, popParam{Name: "OMEGA(" + m.Etas[a] + ")", kind: 1, i: a, j: a, log: true})
			case opt.BlockOmega || m.Omega.At(a, b) != 0:
				p.params = append(p.params, popParam{Name: "OMEGA(" + m.Etas[a] + "," + m.Etas[b] + ")", kind: 2, i: a, j: b})
			}
		}
	}
	e := m.Error
	if e.Kind != Proportional {
		p.params = append(p.params, popParam{Name: "SIGMA(add)", kind: 3, log: true})
	}
	if e.Kind == Proportional || e.Kind == Combined {
		if !(m.Error.Prop > 0) {
			m.Error.Prop = 0.1
		}
		p.params = append(p.params, popParam{Name: "SIGMA(prop)", kind: 4, log: true})
	}
	x := p.vector()
	n := len(ds.Subjects)
	p.objs, p.etas, p.ofvs, p.errs = make([]*subjectObjective, n), make([][]float64, n), make([]float64, n), make([]error, n)
	for i := range ds.Subjects {
		o, err := m.newObjective(ds, &ds.Subjects[i])
		if err != nil {
			return nil, nil, err
		}
		p.objs[i], p.etas[i] = o, make([]float64, k)
	}
	return p, x, nil
}

// vector returns the model's values as the transformed vector x.
func (p *popProblem) vector() []float64 {
	m := p.m
	var l mat.TriDense
	var ch mat.Cholesky
	ch.Factorize(m.Omega)
	ch.LTo(&l)
	x := make([]float64, len(p.params))
	for i, q := range p.params {
		var v float64
		switch q.kind {
		case 0:
			v = m.Params[q.i].Typical
		case 1, 2:
			v = l.At(q.i, q.j)
		case 3:
			v = m.Error.Add
		case 4:
			v = m.Error.Prop
		}
		if q.log {
			v = math.Log(v)
		}
		x[i] = v
	}
	return x
}

// set writes x into the model and prepares it; false where Ω is not
// positive definite or a value is not finite.
func (p *popProblem) set(x []float64) bool {
	m := p.m
	k := len(m.Etas)
	l := mat.NewTriDense(k, mat.Lower, nil)
	for i, q := range p.params {
		v := x[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		if q.log {
			v = math.Exp(v)
		}
		switch q.kind {
		case 0:
			m.Params[q.i].Typical = v
		case 1, 2:
			l.SetTri(q.i, q.j, v)
		case 3:
			m.Error.Add = v
		case 4:
			m.Error.Prop = v
		}
	}
	var om mat.SymDense
	om.SymOuterK(1, l)
	m.Omega = &om
	return m.Check(p.ds.Covariates) == nil
}

// focei is the FOCE-I objective of one subject at the current model, the
// inner mode started at p.etas[i] (and left there): −2 log of the Laplace
// approximation of the marginal likelihood with the Hessian replaced by its
// expectation at η̂ (Beal & Sheiner's FOCE with interaction; Wang 2007,
// J Pharmacokinet Pharmacodyn 34:575; Almquist et al. 2015, J Pharmacokinet
// Pharmacodyn 42:191):
//
//	OFVᵢ = J(η̂) + log det Ω + log det(Ω⁻¹ + Σⱼ [gⱼgⱼᵀ/Vⱼ + ½·∇Vⱼ∇Vⱼᵀ/Vⱼ²])
//
// with gⱼ = ∂fⱼ/∂η and Vⱼ the residual variance, both at η̂ (the
// interaction). BLQ records enter J by Beal's M3 and not the log det term.
func (p *popProblem) focei(i int) (float64, error) {
	o := p.objs[i]
	x0 := p.etas[i]
	if math.IsInf(o.value(x0), 0) {
		for a := range x0 {
			x0[a] = 0
		}
	}
	if xm := append([]float64(nil), x0...); o.mode(xm) {
		// the fast path: η̂ by BFGS started from the expected Hessian, whose
		// log det (exact sensitivities) is the FOCE-I term
		g := make([]float64, len(xm))
		if j, ok := o.valueGrad(xm, g); ok && !math.IsInf(j, 0) {
			h := mat.NewSymDense(len(xm), nil)
			var ch mat.Cholesky
			if o.fisher(xm, h, g) && ch.Factorize(h) {
				copy(p.etas[i], xm)
				return j + p.m.logDetOm + ch.LogDet(), nil
			}
		}
	}
	evals := 0
	f, grad, _ := o.funcs(&evals)
	settings := &optimize.Settings{GradientThreshold: gradTol, MajorIterations: 1000, FuncEvaluations: 100000,
		Converger: &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-15, Iterations: 50}}
	res, err := optimize.Minimize(optimize.Problem{Func: f, Grad: grad}, x0, settings, &optimize.BFGS{})
	if res == nil {
		return math.Inf(1), fmt.Errorf("fit: subject %s: the inner optimiser failed: %v", o.s.ID, err)
	}
	copy(p.etas[i], res.X)
	j := o.value(p.etas[i])
	if math.IsInf(j, 0) {
		return j, nil
	}
	h, err := o.expectedHessian(p.etas[i])
	if err != nil {
		return math.Inf(1), nil
	}
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return math.Inf(1), nil
	}
	return j + p.m.logDetOm + ch.LogDet(), nil
}

// linearise returns the predictions (log scale under exponential error) at
// η, their derivatives G (records × η, central differences) and the residual
// variances, for the observed non-BLQ records in o.obs order (others: NaN).
func (o *subjectObjective) linearise(eta []float64) (f []float64, g *mat.Dense, v []float64, dv [][]float64, err error) {
	m := o.m
	k := len(eta)
	n := len(o.s.Records)
	f = make([]float64, n)
	g = mat.NewDense(n, k, nil)
	v = make([]float64, n)
	dv = make([][]float64, k)
	tr := func(pred float64) (float64, float64) { // transformed prediction, variance
		if m.Error.Kind == ExponentialError {
			return math.Log(pred), m.Error.Add * m.Error.Add
		}
		sd := m.Error.sd(pred)
		return pred, sd * sd
	}
	if err = o.predict(eta); err != nil {
		return
	}
	for i := range f {
		f[i], v[i] = tr(o.pred[i])
	}
	x := append([]float64(nil), eta...)
	hi, lo := make([]float64, n), make([]float64, n)
	vhi, vlo := make([]float64, n), make([]float64, n)
	for a := 0; a < k; a++ {
		const h = 1e-5
		x[a] = eta[a] + h
		if err = o.predict(x); err != nil {
			return
		}
		for i := range hi {
			hi[i], vhi[i] = tr(o.pred[i])
		}
		x[a] = eta[a] - h
		if err = o.predict(x); err != nil {
			return
		}
		for i := range lo {
			lo[i], vlo[i] = tr(o.pred[i])
		}
		x[a] = eta[a]
		dv[a] = make([]float64, n)
		for i := range hi {
			g.Set(i, a, (hi[i]-lo[i])/(2*h))
			dv[a][i] = (vhi[i] - vlo[i]) / (2 * h)
		}
	}
	err = o.predict(eta)
	return
}

// expectedHessian is Ω⁻¹ + Σⱼ [gⱼgⱼᵀ/Vⱼ + ½·∇Vⱼ∇Vⱼᵀ/Vⱼ²] at η over the
// observed non-BLQ records: half the expected Hessian of J.
func (o *subjectObjective) expectedHessian(eta []float64) (*mat.SymDense, error) {
	_, g, v, dv, err := o.linearise(eta)
	if err != nil {
		return nil, err
	}
	k := len(eta)
	h := mat.NewSymDense(k, nil)
	h.CopySym(o.m.omegaInv)
	for _, i := range o.obs {
		if o.s.Records[i].BLQ {
			continue
		}
		vi := v[i]
		if !(vi > 0) {
			return nil, fmt.Errorf("fit: subject %s: zero residual variance", o.s.ID)
		}
		for a := 0; a < k; a++ {
			for b := a; b < k; b++ {
				h.SetSym(a, b, h.At(a, b)+g.At(i, a)*g.At(i, b)/vi+0.5*dv[a][i]*dv[b][i]/(vi*vi))
			}
		}
	}
	return h, nil
}

// ofv is the FOCE-I OFV at x: the subjects in parallel, summed in
// data-set order (the same sum on any number of cores).
func (p *popProblem) ofv(x []float64) float64 {
	p.evals++
	if !p.set(x) {
		return math.Inf(1)
	}
	par.Strided(len(p.objs), p.workers, func(_, i int) {
		p.ofvs[i], p.errs[i] = p.focei(i)
	})
	s := 0.0
	for i, v := range p.ofvs {
		if p.errs[i] != nil {
			return math.Inf(1)
		}
		s += v
	}
	if math.IsNaN(s) {
		return math.Inf(1)
	}
	return s
}

// FitFOCEI estimates θ (each Param's Typical), Ω and σ by maximum likelihood
// under the FOCE-I approximation: BFGS (minimize) on central-difference gradients of
// the OFV over log θ, Ω's Cholesky factor (log diagonal) and log σ, each
// evaluation finding every subject's η̂ by MAP started from its last η̂.
// m holds the initial values and is not changed. Then the covariance step,
// the POSTHOC estimates with shrinkage and CWRES.
func (m *Model) FitFOCEI(ds *DataSet, opt PopOptions) (*PopResult, error) {
	p, x0, err := newPopProblem(m, ds, opt)
	if err != nil {
		return nil, err
	}
	var cp *Checkpoint
	if opt.Resume != nil {
		if err := p.resume(opt.Resume); err != nil {
			return nil, err
		}
		cp = opt.Resume
	} else {
		v := p.ofv(x0)
		if math.IsInf(v, 0) {
			for i, e := range p.errs {
				if e != nil {
					return nil, fmt.Errorf("fit: FOCE-I at the initial values: %v", p.errs[i])
				}
			}
			return nil, fmt.Errorf("fit: FOCE-I: the objective is not finite at the initial values; check them (units, a typical value far from the data)")
		}
		cp = p.startCheckpoint(x0, v)
	}
	maxIter := opt.MaxIterations
	if maxIter <= 0 {
		maxIter = 500
	}
	status := p.minimize(cp, maxIter, func(cp *Checkpoint) error {
		if opt.Progress != nil {
			p.set(cp.X)
			opt.Progress(cp.Iteration, cp.F, p.m)
		}
		if opt.Checkpoint != nil {
			return opt.Checkpoint(cp)
		}
		return nil
	})
	if strings.HasPrefix(status, "stopped: ") {
		return nil, fmt.Errorf("fit: FOCE-I: %s", strings.TrimPrefix(status, "stopped: "))
	}
	var optErr error
	if status == "IterationLimit" || status == "LineSearchFailure" {
		optErr = fmt.Errorf("%s", status)
	}
	return p.finish("foce-i", cp.X, cp.Iteration, status, optErr, opt)
}

// finish evaluates the final point, the covariance step, POSTHOC and CWRES.
// For SAEM (status "") the OFV is the FOCE-I objective at its estimates (a
// linearised OFV) and there is no gradient test.
func (p *popProblem) finish(method string, x []float64, iters int, status string, optErr error, opt PopOptions) (*PopResult, error) {
	out := &PopResult{Method: method, Iterations: iters}
	x = append([]float64(nil), x...)
	out.OFV = p.ofv(x)
	gn := 0.0
	if method == "foce-i" {
		g := make([]float64, len(x))
		fd.Gradient(g, p.ofv, x, &fd.Settings{Formula: fd.Central, Step: 1e-4})
		for _, v := range g {
			gn = math.Max(gn, math.Abs(v))
		}
	}
	out.Converged = gn < 0.05 && !math.IsInf(out.OFV, 0)
	if !out.Converged {
		why := status
		if optErr != nil {
			why = optErr.Error()
		}
		out.Warning = fmt.Sprintf("no convergence after %d iterations (%s; largest |∂OFV/∂x| %.3g): try other initial values, a diagonal Ω, or fewer random effects", out.Iterations, why, gn)
	}
	for i, q := range p.params {
		if q.kind == 1 && x[i] < math.Log(1e-4) {
			out.Warning = joinWarn(out.Warning, fmt.Sprintf("%s is near zero (ω = %.2g): the data carry no information on this η; try removing it", q.Name, math.Exp(x[i])))
		}
	}
	if !opt.NoCovariance {
		cs, err := p.covStep(x)
		if err != nil {
			out.Warning = joinWarn(out.Warning, err.Error())
		} else {
			out.Cov = cs
		}
	}
	p.set(x)
	out.Evaluations = p.evals
	m := &Model{Structure: p.m.Structure, Params: append([]Param(nil), p.m.Params...), Etas: p.m.Etas,
		Omega: mat.NewSymDense(len(p.m.Etas), nil), Error: p.m.Error}
	m.Omega.CopySym(p.m.Omega)
	if err := m.Check(p.ds.Covariates); err != nil {
		return nil, err
	}
	out.Model = m
	ind, err := m.Fit(p.ds, BFGS)
	if err != nil {
		return nil, err
	}
	out.Individual = ind
	for _, s := range p.ds.Subjects {
		for _, r := range s.Records {
			if r.Observed() {
				out.NObs++
			}
		}
	}
	out.NPar = len(p.params)
	c := float64(out.NObs) * math.Log(2*math.Pi)
	out.AIC = out.OFV + c + 2*float64(out.NPar)
	out.BIC = out.OFV + c + float64(out.NPar)*math.Log(float64(out.NObs))
	out.CWRES, out.PRED = make([][]float64, len(p.objs)), make([][]float64, len(p.objs))
	for i, e := range ind.Estimates {
		o, err := m.newObjective(p.ds, &p.ds.Subjects[i])
		if err != nil {
			return nil, err
		}
		out.CWRES[i], out.PRED[i] = o.cwres(e.Eta)
	}
	if opt.NPDESims > 0 {
		out.NPDE = make([][]float64, len(p.objs))
		errs := make([]error, len(p.objs))
		par.Strided(len(p.objs), p.workers, func(_, i int) {
			out.NPDE[i], errs[i] = m.NPDE(p.ds, i, opt.NPDESims, opt.NPDESeed)
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// cwres returns the conditional weighted residuals at η̂ (Hooker et al.
// 2007): with the model linearised at η̂, E[y] ≈ f(η̂) − G·η̂ and Cov[y] ≈
// G·Ω·Gᵀ + diag(V(η̂)); CWRES = C^{-1/2}(y − E[y]) by the Cholesky factor of
// C (observed non-BLQ records; log scale under exponential error). pred is
// f(η̂) − G·η̂ on the natural scale.
func (o *subjectObjective) cwres(eta []float64) (cw, pred []float64) {
	n := len(o.s.Records)
	cw, pred = make([]float64, n), make([]float64, n)
	for i := range cw {
		cw[i], pred[i] = math.NaN(), math.NaN()
	}
	f, g, v, _, err := o.linearise(eta)
	if err != nil {
		return
	}
	k := len(eta)
	var rows []int
	for _, i := range o.obs {
		if !o.s.Records[i].BLQ {
			rows = append(rows, i)
		}
	}
	for i := range f {
		e := f[i]
		for a := 0; a < k; a++ {
			e -= g.At(i, a) * eta[a]
		}
		pred[i] = e
		if o.m.Error.Kind == ExponentialError {
			pred[i] = math.Exp(e)
		}
	}
	if len(rows) == 0 {
		return
	}
	c := mat.NewSymDense(len(rows), nil)
	r := make([]float64, len(rows))
	for a, i := range rows {
		y := o.s.Records[i].DV
		if o.m.Error.Kind == ExponentialError {
			y = o.logY[i]
		}
		mu := f[i]
		for q := 0; q < k; q++ {
			mu -= g.At(i, q) * eta[q]
		}
		r[a] = y - mu
		for b, j := range rows[:a+1] {
			s := 0.0
			for q := 0; q < k; q++ {
				for t := 0; t < k; t++ {
					s += g.At(i, q) * o.m.Omega.At(q, t) * g.At(j, t)
				}
			}
			if a == b {
				s += v[i]
			}
			c.SetSym(a, b, s)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		return
	}
	var l mat.TriDense
	ch.LTo(&l)
	z := mat.NewVecDense(len(rows), nil)
	if err := z.SolveVec(&l, mat.NewVecDense(len(rows), r)); err != nil {
		return
	}
	for a, i := range rows {
		cw[i] = z.AtVec(a)
	}
	return
}
