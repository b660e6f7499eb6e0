package scripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pd"
	"github.com/medtwin/medtwin/physio/pk"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// Trial is an in-silico trial spec written in Lua (`return trial { ... }`): a
// population, a model giving each subject's typical parameters from its
// covariates, inter-individual variability, arms (dosing records, fixed or a
// function of the subject), a sampling schedule with residual error, endpoints
// and a target. Every subject is simulated in every arm (a paired virtual design).
type Trial struct {
	Path, Name, Description, SHA256 string
	Subjects                        int
	Seed                            uint64
	Population                      *cohort.Population
	IIV                             map[string]float64 // SD of η on the log scale, by parameter
	Arms                            []string
	SampleTimes                     []float64
	Residual                        pk.Residual
	Endpoints                       []cohort.Endpoint
	Target                          struct {
		Endpoint string
		Min, Max float64
	}
	// Grid is the step (hours) of the concentration grid endpoints are computed on.
	Grid float64
	// Replicates, when N > 0, cuts the virtual cohort into replicate parallel-
	// group trials of N subjects per arm for power (see Power).
	Replicates struct {
		N     int
		Alpha float64
	}
	// Series, when Every > 0, keeps each of the first Subjects subjects'
	// concentration every Every hours up to Until (timeseries.arrow).
	Series struct {
		Every, Until float64
		Subjects     int
	}
	// Runner simulates the subjects' PK (nil: the CPU backend). A GPU
	// backend registers itself in physio/cohort (plugins/cuda).
	Runner cohort.JobRunner
	// Lang is the model when the spec's model is written in the model
	// language (see LangModel); nil when model(s) returns pk parameters.
	Lang *LangModel
	// Fits are the fits the spec took its population model from (fit("DIR"), trial_fit.go).
	Fits []FitSource

	proto    *lua.FunctionProto
	where    string
	adaptAt  [][]float64 // per arm, the dose-adjustment times (none: a fixed regimen)
	of       []string    // per endpoint: "conc", "effect" (Emax, through Ce if ke0) or "response" (indirect)
	imported *patients   // population.patients, when the cohort comes from a file
}

// Bounds on a trial spec (see describeRest).
const (
	maxGridPoints = 10_000_000
	maxSubjects   = 100_000_000
)

var trialFields = []string{"name", "description", "subjects", "seed", "population", "model", "iiv", "arms", "sampling", "endpoints", "target", "grid", "replicates", "timeseries", "params", "omega", "output", "solver"}

// LoadTrial reads and checks a trial spec; errors name the file and line.
func LoadTrial(path string) (*Trial, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read trial spec: %w", err)
	}
	chunk := filepath.ToSlash(path)
	proto, err := Compile(string(src), chunk)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	tr := &Trial{Path: chunk, SHA256: hex.EncodeToString(sum[:]), proto: proto, Seed: 1, Subjects: 1000, Grid: 0.05}
	L, t, closeAll, err := tr.evaluate(context.Background(), time.Minute)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	// describe reads tables with the Lua host's checkers, which raise Lua
	// errors: run it protected so that a bad key is an error, not a panic
	var derr error
	fn := L.NewFunction(func(L *lua.LState) int {
		derr = tr.describe(L, t)
		return 0
	})
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}); err != nil {
		return nil, fmt.Errorf("%s: %s", tr.where, strings.TrimSpace(luaMessage(err)))
	}
	return tr, derr
}

// evaluate runs the spec in a fresh sandbox. The deadline bounds runaway Lua
// (an endless loop in a model function is an error, not a hang); closing the
// returned close function releases the state and its deadline.
func (tr *Trial) evaluate(ctx context.Context, budget time.Duration) (*lua.LState, *lua.LTable, func(), error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	L, err := newSandbox(ctx, Limits{}, nil, filepath.Dir(tr.Path))
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	closeAll := func() { L.Close(); cancel() }
	L.SetGlobal("trial", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		t.RawSetString("__trial", lua.LTrue)
		t.RawSetString("__where", lua.LString(strings.TrimSuffix(L.Where(1), ":")))
		L.Push(t)
		return 1
	}))
	registerFit(L, tr)
	strictGlobals(L)
	L.Push(L.NewFunctionFromProto(tr.proto))
	if err := L.PCall(0, 1, nil); err != nil {
		closeAll()
		return nil, nil, nil, luaError(err, tr.Path, ctx)
	}
	t, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok || t.RawGetString("__trial") != lua.LTrue {
		closeAll()
		return nil, nil, nil, fmt.Errorf("%s: a trial spec must end with `return trial { ... }`", tr.Path)
	}
	return L, t, closeAll, nil
}

