package fit

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// SAEMOptions tunes FitSAEM.
type SAEMOptions struct {
	PopOptions
	// Seed seeds the Markov chains: subject i's chain draws from the named
	// stream ("fit-saem", i), so the result does not depend on the cores.
	Seed uint64
	// Explore and Smooth are the iterations with step 1 and with step
	// 1/k (0: 300 and 200, close to Monolix's 500/200 defaults).
	Explore, Smooth int
}

// saemChain is one subject's Markov chain.
type saemChain struct {
	eta    []float64
	ll     float64   // the data term of J (−2 log p(y | η)) at eta
	pred   []float64 // the predictions at eta (per record)
	src    *rng.Stream
	scale  []float64 // random-walk step per η (adapted)
	accept []int
	tries  []int
}

// FitSAEM estimates θ, Ω and σ by the stochastic approximation EM algorithm
// (Delyon, Lavielle & Moulines 1999, Ann Stat 27:94) with the η of each
// subject simulated by Metropolis–Hastings (Kuhn & Lavielle 2005, Comput Stat
// Data Anal 49:1020): per iteration two draws from the prior N(0, Ω), one
// random-walk move per η and one of the whole vector, steps adapted towards
// 40% acceptance. The M step: for a mu-referenced η (the first parameter
// carrying it, with exponential η and θ > 0: log P = log θ + covariate terms
// + η) log θ and Ω by the stochastic approximation of the sufficient
// statistics Σφ and Σφφᵀ; every other θ and σ by minimising the data term
// given the current η (closed forms for additive, proportional and
// exponential error with no other θ), then the same step. The step size is 1
// during Explore iterations (with Ω kept from shrinking faster than 5% per
// iteration, Monolix's simulated annealing) and 1/k for Smooth iterations.
// The OFV is the FOCE-I objective at the estimates (a linearised OFV, not
// importance sampling), and the covariance step the Hessian of that OFV.
func (m *Model) FitSAEM(ds *DataSet, opt SAEMOptions) (*PopResult, error) {
	p, x0, err := newPopProblem(m, ds, opt.PopOptions)
	if err != nil {
		return nil, err
	}
	if !p.set(x0) {
		return nil, fmt.Errorf("fit: SAEM: the initial values are not valid")
	}
	mm := p.m
	k := len(mm.Etas)
	// mu-referenced η: ref[a] is the Params index whose log θ is μ_a (-1: none)
	ref := make([]int, k)
	for a := range ref {
		ref[a] = -1
	}
	muRef := make([]bool, len(mm.Params))
	for j, q := range mm.Params {
		if e := mm.eidx[j]; e >= 0 && ref[e] < 0 && q.EtaModel == EtaExp && q.Typical > 0 {
			ref[e], muRef[j] = j, true
		}
	}
	var free []int // θ estimated by the M-step minimisation
	for j, q := range mm.Params {
		if !muRef[j] && q.Typical > 0 {
			free = append(free, j)
		}
	}
	explore, smooth := opt.Explore, opt.Smooth
	if explore <= 0 {
		explore = 300
	}
	if smooth <= 0 {
		smooth = 200
	}
	n := len(p.objs)
	chains := make([]*saemChain, n)
	for i := range chains {
		chains[i] = &saemChain{eta: make([]float64, k), src: rng.New(opt.Seed, 0, "fit-saem", uint64(i)), pred: make([]float64, len(p.objs[i].pred)),
			scale: make([]float64, k), accept: make([]int, k), tries: make([]int, k)}
		for a := range chains[i].scale {
			chains[i].scale[a] = 0.5 * math.Sqrt(mm.Omega.At(a, a))
		}
	}
	block := false
	for _, q := range p.params {
		block = block || q.kind == 2
	}
	s1 := make([]float64, k)      // SA of mean φ
	s2 := mat.NewSymDense(k, nil) // SA of mean φφᵀ
	var sFree []float64
	sSigma := []float64{mm.Error.Add, mm.Error.Prop}
	for _, j := range free {
		sFree = append(sFree, math.Log(mm.Params[j].Typical))
	}
	mu := make([]float64, k)
	for a := range mu {
		if ref[a] >= 0 {
			mu[a] = math.Log(mm.Params[ref[a]].Typical)
		}
	}
	dataTerm := func(i int, eta []float64) float64 {
		o := p.objs[i]
		v := o.value(eta)
		if math.IsInf(v, 0) {
			return v
		}
		return v - mm.prior(eta)
	}
	errs := make([]error, n)
	total := explore + smooth
	first := 1
	if cp := opt.Resume; cp != nil {
		if err := p.saemRestore(cp, ds, chains, s1, s2, sFree, sSigma, mu); err != nil {
			return nil, err
		}
		first = cp.Iteration + 1
	}
	last := total // --max-iterations cuts the schedule (an interrupted fit, continued by Resume)
	if opt.MaxIterations > 0 && opt.MaxIterations < total {
		last = opt.MaxIterations
	}
	for it := first; it <= last; it++ {
		// E step: the chains, in parallel, each on its own stream
		var ch mat.Cholesky
		if !ch.Factorize(mm.Omega) {
			return nil, fmt.Errorf("fit: SAEM iteration %d: Ω is not positive definite", it)
		}
		var lo mat.TriDense
		ch.LTo(&lo)
		par.Strided(n, p.workers, func(_, i int) {
			errs[i] = p.mcmc(i, chains[i], &lo, dataTerm)
		})
		for _, e := range errs {
			if e != nil {
				return nil, e
			}
		}
		gamma := 1.0
		if it > explore {
			gamma = 1 / float64(it-explore)
		}
		// M step: sufficient statistics of φ = μ + η (fixed-order sums)
		mean := make([]float64, k)
		outer := mat.NewSymDense(k, nil)
		for _, c := range chains {
			for a := 0; a < k; a++ {
				pa := mu[a] + c.eta[a]
				mean[a] += pa / float64(n)
				for b := 0; b <= a; b++ {
					outer.SetSym(a, b, outer.At(a, b)+pa*(mu[b]+c.eta[b])/float64(n))
				}
			}
		}
		for a := 0; a < k; a++ {
			s1[a] += gamma * (mean[a] - s1[a])
			for b := 0; b <= a; b++ {
				s2.SetSym(a, b, s2.At(a, b)+gamma*(outer.At(a, b)-s2.At(a, b)))
			}
		}
		newMu := make([]float64, k)
		for a := 0; a < k; a++ {
			if ref[a] >= 0 {
				newMu[a] = s1[a]
			}
		}
		om := mat.NewSymDense(k, nil)
		for a := 0; a < k; a++ {
			for b := 0; b <= a; b++ {
				if a != b && !block {
					continue
				}
				v := s2.At(a, b) - newMu[a]*s1[b] - s1[a]*newMu[b] + newMu[a]*newMu[b]
				if a == b && it <= explore {
					v = math.Max(v, 0.95*mm.Omega.At(a, a))
				}
				om.SetSym(a, b, v)
			}
		}
		for a := 0; a < k; a++ {
			if om.At(a, a) < 1e-8 {
				om.SetSym(a, a, 1e-8)
			}
		}
		// shift the chains to the new μ (φ unchanged)
		for _, c := range chains {
			for a := 0; a < k; a++ {
				c.eta[a] += mu[a] - newMu[a]
			}
		}
		for a := 0; a < k; a++ {
			if ref[a] >= 0 {
				mm.Params[ref[a]].Typical = math.Exp(newMu[a])
			}
		}
		copy(mu, newMu)
		mm.Omega = om
		if err := mm.Check(ds.Covariates); err != nil {
			return nil, fmt.Errorf("fit: SAEM iteration %d: %v", it, err)
		}
		// M step for σ and the other θ
		p.mstepResidual(chains, free, sFree, sSigma, gamma)
		if err := mm.Check(ds.Covariates); err != nil {
			return nil, fmt.Errorf("fit: SAEM iteration %d: %v", it, err)
		}
		for i, c := range chains {
			if len(free) > 0 {
				c.ll = dataTerm(i, c.eta)
				copy(c.pred, p.objs[i].pred)
				continue
			}
			// the predictions at η are unchanged: only σ moved
			o := p.objs[i]
			copy(o.pred, c.pred)
			c.ll = o.residualTerms(c.eta, nil) - mm.prior(c.eta)
		}
		if opt.Progress != nil && (it%10 == 0 || it == total) {
			s := 0.0
			for _, c := range chains {
				s += c.ll + mm.prior(c.eta)
			}
			opt.Progress(it, s+float64(n)*mm.logDetOm, mm)
		}
		if opt.Checkpoint != nil {
			cp, err := p.saemSnapshot(it, chains, s1, s2, sFree, sSigma, mu)
			if err != nil {
				return nil, err
			}
			if err := opt.Checkpoint(cp); err != nil {
				return nil, fmt.Errorf("fit: SAEM stopped after iteration %d: %v", it, err)
			}
		}
	}
	for i, c := range chains {
		copy(p.etas[i], c.eta)
	}
	out, err := p.finish("saem", p.vector(), max(last, first-1), "", nil, opt.PopOptions)
	if err == nil && last < total {
		out.Warning = joinWarn(out.Warning, fmt.Sprintf("SAEM stopped after iteration %d of its %d (the iteration limit): continue it with --resume", last, total))
	}
	return out, err
}

