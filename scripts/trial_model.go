package scripts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// LangModel is a trial's model written in the model language (physio/modlang):
//
//	local model = require("medtwin.model")        -- or the sandbox's global model
//	return trial {
//	  model  = model.library("pk2_oral"),          -- or model { ... } / model [[ $PROB ... ]]
//	  params = function(s) return { CL = 5 * (s.weight_kg / 70)^0.75 } end,  -- optional: typical values
//	  iiv    = { KA = 0.4 },                         -- SD of η (log scale), any model parameter
//	  omega  = { params = { "CL", "V1" }, block = { 0.09, 0.03, 0.04 } },  -- NONMEM's $OMEGA BLOCK(2)
//	  output = "cp",                                 -- the concentration endpoints are on (default: first output)
//	  solver = "auto",                               -- auto | exact | taylor | radau5 | dopri5
//	  ...
//	}
//
// Each subject's parameter P is typical(P)·exp(η_P). The η are drawn from one
// stream per subject and parameter (engine/rng "eta:P"), so adding IIV on one
// parameter does not change another's draws. The block is a lower triangle of
// variances and covariances, row by row, as NONMEM's $OMEGA BLOCK(n); its η
// are L·z with L the Cholesky factor and z the block parameters' own
// standard normal draws (appending a parameter to a block keeps the earlier
// parameters' η).
//
// Solver "auto" takes the exact matrix-exponential path for models linear in
// their states and the Taylor path (rtol 1e-8, atol 1e-10, the reference
// benchmark's tolerances) otherwise; "radau5" is the choice for a stiff model.
// These subjects run on the CPU, on all cores, whatever the trial's Runner
// (a cohort Backend job for model-language models does not exist yet).
// Dosing records' cmt is the 1-based number of the dosed state (0: the
// first state); SS is not supported. Endpoints default to the output; an
// endpoint's of may name any state, output or assigned quantity of the model.
type LangModel struct {
	Model  *modlang.Model
	Output string
	Path   modlang.Path
	// SD is the standard deviation of η by parameter (diagonal IIV).
	SD map[string]float64
	// Block names the parameters of the Ω block; Chol is its lower Cholesky
	// factor (nil: no block).
	Block []string
	Chol  *mat.TriDense
}

// langFields are the trial fields that only a model-language model takes.
var langFields = []string{"params", "omega", "output", "solver"}