func (tr *Trial) describe(L *lua.LState, t *lua.LTable) error {
	tr.where = lua.LVAsString(t.RawGetString("__where"))
	fail := func(format string, a ...any) error { return fmt.Errorf("%s: %s", tr.where, fmt.Sprintf(format, a...)) }
	var bad error
	t.ForEach(func(k, _ lua.LValue) {
		key := k.String()
		if bad != nil || strings.HasPrefix(key, "__") {
			return
		}
		for _, f := range trialFields {
			if f == key {
				return
			}
		}
		bad = fail("unknown trial field '%s'%s", key, didYouMean(key, trialFields))
	})
	if bad != nil {
		return bad
	}
	tr.Name = lua.LVAsString(t.RawGetString("name"))
	tr.Description = lua.LVAsString(t.RawGetString("description"))
	if tr.Name == "" {
		return fail("the trial needs a name")
	}
	if v, ok := t.RawGetString("subjects").(lua.LNumber); ok {
		tr.Subjects = int(v)
	}
	if v, ok := t.RawGetString("seed").(lua.LNumber); ok {
		tr.Seed = uint64(v)
	}
	if v, ok := t.RawGetString("grid").(lua.LNumber); ok {
		tr.Grid = float64(v)
	}
	if tr.Subjects < 1 || !(tr.Grid > 0) {
		return fail("subjects must be >= 1 and grid > 0 h")
	}
	// population
	pt, ok := t.RawGetString("population").(*lua.LTable)
	if !ok {
		return fail("the trial needs population = { covariates = { ... } }")
	}
	L.Push(pt)
	pc := newCfg(L, L.GetTop(), "population", "covariates", "correlation", "patients", "resample")
	L.Pop(1)
	if pc.has("patients") {
		if pc.has("covariates") || pc.has("correlation") {
			return fail("population: give either patients = \"file.csv\" or covariates, not both")
		}
		name := lua.LVAsString(pc.t.RawGetString("patients"))
		file, err := insideDir(filepath.Dir(tr.Path), name)
		if err != nil {
			return fail("population.patients %q: %v", name, err)
		}
		pts, err := readPatients(file)
		if err != nil {
			return fail("population.patients: %v", err)
		}
		pts.resample = lua.LVAsBool(pc.t.RawGetString("resample"))
		if !pts.resample && tr.Subjects > len(pts.rows) {
			return fail("population.patients has %d patients and the trial asks for %d subjects; set resample = true to draw patients with replacement", len(pts.rows), tr.Subjects)
		}
		tr.imported = pts
		return tr.describeRest(L, t, fail)
	}
	tr.Population = &cohort.Population{}
	ct, ok := pt.RawGetString("covariates").(*lua.LTable)
	if !ok || ct.Len() == 0 {
		return fail("population.covariates must list the covariates")
	}
	for i := 1; i <= ct.Len(); i++ {
		L.Push(ct.RawGetInt(i))
		c := newCfg(L, L.GetTop(), fmt.Sprintf("population covariate %d", i), "name", "dist", "mean", "sd", "median", "sigma", "p", "min", "max")
		L.Pop(1)
		tr.Population.Covariates = append(tr.Population.Covariates, cohort.Covariate{Name: lua.LVAsString(c.t.RawGetString("name")),
			Dist: lua.LVAsString(c.t.RawGetString("dist")), Mean: c.num("mean", 0), SD: c.num("sd", 0), Median: c.num("median", 0),
			Sigma: c.num("sigma", 0), P: c.num("p", 0), Min: c.num("min", math.Inf(-1)), Max: c.num("max", 0)})
	}
	if cm, ok := pt.RawGetString("correlation").(*lua.LTable); ok {
		n := len(tr.Population.Covariates)
		data := make([]float64, 0, n*n)
		for i := 1; i <= n; i++ {
			row := numList(L, cm.RawGetInt(i), fmt.Sprintf("population.correlation row %d", i), n)
			data = append(data, row...)
		}
		if len(data) != n*n {
			return fail("population.correlation must be %d×%d", n, n)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if data[i*n+j] != data[j*n+i] {
					return fail("population.correlation is not symmetric at %d,%d", i+1, j+1)
				}
			}
		}
		tr.Population.Correlation = mat.NewSymDense(n, data)
	}
	if err := tr.Population.Validate(); err != nil {
		return fail("%v", err)
	}
	return tr.describeRest(L, t, fail)
}