// mcmc runs the Metropolis–Hastings kernels on one subject's chain.
func (p *popProblem) mcmc(i int, c *saemChain, lo *mat.TriDense, dataTerm func(int, []float64) float64) error {
	m := p.m
	k := len(c.eta)
	o := p.objs[i]
	if c.ll == 0 || math.IsInf(c.ll, 0) {
		c.ll = dataTerm(i, c.eta)
		copy(c.pred, o.pred)
	}
	prop := make([]float64, k)
	z := make([]float64, k)
	// kernel 1: independent proposals from the prior; the acceptance ratio
	// is the likelihood ratio
	for rep := 0; rep < 2; rep++ {
		for a := range z {
			z[a] = c.src.Normal(0, 1)
		}
		for a := 0; a < k; a++ {
			prop[a] = 0
			for b := 0; b <= a; b++ {
				prop[a] += lo.At(a, b) * z[b]
			}
		}
		ll := dataTerm(i, prop)
		if u := c.src.Float64(); !math.IsInf(ll, 0) && math.Log(u) < -0.5*(ll-c.ll) {
			copy(c.eta, prop)
			copy(c.pred, o.pred)
			c.ll = ll
		}
	}
	// kernel 2: random walk on each η in turn (target: data term + prior)
	cur := c.ll + m.prior(c.eta)
	for a := 0; a < k; a++ {
		copy(prop, c.eta)
		prop[a] += c.scale[a] * c.src.Normal(0, 1)
		ll := dataTerm(i, prop)
		c.tries[a]++
		if u := c.src.Float64(); !math.IsInf(ll, 0) {
			t := ll + m.prior(prop)
			if math.Log(u) < -0.5*(t-cur) {
				copy(c.eta, prop)
				copy(c.pred, o.pred)
				c.ll, cur = ll, t
				c.accept[a]++
			}
		}
		if c.tries[a] == 20 { // adapt towards 40% acceptance
			c.scale[a] *= 1 + 0.4*(float64(c.accept[a])/20-0.4)
			c.tries[a], c.accept[a] = 0, 0
		}
	}
	// kernel 3: random walk of the whole vector
	for a := 0; a < k; a++ {
		prop[a] = c.eta[a] + 0.5*c.scale[a]*c.src.Normal(0, 1)
	}
	ll := dataTerm(i, prop)
	if u := c.src.Float64(); !math.IsInf(ll, 0) {
		if t := ll + m.prior(prop); math.Log(u) < -0.5*(t-cur) {
			copy(c.eta, prop)
			copy(c.pred, o.pred)
			c.ll = ll
		}
	}
	return nil
}