// describeLang reads the model-language part of a trial spec.
func (tr *Trial) describeLang(L *lua.LState, t *lua.LTable, m *modlang.Model, fail func(string, ...any) error) error {
	lm := &LangModel{Model: m, SD: map[string]float64{}}
	if v := t.RawGetString("params"); v != lua.LNil {
		if _, ok := v.(*lua.LFunction); !ok {
			return fail("params must be a function(s) returning typical parameter values, got %s", v.Type())
		}
	}
	names := make([]string, len(m.Spec.Params))
	for i, p := range m.Spec.Params {
		names[i] = p.Name
	}
	checkName := func(what, p string) error {
		if m.ParamIndex(p) < 0 {
			return fail("%s: model %s has no parameter %q%s", what, m.Spec.Name, p, didYouMean(p, names))
		}
		return nil
	}
	var bad error
	if it, ok := t.RawGetString("iiv").(*lua.LTable); ok {
		it.ForEach(func(k, v lua.LValue) {
			if bad != nil {
				return
			}
			if bad = checkName("iiv", k.String()); bad != nil {
				return
			}
			n, ok := v.(lua.LNumber)
			if !ok || !(n >= 0) || math.IsInf(float64(n), 0) {
				bad = fail("iiv.%s must be a standard deviation >= 0 (log scale)", k)
				return
			}
			lm.SD[k.String()] = float64(n)
		})
	}
	if bad != nil {
		return bad
	}
	if ov := t.RawGetString("omega"); ov != lua.LNil {
		L.Push(ov)
		c := newCfg(L, L.GetTop(), "omega", "params", "block")
		L.Pop(1)
		pt, ok := c.t.RawGetString("params").(*lua.LTable)
		if !ok || pt.Len() == 0 {
			return fail("omega needs params = { \"CL\", \"V1\", ... } and block = { lower triangle of Ω, row by row }")
		}
		for i := 1; i <= pt.Len(); i++ {
			p := lua.LVAsString(pt.RawGetInt(i))
			if err := checkName("omega.params", p); err != nil {
				return err
			}
			if _, ok := lm.SD[p]; ok {
				return fail("omega.params: %s also has iiv.%s; give a parameter's variability once", p, p)
			}
			for _, q := range lm.Block {
				if q == p {
					return fail("omega.params lists %s twice", p)
				}
			}
			lm.Block = append(lm.Block, p)
		}
		n := len(lm.Block)
		tri := c.list("block", n*(n+1)/2)
		if len(tri) != n*(n+1)/2 {
			return fail("omega.block has %d values; a %d×%d block needs %d (its lower triangle, row by row)", len(tri), n, n, n*(n+1)/2)
		}
		om, err := lowerTriangle(n, tri)
		if err != nil {
			return fail("omega.block: %v", err)
		}
		var ch mat.Cholesky
		if !ch.Factorize(om) {
			return fail("omega.block is not positive definite (a correlation beyond ±1?)")
		}
		lm.Chol = mat.NewTriDense(n, mat.Lower, nil)
		ch.LTo(lm.Chol)
	}
	if len(m.Spec.Outputs) > 0 {
		lm.Output = m.Spec.Outputs[0]
	}
	if v := t.RawGetString("output"); v != lua.LNil {
		lm.Output = lua.LVAsString(v)
	}
	if lm.Output == "" {
		return fail("model %s declares no output: give output = \"<state or quantity>\" for the endpoints", m.Spec.Name)
	}
	if v := t.RawGetString("solver"); v != lua.LNil {
		p, ok := pathNames[lua.LVAsString(v)]
		if !ok {
			return fail("solver '%s' unknown%s", lua.LVAsString(v), didYouMean(lua.LVAsString(v), sortedKeys(pathNames)))
		}
		if p == modlang.Exact && !m.Linear() {
			return fail("solver = \"exact\": model %s is not linear in its states", m.Spec.Name)
		}
		lm.Path = p
	}
	// every quantity the endpoints read must exist
	in := m.NewInstance()
	if err := in.SetParams(m.Defaults()); err != nil {
		return fail("%v", err)
	}
	y := make([]float64, m.NumStates())
	in.Init(y)
	if _, err := in.Value(lm.Output, 0, y); err != nil {
		return fail("output: %v", err)
	}
	tr.Lang = lm
	return nil
}

// checkOf checks an endpoint's of for a model-language model: "" or "conc"
// (the output) or a quantity of the model.
func (lm *LangModel) checkOf(of string) (string, error) {
	if of == "" || of == "conc" {
		return "conc", nil
	}
	in := lm.Model.NewInstance()
	if err := in.SetParams(lm.Model.Defaults()); err != nil {
		return "", err
	}
	y := make([]float64, lm.Model.NumStates())
	in.Init(y)
	_, err := in.Value(of, 0, y)
	return of, err
}

// lowerTriangle makes the symmetric matrix of a lower triangle given row by row.
func lowerTriangle(n int, tri []float64) (*mat.SymDense, error) {
	s := mat.NewSymDense(n, nil)
	k := 0
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			if math.IsNaN(tri[k]) || math.IsInf(tri[k], 0) || i == j && !(tri[k] >= 0) {
				return nil, fmt.Errorf("element %d,%d is %v; want finite values and variances >= 0", i+1, j+1, tri[k])
			}
			s.SetSym(i, j, tri[k])
			k++
		}
	}
	return s, nil
}

// ParamNames lists the model's parameters, in declaration order.
func (lm *LangModel) ParamNames() []string {
	out := make([]string, len(lm.Model.Spec.Params))
	for i, p := range lm.Model.Spec.Params {
		out[i] = p.Name
	}
	return out
}