// describeRest reads everything after the population.
func (tr *Trial) describeRest(L *lua.LState, t *lua.LTable, fail func(string, ...any) error) error {
	var bad error
	if ud, ok := t.RawGetString("model").(*lua.LUserData); ok {
		m, ok := ud.Value.(*modlang.Model)
		if !ok {
			return fail("model must be a model-language model or a function(s) returning pk parameters")
		}
		if err := tr.describeLang(L, t, m, fail); err != nil {
			return err
		}
	} else if _, ok := t.RawGetString("model").(*lua.LFunction); !ok {
		return fail("the trial needs model = function(s) return { ncmt = 2, cl = ..., v1 = ..., ... } end, or a model-language model (model.library(\"pk2_oral\"), model { ... })")
	} else {
		for _, f := range langFields {
			if t.RawGetString(f) != lua.LNil {
				return fail("%s applies to a model-language model (model = model.library(...) or model { ... }), not to model(s) returning pk parameters", f)
			}
		}
	}
	tr.IIV = map[string]float64{}
	if it, ok := t.RawGetString("iiv").(*lua.LTable); ok && tr.Lang == nil {
		it.ForEach(func(k, v lua.LValue) {
			if n, ok := v.(lua.LNumber); ok && n >= 0 {
				tr.IIV[k.String()] = float64(n)
			} else if bad == nil {
				bad = fail("iiv.%s must be a standard deviation >= 0 (log scale)", k)
			}
		})
	}
	at, ok := t.RawGetString("arms").(*lua.LTable)
	if !ok || at.Len() == 0 {
		return fail("the trial needs arms = { { name = ..., doses = ... }, ... }")
	}
	for i := 1; i <= at.Len(); i++ {
		a, ok := at.RawGetInt(i).(*lua.LTable)
		if !ok || lua.LVAsString(a.RawGetString("name")) == "" || a.RawGetString("doses") == lua.LNil {
			return fail("arm %d needs a name and doses (records or a function of the subject)", i)
		}
		tr.Arms = append(tr.Arms, lua.LVAsString(a.RawGetString("name")))
		var at []float64
		if av := a.RawGetString("adapt"); av != lua.LNil {
			if tr.Lang != nil {
				return fail("arm %d: adapt is not supported with a model-language model yet", i)
			}
			L.Push(av)
			c := newCfg(L, L.GetTop(), fmt.Sprintf("arm %d adapt", i), "at", "fn")
			L.Pop(1)
			if _, ok := c.t.RawGetString("fn").(*lua.LFunction); !ok {
				return fail("arm %d adapt needs fn = function(s, levels, t, ctx) ... end", i)
			}
			if v, ok := c.t.RawGetString("at").(lua.LNumber); ok {
				at = []float64{float64(v)}
			} else {
				at = c.list("at", 0)
			}
			if len(at) == 0 || !sort.Float64sAreSorted(at) || at[0] < 0 {
				return fail("arm %d adapt.at must list the adjustment times (h, ascending, >= 0)", i)
			}
		}
		tr.adaptAt = append(tr.adaptAt, at)
	}
	if st, ok := t.RawGetString("sampling").(*lua.LTable); ok {
		L.Push(st)
		c := newCfg(L, L.GetTop(), "sampling", "times", "residual")
		L.Pop(1)
		tr.SampleTimes = c.list("times", 0)
		if r := c.sub("residual", "add", "prop"); r != nil {
			tr.Residual = pk.Residual{Add: r.num("add", 0), Prop: r.num("prop", 0)}
		}
	}
	et, ok := t.RawGetString("endpoints").(*lua.LTable)
	if !ok {
		return fail("the trial needs endpoints = { name = { auc = {from, to} } | { cmax = {from, to} } | { conc = t } | { time_above = level, window = {from, to} }, ... }")
	}
	var names []string
	et.ForEach(func(k, _ lua.LValue) { names = append(names, k.String()) })
	sort.Strings(names)
	for _, name := range names {
		L.Push(et.RawGetString(name))
		c := newCfg(L, L.GetTop(), "endpoint "+name, "auc", "cmax", "cmin", "conc", "time_above", "window", "of")
		L.Pop(1)
		switch of := lua.LVAsString(c.t.RawGetString("of")); {
		case tr.Lang != nil:
			q, err := tr.Lang.checkOf(of)
			if err != nil {
				return fail("endpoint %s: of: %v", name, err)
			}
			tr.of = append(tr.of, q)
		case of == "" || of == "conc":
			tr.of = append(tr.of, "conc")
		case of == "effect" || of == "response":
			tr.of = append(tr.of, of)
		default:
			return fail("endpoint %s: of = %q; want \"conc\" (the default), \"effect\" (the Emax effect of the model's e0, emax, ec50, hill; through an effect compartment if it returns ke0) or \"response\" (the indirect response of its irm, kin, kout, rmax, r50)", name, of)
		}
		e := cohort.Endpoint{Name: name}
		win := func(key string) {
			w := c.list(key, 2)
			e.From, e.To = w[0], w[1]
		}
		switch {
		case c.has("auc"):
			e.Kind = "auc"
			win("auc")
		case c.has("cmax"):
			e.Kind = "cmax"
			win("cmax")
		case c.has("cmin"):
			e.Kind = "cmin"
			win("cmin")
		case c.has("conc"):
			e.Kind, e.At = "conc", c.num("conc", -1)
		case c.has("time_above"):
			e.Kind, e.Level = "time_above", c.num("time_above", 0)
			win("window")
		default:
			return fail("endpoint %s: give one of auc, cmax, cmin, conc, time_above", name)
		}
		if err := e.Validate(); err != nil {
			return fail("%v", err)
		}
		tr.Endpoints = append(tr.Endpoints, e)
	}
	// bound the work per subject: a typo like auc = {0, 1e9} is an error, not an
	// exhausted machine
	end := tr.horizon()
	if pts := end / tr.Grid; pts > maxGridPoints || math.IsNaN(pts) {
		return fail("endpoints and sampling reach %g h: on the %g h grid that is %.3g points per subject, more than %d; raise grid", end, tr.Grid, pts, maxGridPoints)
	}
	if tr.Subjects > maxSubjects {
		return fail("subjects = %d: at most %d per run; use --shard for more", tr.Subjects, maxSubjects)
	}
	if tt, ok := t.RawGetString("target").(*lua.LTable); ok {
		L.Push(tt)
		c := newCfg(L, L.GetTop(), "target", "endpoint", "min", "max")
		L.Pop(1)
		tr.Target.Endpoint = lua.LVAsString(c.t.RawGetString("endpoint"))
		tr.Target.Min, tr.Target.Max = c.num("min", math.Inf(-1)), c.num("max", math.Inf(1))
		found := false
		for _, e := range tr.Endpoints {
			found = found || e.Name == tr.Target.Endpoint
		}
		if !found {
			return fail("target.endpoint %q is not an endpoint%s", tr.Target.Endpoint, didYouMean(tr.Target.Endpoint, names))
		}
	}
	if sv := t.RawGetString("timeseries"); sv != lua.LNil {
		L.Push(sv)
		c := newCfg(L, L.GetTop(), "timeseries", "every", "to", "subjects")
		L.Pop(1)
		tr.Series.Every, tr.Series.Until, tr.Series.Subjects = c.num("every", tr.Grid), c.num("to", 0), int(c.num("subjects", float64(tr.Subjects)))
		if !(tr.Series.Every > 0) || tr.Series.Until < 0 || tr.Series.Subjects < 0 || math.Max(tr.Series.Until, end)/tr.Series.Every > maxGridPoints {
			return fail("timeseries needs every > 0 h (the grid step, %g h, for the full curve), to >= 0 h, subjects >= 0 and at most %d points", tr.Grid, maxGridPoints)
		}
	}
	if rv := t.RawGetString("replicates"); rv != lua.LNil {
		L.Push(rv)
		c := newCfg(L, L.GetTop(), "replicates", "n", "alpha")
		L.Pop(1)
		tr.Replicates.N, tr.Replicates.Alpha = int(c.num("n", 0)), c.num("alpha", 0.05)
		if tr.Replicates.N < 1 || !(tr.Replicates.Alpha > 0 && tr.Replicates.Alpha < 1) {
			return fail("replicates needs n >= 1 subjects per arm and 0 < alpha < 1")
		}
		if tr.Target.Endpoint == "" {
			return fail("replicates compare target attainment: give target = { endpoint = ..., min = ..., max = ... }")
		}
	}
	return bad
}