// mstepResidual updates σ and the non-mu-referenced θ: the minimum of the
// data term over the subjects at their current η, reached by the step gamma
// (sFree: log θ; sSigma: add, prop).
func (p *popProblem) mstepResidual(chains []*saemChain, free []int, sFree, sSigma []float64, gamma float64) {
	m := p.m
	e := m.Error
	if len(free) == 0 && e.Kind != Combined {
		// closed form: σ² = mean of the squared (relative or log) residuals
		ss, nobs := 0.0, 0
		for i, c := range chains {
			o := p.objs[i]
			if math.IsInf(c.ll, 0) {
				continue
			}
			for _, ri := range o.obs {
				r := o.s.Records[ri]
				if r.BLQ {
					continue
				}
				f := c.pred[ri]
				var d float64
				switch e.Kind {
				case Proportional:
					d = (r.DV - f) / f
				case ExponentialError:
					d = o.logY[ri] - math.Log(f)
				default:
					d = r.DV - f
				}
				if !math.IsNaN(d) && !math.IsInf(d, 0) {
					ss += d * d
					nobs++
				}
			}
		}
		if nobs == 0 {
			return
		}
		sd := math.Sqrt(ss / float64(nobs))
		if e.Kind == Proportional {
			sSigma[1] += gamma * (sd - sSigma[1])
			m.Error.Prop = sSigma[1]
		} else {
			sSigma[0] += gamma * (sd - sSigma[0])
			m.Error.Add = sSigma[0]
		}
		return
	}
	// numerical: Nelder–Mead over (log θ_free, log σ) from the current values
	var x0 []float64
	for _, j := range free {
		x0 = append(x0, math.Log(m.Params[j].Typical))
	}
	if e.Kind != Proportional {
		x0 = append(x0, math.Log(e.Add))
	}
	if e.Kind == Proportional || e.Kind == Combined {
		x0 = append(x0, math.Log(e.Prop))
	}
	apply := func(x []float64) {
		for q, j := range free {
			m.Params[j].Typical = math.Exp(x[q])
		}
		r := len(free)
		if e.Kind != Proportional {
			m.Error.Add = math.Exp(x[r])
			r++
		}
		if e.Kind == Proportional || e.Kind == Combined {
			m.Error.Prop = math.Exp(x[r])
		}
	}
	obj := func(x []float64) float64 {
		apply(x)
		s := 0.0
		for i, c := range chains {
			s += p.objs[i].value(c.eta) - m.prior(c.eta)
		}
		if math.IsNaN(s) {
			return math.Inf(1)
		}
		return s
	}
	res, err := optimize.Minimize(optimize.Problem{Func: obj}, x0,
		&optimize.Settings{FuncEvaluations: 60 * len(x0), Converger: &optimize.FunctionConverge{Absolute: 1e-6, Iterations: 20}},
		&optimize.NelderMead{})
	best := x0
	if res != nil && err == nil || res != nil && !math.IsInf(res.F, 0) {
		best = res.X
	}
	for q := range free {
		sFree[q] += gamma * (best[q] - sFree[q])
		m.Params[free[q]].Typical = math.Exp(sFree[q])
	}
	r := len(free)
	if e.Kind != Proportional {
		sSigma[0] += gamma * (math.Exp(best[r]) - sSigma[0])
		m.Error.Add = sSigma[0]
		r++
	}
	if e.Kind == Proportional || e.Kind == Combined {
		sSigma[1] += gamma * (math.Exp(best[r]) - sSigma[1])
		m.Error.Prop = sSigma[1]
	}
}