// Etas returns subject's η by parameter (0 for parameters without IIV): one
// standard normal stream per subject and parameter, the block's through its
// Cholesky factor.
func (lm *LangModel) Etas(seed uint64, subject int) map[string]float64 {
	z := func(p string) float64 { return rng.New(seed, 0, "eta:"+p, uint64(subject)).Normal(0, 1) }
	eta := map[string]float64{}
	for p, sd := range lm.SD {
		if sd > 0 {
			eta[p] = sd * z(p)
		}
	}
	if lm.Chol != nil {
		zs := make([]float64, len(lm.Block))
		for j, p := range lm.Block {
			zs[j] = z(p)
		}
		for i, p := range lm.Block {
			v := 0.0
			for j := 0; j <= i; j++ {
				v += lm.Chol.At(i, j) * zs[j]
			}
			eta[p] = v
		}
	}
	return eta
}

// subjectParams returns a subject's parameters: the typical values (defaults
// overridden by params(s)) times exp(η).
func (lm *LangModel) subjectParams(typ map[string]float64, eta map[string]float64) ([]float64, map[string]float64, error) {
	p, err := lm.Model.Params(typ)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]float64{}
	for i, q := range lm.Model.Spec.Params {
		if e, ok := eta[q.Name]; ok {
			p[i] *= math.Exp(e)
		}
		byName[q.Name] = p[i]
	}
	return p, byName, nil
}

// langDoses converts trial dosing records to the model's.
func (lm *LangModel) langDoses(doses []pk.Dose) ([]modlang.Dose, error) {
	out := make([]modlang.Dose, len(doses))
	ns := lm.Model.NumStates()
	for i, d := range doses {
		if d.SS != 0 {
			return nil, fmt.Errorf("%s: SS is not supported with a model-language model", d.Source)
		}
		if d.Cmt < 0 || d.Cmt > ns {
			return nil, fmt.Errorf("%s: cmt = %d; model %s has states 1..%d", d.Source, d.Cmt, lm.Model.Spec.Name, ns)
		}
		cmt := ""
		if d.Cmt > 0 {
			cmt = lm.Model.Spec.States[d.Cmt-1].Name
		}
		out[i] = modlang.Dose{Time: d.Time, Amt: d.Amt, Rate: d.Rate, II: d.II, ADDL: d.ADDL, Cmt: cmt}
	}
	return out, nil
}

// langSubject is one subject's bound model.
type langSubject struct {
	lm    *LangModel
	p     []float64
	doses []modlang.Dose
}

// lag returns the lag time of doses into state cmt (1-based; 0 the first).
func (s *langSubject) lag(in *modlang.Instance, cmt int) float64 {
	if cmt > 0 {
		cmt--
	}
	v, _ := in.Dose(cmt, modlang.DoseALAG)
	return v
}

// instance binds the subject's parameters to a fresh instance.
func (s *langSubject) instance() (*modlang.Instance, error) {
	in := s.lm.Model.NewInstance()
	return in, in.SetParams(s.p)
}

// job returns the subject's backend job at times, reporting the named
// quantities ("conc": the model's output).
func (s *langSubject) job(times []float64, names []string) cohort.ModelJob {
	q := make([]string, len(names))
	for k, n := range names {
		q[k] = n
		if n == "conc" {
			q[k] = s.lm.Output
		}
	}
	o := modlang.SimOptions{Path: s.lm.Path}
	if !s.lm.Model.Linear() {
		o.RTol, o.ATol = odeRTol, odeATol
	}
	return cohort.ModelJob{Model: s.lm.Model, Params: s.p, Doses: s.doses, Times: times, Names: q, Options: o}
}