// SubjectResult is one subject in one arm.
type SubjectResult struct {
	Subject    int
	Arm        int
	Covariates []float64 // in Population order, then crcl_ml_min
	Params     map[string]float64
	Endpoints  []float64
	Samples    []float64 // observations at SampleTimes, with residual error
	TotalDose  float64   // mg given up to the last endpoint or sample time (after any adaptation)
	Series     []float64 // concentration at SeriesTimes, when the spec asks for a time series
	TargetMet  bool
}

// CovariateNames returns the covariate columns (the population's, then the
// derived Cockcroft–Gault clearance when age, weight, creatinine and sex exist).
func (tr *Trial) CovariateNames() []string {
	var out []string
	if tr.imported != nil {
		out = append(out, tr.imported.names...)
	} else {
		for _, c := range tr.Population.Covariates {
			out = append(out, c.Name)
		}
	}
	return append(out, "crcl_ml_min")
}

// covariates fills cov with subject i's covariates: drawn from the population,
// or an imported patient (row i, or with resample a row drawn from the
// subject's own stream, so that a cohort larger than the file can be built).
func (tr *Trial) covariates(i int, cov []float64) error {
	if tr.imported == nil {
		return tr.Population.Sample(tr.Seed, uint64(i), cov)
	}
	rows := tr.imported.rows
	k := i
	if tr.imported.resample {
		k = rng.New(tr.Seed, 0, "patient-resample", uint64(i)).IntN(len(rows))
	} else if i >= len(rows) {
		return fmt.Errorf("%s: subject %d, but population.patients has %d patients; ask for fewer subjects or set resample = true", tr.where, i, len(rows))
	}
	copy(cov, rows[k])
	return nil
}

// The parameters a model function may return: PK ones always, effect ones
// when an endpoint has of = "effect" (ke0 > 0 puts an effect compartment in
// front of the Emax model, 0 is a direct effect), indirect-response ones when
// one has of = "response" (irm: Dayneka's type 1–4; rmax: Imax or Emax; r50:
// IC50 or EC50).
var (
	pkParams       = []string{"ka", "cl", "v1", "q2", "v2", "q3", "v3", "vmax", "km"}
	effectParams   = []string{"e0", "emax", "ec50", "hill", "ke0"}
	responseParams = []string{"irm", "kin", "kout", "rmax", "r50"}
)

// uses reports whether an endpoint is on of ("effect" or "response").
func (tr *Trial) uses(of string) bool {
	if tr.Lang != nil {
		return false // the model's own quantities, not pk's effect models
	}
	for _, o := range tr.of {
		if o == of {
			return true
		}
	}
	return false
}

// ParamNames lists the parameters reported per subject: the PK ones, then the
// effect and indirect-response ones when endpoints use them.
func (tr *Trial) ParamNames() []string {
	if tr.Lang != nil {
		return tr.Lang.ParamNames()
	}
	out := append([]string(nil), pkParams...)
	if tr.uses("effect") {
		out = append(out, effectParams...)
	}
	if tr.uses("response") {
		out = append(out, responseParams...)
	}
	return out
}

// pdModel is a subject's pharmacodynamics: an Emax model (through an effect
// compartment when ke0 > 0) and an indirect response model.
type pdModel struct {
	emax pd.Emax
	ke0  float64
	ind  pd.Indirect
}

// newPD reads a subject's PD parameters (after IIV) for the endpoints in use.
func (tr *Trial) newPD(params map[string]float64) (pdModel, error) {
	var p pdModel
	if tr.uses("effect") {
		p.emax = pd.Emax{E0: params["e0"], Emax: params["emax"], EC50: params["ec50"], Hill: params["hill"]}
		if err := p.emax.Validate(); err != nil {
			return p, fmt.Errorf("an endpoint is on the effect, so model(s) must return ec50 > 0 (and emax, e0, hill): %v", err)
		}
		if p.ke0 = params["ke0"]; !(p.ke0 >= 0) || math.IsInf(p.ke0, 0) {
			return p, fmt.Errorf("ke0 = %v; want >= 0 (0: a direct effect)", p.ke0)
		}
	}
	if tr.uses("response") {
		irm := params["irm"]
		if irm != math.Trunc(irm) || irm < 1 || irm > 4 {
			return p, fmt.Errorf("an endpoint is on the response, so model(s) must return irm = 1, 2, 3 or 4 (indirect response type), got %v", irm)
		}
		p.ind = pd.Indirect{Type: pd.IndirectType(irm), Kin: params["kin"], Kout: params["kout"], Max: params["rmax"], C50: params["r50"]}
		if err := p.ind.Validate(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// series returns the effect or response on the grid for concentrations c.
func (p pdModel) series(of string, grid, c []float64) []float64 {
	drive := c
	if p.ke0 > 0 {
		drive = pd.EffectSiteOnGrid(grid, c, p.ke0)
	}
	if of == "response" {
		return p.ind.OnGrid(grid, drive)
	}
	out := make([]float64, len(c))
	for i, v := range drive {
		out[i] = p.emax.Effect(v)
	}
	return out
}

// Run simulates subjects [from, to) in every arm: covariates and doses from the
// spec (in Lua, one subject after another), the PK on all cores: on the exact
// path for linear models, on the ODE path (Taylor, rtol 1e-8) for models with
// Michaelis–Menten elimination (vmax, km). Results are in subject order, then arm order; they do not depend on
// the number of workers or on the range a subject is run in.
func (tr *Trial) Run(ctx context.Context, from, to int) ([]SubjectResult, error) {
	// Lua gets a minute plus a millisecond per subject and arm: far more than
	// any real model function needs, and a bound on one that never returns.
	L, t, closeAll, err := tr.evaluate(ctx, time.Minute+time.Duration((to-from)*len(tr.Arms))*time.Millisecond)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	model, _ := t.RawGetString("model").(*lua.LFunction)
	if tr.Lang != nil {
		model, _ = t.RawGetString("params").(*lua.LFunction)
	}
	arms := t.RawGetString("arms").(*lua.LTable)
	covNames := tr.CovariateNames()
	var jobs []trialJob
	cov := make([]float64, len(covNames)-1)
	for i := from; i < to; i++ {
		if err := tr.covariates(i, cov); err != nil {
			return nil, err
		}
		vals := append(append([]float64(nil), cov...), math.NaN())
		s := L.NewTable()
		byName := map[string]float64{}
		for k, name := range covNames[:len(cov)] {
			s.RawSetString(name, lua.LNumber(cov[k]))
			byName[name] = cov[k]
		}
		if a, ok1 := byName["age_y"]; ok1 {
			if w, ok2 := byName["weight_kg"]; ok2 {
				if c, ok3 := byName["scr_mg_dl"]; ok3 {
					if crcl, err := pk.CockcroftGault(a, w, c, byName["female"] == 1); err == nil {
						vals[len(vals)-1] = crcl
						s.RawSetString("crcl_ml_min", lua.LNumber(crcl))
					}
				}
			}
		}
		s.RawSetString("id", lua.LNumber(i))
		typ := map[string]float64{}
		if model != nil {
			what := "model(s)"
			if tr.Lang != nil {
				what = "params(s)"
			}
			if err := L.CallByParam(lua.P{Fn: model, NRet: 1, Protect: true}, s); err != nil {
				return nil, luaError(err, tr.Path, ctx)
			}
			pt, ok := L.Get(-1).(*lua.LTable)
			L.Pop(1)
			if !ok {
				return nil, fmt.Errorf("%s: %s must return a table of parameters (subject %d)", tr.Path, what, i)
			}
			var bad error
			pt.ForEach(func(k, v lua.LValue) {
				n, ok := v.(lua.LNumber)
				if !ok && bad == nil {
					bad = fmt.Errorf("%s: %s: parameter %s is %s, want a number (subject %d)", tr.Path, what, k, v.Type(), i)
				}
				typ[k.String()] = float64(n)
			})
			if bad != nil {
				return nil, bad
			}
		}
		if tr.Lang != nil {
			js, err := tr.langJobs(ctx, L, arms, s, typ, vals, i)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, js...)
			continue
		}
		// inter-individual variability: η from the subject's own stream, in a fixed order
		st := rng.New(tr.Seed, 0, "iiv", uint64(i))
		params := map[string]float64{}
		for _, p := range tr.ParamNames() {
			v := typ[p]
			if sd := tr.IIV[p]; sd > 0 && v != 0 {
				v *= math.Exp(st.Normal(0, sd))
			}
			params[p] = v
		}
		m := pk.Model{NCmt: int(typ["ncmt"]), Absorption: params["ka"] > 0, P: pk.Params{KA: params["ka"], CL: params["cl"], V1: params["v1"],
			Q2: params["q2"], V2: params["v2"], Q3: params["q3"], V3: params["v3"], F: typ["f"], ALAG: typ["alag"],
			VMax: params["vmax"], KM: params["km"]}}
		if m.NCmt == 0 {
			m.NCmt = 1
		}
		m.RTol, m.ATol, m.Integrator = odeRTol, odeATol, pk.Taylor // used only by nonlinear models
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", tr.Path, i, err)
		}
		effect, err := tr.newPD(params)
		if err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", tr.Path, i, err)
		}
		for a := 1; a <= arms.Len(); a++ {
			at := arms.RawGetInt(a).(*lua.LTable)
			arm, doses, err := tr.armDoses(ctx, L, at, s, a, i)
			if err != nil {
				return nil, err
			}
			if ad, ok := at.RawGetString("adapt").(*lua.LTable); ok {
				if doses, err = tr.adapt(ctx, L, ad, s, m, doses, a-1, i, arm); err != nil {
					return nil, err
				}
			}
			jobs = append(jobs, trialJob{res: SubjectResult{Subject: i, Arm: a - 1, Covariates: vals, Params: params}, m: m, pd: effect, doses: doses})
		}
	}
	runner := tr.Runner
	if runner == nil {
		if runner, err = cohort.Runner("cpu"); err != nil {
			return nil, err
		}
	}
	// the PK in runs of about 1 M output points: enough for a GPU to be busy,
	// few enough that the grids of a run do not fill the memory
	per := int(math.Ceil(tr.horizon()/tr.Grid)) + 1 + len(tr.SeriesTimes())
	step := max(1, 1_000_000/per)
	for lo := 0; lo < len(jobs); lo += step {
		if err := tr.simulate(runner, jobs[lo:min(lo+step, len(jobs))]); err != nil {
			return nil, err
		}
	}
	out := make([]SubjectResult, len(jobs))
	for j := range jobs {
		out[j] = jobs[j].res
	}
	return out, nil
}