// ofNames lists the distinct quantities the endpoints read, "conc" first.
func ofNames(of []string) []string {
	seen := map[string]bool{"conc": true}
	out := []string{"conc"}
	for _, o := range of {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	sort.Strings(out[1:])
	return out
}

// langJobs makes subject i's jobs, one per arm, for a model-language model.
func (tr *Trial) langJobs(ctx context.Context, L *lua.LState, arms *lua.LTable, s *lua.LTable, typ map[string]float64, cov []float64, i int) ([]trialJob, error) {
	lm := tr.Lang
	p, params, err := lm.subjectParams(typ, lm.Etas(tr.Seed, i))
	if err != nil {
		return nil, fmt.Errorf("%s: params(s), subject %d: %v", tr.Path, i, err)
	}
	var jobs []trialJob
	for a := 1; a <= arms.Len(); a++ {
		_, doses, err := tr.armDoses(ctx, L, arms.RawGetInt(a).(*lua.LTable), s, a, i)
		if err != nil {
			return nil, err
		}
		md, err := lm.langDoses(doses)
		if err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", tr.where, i, err)
		}
		res := SubjectResult{Subject: i, Arm: a - 1, Covariates: cov, Params: params}
		if admins, err := pk.Expand(doses); err == nil {
			for _, ad := range admins {
				if ad.Time <= tr.horizon() {
					res.TotalDose += ad.Amount
				}
			}
		}
		jobs = append(jobs, trialJob{res: res, lang: &langSubject{lm: lm, p: p, doses: md}, doses: doses})
	}
	return jobs, nil
}

// simulateLang runs the model-language jobs on runner when it runs such
// models (cohort.ModelRunner), else on the CPU backend: each on the grid
// (plus a point just before each dose, as for pk models) and, for the first
// subjects when the spec asks, on the series times.
func (tr *Trial) simulateLang(runner cohort.JobRunner, jobs []trialJob, base, series []float64) error {
	names := ofNames(tr.of)
	end := tr.horizon()
	var mjobs []cohort.ModelJob
	gridJob, seriesJob := make([]int, len(jobs)), make([]int, len(jobs))
	fail := func(j int, err error) error {
		return fmt.Errorf("%s: subject %d, arm %q: %w", tr.Path, jobs[j].res.Subject, tr.Arms[jobs[j].res.Arm], err)
	}
	for j := range jobs {
		jb := &jobs[j]
		gridJob[j], seriesJob[j] = -1, -1
		if jb.lang == nil {
			continue
		}
		in, err := jb.lang.instance()
		if err != nil {
			return fail(j, err)
		}
		grid := append([]float64(nil), base...)
		admins, _ := pk.Expand(jb.doses)
		for _, a := range admins {
			t := a.Time + jb.lang.lag(in, a.Cmt)
			if t > 1e-6 && t <= end {
				grid = append(grid, t-1e-6)
			}
		}
		sort.Float64s(grid)
		gridJob[j] = len(mjobs)
		mjobs = append(mjobs, jb.lang.job(grid, names))
		if len(series) > 0 && jb.res.Subject < tr.Series.Subjects {
			seriesJob[j] = len(mjobs)
			mjobs = append(mjobs, jb.lang.job(series, []string{"conc"}))
		}
	}
	if len(mjobs) == 0 {
		return nil
	}
	mr, ok := runner.(cohort.ModelRunner)
	if !ok {
		var err error
		if mr, err = cohort.ModelRunnerFor("cpu"); err != nil {
			return err
		}
	}
	if err := mr.SimulateModels(mjobs); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			for j := range jobs {
				if gridJob[j] == je.Job || seriesJob[j] == je.Job {
					return fail(j, je.Err)
				}
			}
		}
		return fmt.Errorf("%s: %w", tr.Path, err)
	}
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := &jobs[j]
		if jb.lang == nil {
			return
		}
		g := &mjobs[gridJob[j]]
		curves := map[string][]float64{}
		for k, n := range names {
			curves[n] = g.Values[k]
		}
		for k, e := range tr.Endpoints {
			jb.res.Endpoints = append(jb.res.Endpoints, e.Eval(g.Times, curves[tr.of[k]]))
		}
		if k := seriesJob[j]; k >= 0 {
			jb.res.Series = mjobs[k].Values[0]
		}
		tr.finish(jb, g.Times, curves["conc"])
	})
	return nil
}