// trialJob is one subject in one arm: its result row, model, effect model and
// (possibly adapted) regimen.
type trialJob struct {
	res   SubjectResult
	lang  *langSubject // a model-language model (then m and pd are unused)
	m     pk.Model
	pd    pdModel
	doses []pk.Dose
}

// simulate runs the PK of jobs through runner and fills their endpoints,
// samples, curves, total doses and target attainment.
func (tr *Trial) simulate(runner cohort.JobRunner, jobs []trialJob) error {
	// every job's grid (and curve) as backend jobs, one call for all
	end := tr.horizon()
	base := make([]float64, int(math.Ceil(end/tr.Grid))+1)
	for k := range base {
		base[k] = float64(k) * tr.Grid
	}
	st := tr.SeriesTimes()
	var pkJobs []cohort.Job
	gridJob, seriesJob := make([]int, len(jobs)), make([]int, len(jobs))
	for j := range jobs {
		jb := &jobs[j]
		if jb.lang != nil {
			gridJob[j], seriesJob[j] = -1, -1
			continue
		}
		// the grid plus a point just before each dose, so that no trapezoid of
		// an AUC spans the jump of a bolus
		grid := append([]float64(nil), base...)
		admins, _ := pk.Expand(jb.doses)
		for _, a := range admins {
			t := a.Time + jb.m.P.ALAG
			if t > 1e-6 && t <= end {
				grid = append(grid, t-1e-6)
			}
			if a.Time <= end {
				jb.res.TotalDose += a.Amount
			}
		}
		sort.Float64s(grid)
		gridJob[j], seriesJob[j] = len(pkJobs), -1
		pkJobs = append(pkJobs, cohort.Job{Model: jb.m, Doses: jb.doses, Times: grid})
		if len(st) > 0 && jb.res.Subject < tr.Series.Subjects {
			seriesJob[j] = len(pkJobs)
			pkJobs = append(pkJobs, cohort.Job{Model: jb.m, Doses: jb.doses, Times: st})
		}
	}
	if err := tr.simulateLang(runner, jobs, base, st); err != nil {
		return err
	}
	if len(pkJobs) == 0 {
		return nil
	}
	if err := runner.SimulateJobs(pkJobs); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			for j := range jobs {
				if gridJob[j] == je.Job || seriesJob[j] == je.Job {
					return fmt.Errorf("%s: subject %d, arm %q: %w", tr.Path, jobs[j].res.Subject, tr.Arms[jobs[j].res.Arm], je.Err)
				}
			}
		}
		return fmt.Errorf("%s: %w", tr.Path, err)
	}
	// endpoints, samples and the target, on all cores
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := &jobs[j]
		if jb.lang != nil {
			return
		}
		grid, c := pkJobs[gridJob[j]].Times, pkJobs[gridJob[j]].Conc
		curves := map[string][]float64{"conc": c}
		for k, e := range tr.Endpoints {
			of := tr.of[k]
			if curves[of] == nil {
				curves[of] = jb.pd.series(of, grid, c)
			}
			jb.res.Endpoints = append(jb.res.Endpoints, e.Eval(grid, curves[of]))
		}
		if k := seriesJob[j]; k >= 0 {
			jb.res.Series = pkJobs[k].Conc
		}
		tr.finish(jb, grid, c)
	})
	return nil
}

// finish draws a job's samples (residual error on the concentration) and
// checks its target.
func (tr *Trial) finish(jb *trialJob, grid, c []float64) {
	rs := rng.New(tr.Seed, jb.res.Arm, "residual", uint64(jb.res.Subject))
	for _, ts := range tr.SampleTimes {
		f := (cohort.Endpoint{Kind: "conc", At: ts}).Eval(grid, c)
		jb.res.Samples = append(jb.res.Samples, tr.Residual.Observe(f, rs.Source()))
	}
	if tr.Target.Endpoint != "" {
		for k, e := range tr.Endpoints {
			if e.Name == tr.Target.Endpoint {
				v := jb.res.Endpoints[k]
				jb.res.TargetMet = v >= tr.Target.Min && v <= tr.Target.Max
			}
		}
	}
}

// The ODE path's tolerances for nonlinear trial models: those of the
// reference benchmark (../shared/bench/cohort), amounts in mg.
const odeRTol, odeATol = 1e-8, 1e-10

// armDoses returns arm a's (1-based) name in messages and its dosing records
// for subject i (the arm's records, or those its doses function returns).
func (tr *Trial) armDoses(ctx context.Context, L *lua.LState, at, s *lua.LTable, a, i int) (string, []pk.Dose, error) {
	dv := at.RawGetString("doses")
	if fn, ok := dv.(*lua.LFunction); ok {
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, s); err != nil {
			return "", nil, luaError(err, tr.Path, ctx)
		}
		dv = L.Get(-1)
		L.Pop(1)
	}
	arm := fmt.Sprintf("arm %q", tr.Arms[a-1])
	doses, err := dosesFromLua(L, dv, arm, i)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", tr.where, err)
	}
	return arm, doses, nil
}

// dosesFromLua reads dosing records (a protected call: a bad record is an
// error naming the arm and subject, not a panic) and checks them.
func dosesFromLua(L *lua.LState, v lua.LValue, arm string, subject int) ([]pk.Dose, error) {
	var doses []pk.Dose
	read := L.NewFunction(func(L *lua.LState) int {
		doses = regimenFromLua(L, 1)
		return 0
	})
	if err := L.CallByParam(lua.P{Fn: read, NRet: 0, Protect: true}, v); err != nil {
		return nil, fmt.Errorf("%s, subject %d: %s", arm, subject, strings.TrimSpace(luaMessage(err)))
	}
	for d := range doses {
		doses[d].Source = fmt.Sprintf("%s %s", arm, doses[d].Source)
	}
	if _, err := pk.Expand(doses); err != nil {
		return nil, fmt.Errorf("subject %d: %v", subject, err)
	}
	return doses, nil
}

// adapt runs an arm's dose adjustments (therapeutic drug monitoring): at each
// time in adapt.at, fn(s, levels, t, ctx) sees the levels measured so far (the
// sampling times up to t, with residual error: the same draws reported in the
// subject's samples) and ctx (the doses given, ctx:map; trial_bayes.go), and
// returns nil to keep the regimen or dosing records, all at or after t, that
// replace every dose from t on.
func (tr *Trial) adapt(ctx context.Context, L *lua.LState, ad *lua.LTable, s *lua.LTable, m pk.Model, doses []pk.Dose, arm, subject int, armName string) ([]pk.Dose, error) {
	fn := ad.RawGetString("fn").(*lua.LFunction)
	for _, at := range tr.adaptAt[arm] {
		var ts []float64
		for _, t := range tr.SampleTimes {
			if t <= at {
				ts = append(ts, t)
			}
		}
		levels := L.NewTable()
		var dvs []float64
		if len(ts) > 0 {
			c, err := m.Simulate(doses, ts, m.NaturalPath())
			if err != nil {
				return nil, fmt.Errorf("%s: subject %d, %s: %v", tr.Path, subject, armName, err)
			}
			rs := rng.New(tr.Seed, arm, "residual", uint64(subject))
			for k, t := range ts {
				lv := L.NewTable()
				lv.RawSetString("time", lua.LNumber(t))
				dvs = append(dvs, tr.Residual.Observe(c[k], rs.Source()))
				lv.RawSetString("dv", lua.LNumber(dvs[k]))
				levels.Append(lv)
			}
		}
		actx := tr.adaptContext(L, doses, ts, dvs, at, arm, subject)
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, s, levels, lua.LNumber(at), actx); err != nil {
			return nil, luaError(err, tr.Path, ctx)
		}
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LNil {
			continue
		}
		next, err := dosesFromLua(L, ret, armName+" adapt", subject)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tr.where, err)
		}
		admins, _ := pk.Expand(doses)
		kept := doses[:0:0]
		for _, a := range admins {
			if a.Time < at {
				kept = append(kept, pk.Dose{Time: a.Time, Amt: a.Amount, Rate: a.Rate, Cmt: a.Cmt, Source: armName})
			}
		}
		for _, d := range next {
			if d.Time < at {
				return nil, fmt.Errorf("%s: %s, subject %d: adapt at %g h returned a dose at %g h; new doses must be at or after %g h",
					tr.where, armName, subject, at, d.Time, at)
			}
		}
		doses = append(kept, next...)
	}
	return doses, nil
}

// ArmPower is the power of one arm against the first (reference) arm.
type ArmPower struct {
	Arm        int
	Replicates int     // replicate trials
	Higher     int     // trials where the arm's attainment was significantly higher
	Lower      int     // trials where it was significantly lower
	MeanDiff   float64 // mean difference in attainment (arm − reference)
}

// ReplicateArms cuts results into replicate parallel-group trials: replicate r
// takes the next Replicates.N×arms subjects and gives subject i to arm i mod
// arms (each subject is used once, in one arm, as in a real trial). It returns,
// per replicate and arm, that arm's rows. res must hold every subject from 0 in
// every arm, as Run returns them; subjects left over after the last whole
// replicate are not used.
func (tr *Trial) ReplicateArms(res []SubjectResult) ([][][]SubjectResult, error) {
	A, n := len(tr.Arms), tr.Replicates.N
	if n < 1 {
		return nil, fmt.Errorf("%s: no replicates in the spec", tr.where)
	}
	per := n * A
	count := len(res) / A / per
	if count == 0 {
		return nil, fmt.Errorf("%s: replicates of %d subjects per arm need at least %d subjects, have %d", tr.where, n, per, len(res)/A)
	}
	out := make([][][]SubjectResult, count)
	for r := range out {
		out[r] = make([][]SubjectResult, A)
		for i := r * per; i < (r+1)*per; i++ {
			a := i % A
			row := res[i*A+a]
			if row.Subject != i || row.Arm != a {
				return nil, fmt.Errorf("power: results are not in subject, arm order at subject %d", i)
			}
			out[r][a] = append(out[r][a], row)
		}
	}
	return out, nil
}

// Power compares each arm's target attainment with the first arm's in every
// replicate trial (see ReplicateArms) by the two-sided pooled z test at Alpha.
func (tr *Trial) Power(res []SubjectResult) ([]ArmPower, error) {
	reps, err := tr.ReplicateArms(res)
	if err != nil {
		return nil, err
	}
	A, n, count := len(tr.Arms), tr.Replicates.N, len(reps)
	out := make([]ArmPower, A)
	for a := range out {
		out[a] = ArmPower{Arm: a, Replicates: count}
	}
	met := make([]int, A)
	for _, rep := range reps {
		for a, rows := range rep {
			met[a] = 0
			for _, row := range rows {
				if row.TargetMet {
					met[a]++
				}
			}
		}
		for a := 1; a < A; a++ {
			z, p := stats.TwoProportionZ(met[0], n, met[a], n)
			out[a].MeanDiff += float64(met[a]-met[0]) / float64(n) / float64(count)
			if p < tr.Replicates.Alpha {
				if z > 0 {
					out[a].Higher++
				} else {
					out[a].Lower++
				}
			}
		}
	}
	return out[1:], nil
}

// horizon is the last time (h) an endpoint or a sample needs.
func (tr *Trial) horizon() float64 {
	end := 0.0
	for _, e := range tr.Endpoints {
		end = math.Max(end, math.Max(e.To, e.At))
	}
	for _, t := range tr.SampleTimes {
		end = math.Max(end, t)
	}
	return end
}

// SeriesTimes returns the times (h) of the concentration time series: every
// Series.Every hours from 0 to Series.Until (default: the last endpoint or
// sampling time); nil when the spec asks for none.
func (tr *Trial) SeriesTimes() []float64 {
	if tr.Series.Every <= 0 {
		return nil
	}
	until := tr.Series.Until
	if until == 0 {
		until = tr.horizon()
	}
	n := int(math.Floor(until/tr.Series.Every+1e-9)) + 1
	out := make([]float64, n)
	for k := range out {
		out[k] = float64(k) * tr.Series.Every
	}
	return out
}
