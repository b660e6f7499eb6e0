package scripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/trial"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// A trial spec written in Lua (`return trial { ... }`) is translated into a
// trial.Spec (physio/trial): a population, a model giving each subject's
// typical parameters from its covariates, inter-individual variability, arms
// (dosing records, fixed or a function of the subject, optionally adapted to
// levels), a sampling schedule with residual error, endpoints and a target.
// The spec's Lua functions become the Spec's function fields; every check of
// the spec's values is trial.Spec.Validate's.

var trialFields = []string{"name", "description", "subjects", "seed", "population", "model", "iiv", "arms", "sampling", "endpoints", "target", "grid", "replicates", "timeseries", "params", "omega", "output", "solver"}

// luaTrial binds a trial.Spec's functions to the Lua spec: each Run
// evaluates the spec in a fresh sandbox (Open) and calls its functions there.
type luaTrial struct {
	spec  *trial.Spec
	proto *lua.FunctionProto

	// the sandbox of the current Run
	ctx   context.Context
	L     *lua.LState
	t     *lua.LTable
	subj  *lua.LTable // the current subject's table s, shared by model, doses and adapt
	subID int

	fits []fitSource // the fits the spec read (fit("DIR"), trial_fit.go), in first-read order
}

// LoadTrial reads a trial spec written in Lua and translates it into a
// trial.Spec, checked by its Validate; errors name the file and line.
func LoadTrial(path string) (*trial.Spec, error) {
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
	sp := &trial.Spec{Path: chunk, SHA256: hex.EncodeToString(sum[:]), Seed: 1, Subjects: 1000, Grid: 0.05}
	lt := &luaTrial{spec: sp, proto: proto}
	sp.Open = lt.open
	closeAll, err := lt.open(context.Background(), 0)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	// describe reads tables with the Lua host's checkers, which raise Lua
	// errors: run it protected so that a bad key is an error, not a panic
	var derr error
	fn := lt.L.NewFunction(func(L *lua.LState) int {
		derr = lt.describe(L, lt.t)
		return 0
	})
	if err := lt.L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}); err != nil {
		return nil, fmt.Errorf("%s: %s", sp.Where, strings.TrimSpace(luaMessage(err)))
	}
	if derr != nil {
		return nil, derr
	}
	return sp, sp.Validate()
}

// open evaluates the spec in a fresh sandbox (trial.Spec.Open). Lua gets a
// minute plus a millisecond per subject and arm: far more than any real model
// function needs, and a bound on one that never returns (an error, not a
// hang). The returned close releases the state and its deadline.
func (lt *luaTrial) open(ctx context.Context, subjectArms int) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(subjectArms)*time.Millisecond)
	L, err := newSandbox(ctx, Limits{}, nil, filepath.Dir(lt.spec.Path))
	if err != nil {
		cancel()
		return nil, err
	}
	closeAll := func() {
		L.Close()
		cancel()
		lt.L, lt.t, lt.subj, lt.ctx = nil, nil, nil, nil
	}
	L.SetGlobal("trial", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		t.RawSetString("__trial", lua.LTrue)
		t.RawSetString("__where", lua.LString(strings.TrimSuffix(L.Where(1), ":")))
		L.Push(t)
		return 1
	}))
	lt.registerFit(L)
	strictGlobals(L)
	L.Push(L.NewFunctionFromProto(lt.proto))
	if err := L.PCall(0, 1, nil); err != nil {
		L.Close()
		cancel()
		return nil, luaError(err, lt.spec.Path, ctx)
	}
	t, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok || t.RawGetString("__trial") != lua.LTrue {
		L.Close()
		cancel()
		return nil, fmt.Errorf("%s: a trial spec must end with `return trial { ... }`", lt.spec.Path)
	}
	lt.ctx, lt.L, lt.t, lt.subj = ctx, L, t, nil
	return closeAll, nil
}

// subject returns the Lua table s of a subject: its covariates by name (the
// derived crcl_ml_min when there is one) and id. One table per subject, so
// that model, doses and adapt see the same s.
func (lt *luaTrial) subject(s trial.Subject) *lua.LTable {
	if lt.subj != nil && lt.subID == s.ID {
		return lt.subj
	}
	t := lt.L.NewTable()
	for k, name := range s.Names {
		if !math.IsNaN(s.Values[k]) || k < len(s.Names)-1 {
			t.RawSetString(name, lua.LNumber(s.Values[k]))
		}
	}
	t.RawSetString("id", lua.LNumber(s.ID))
	lt.subj, lt.subID = t, s.ID
	return t
}

// typical calls the spec's model(s) (a pk model) or params(s) (a
// model-language model) and returns the parameters it returns.
func (lt *luaTrial) typical(field string) func(trial.Subject) (map[string]float64, error) {
	what := field + "(s)"
	return func(subj trial.Subject) (map[string]float64, error) {
		L, path := lt.L, lt.spec.Path
		fn := lt.t.RawGetString(field).(*lua.LFunction)
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, lt.subject(subj)); err != nil {
			return nil, luaError(err, path, lt.ctx)
		}
		pt, ok := L.Get(-1).(*lua.LTable)
		L.Pop(1)
		if !ok {
			return nil, fmt.Errorf("%s: %s must return a table of parameters (subject %d)", path, what, subj.ID)
		}
		typ := map[string]float64{}
		var bad error
		pt.ForEach(func(k, v lua.LValue) {
			n, ok := v.(lua.LNumber)
			if !ok && bad == nil {
				bad = fmt.Errorf("%s: %s: parameter %s is %s, want a number (subject %d)", path, what, k, v.Type(), subj.ID)
			}
			typ[k.String()] = float64(n)
		})
		return typ, bad
	}
}

// arm returns arm a's (0-based) Lua table in the current sandbox.
func (lt *luaTrial) arm(a int) *lua.LTable {
	return lt.t.RawGetString("arms").(*lua.LTable).RawGetInt(a + 1).(*lua.LTable)
}

// doses returns arm a's dosing records for a subject: the arm's records, or
// those its doses function returns.
func (lt *luaTrial) doses(a int) func(trial.Subject) ([]pk.Dose, error) {
	return func(subj trial.Subject) ([]pk.Dose, error) {
		L := lt.L
		dv := lt.arm(a).RawGetString("doses")
		if fn, ok := dv.(*lua.LFunction); ok {
			if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, lt.subject(subj)); err != nil {
				return nil, luaError(err, lt.spec.Path, lt.ctx)
			}
			dv = L.Get(-1)
			L.Pop(1)
		}
		return lt.readDoses(dv, fmt.Sprintf("arm %q", lt.spec.Arms[a].Name), subj.ID)
	}
}

// adapt calls arm a's adapt.fn(s, levels, t, ctx): levels is a list of {
// time = h, dv = mg/L [, blq = true] } as the assay reports them, ctx the doses given and ctx:map (adaptContext,
// trial_bayes.go); nil keeps the regimen, dosing records replace it from t on.
func (lt *luaTrial) adapt(a int) func(trial.Subject, []trial.Level, float64, trial.AdaptInfo) ([]pk.Dose, error) {
	return func(subj trial.Subject, levels []trial.Level, at float64, info trial.AdaptInfo) ([]pk.Dose, error) {
		L := lt.L
		fn := lt.arm(a).RawGetString("adapt").(*lua.LTable).RawGetString("fn").(*lua.LFunction)
		lv := L.NewTable()
		for _, l := range levels {
			e := L.NewTable()
			e.RawSetString("time", lua.LNumber(l.Time))
			e.RawSetString("dv", lua.LNumber(l.DV))
			if l.BLQ {
				e.RawSetString("blq", lua.LTrue)
			}
			lv.Append(e)
		}
		actx := lt.adaptContext(L, info, levels, at, subj.ID)
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, lt.subject(subj), lv, lua.LNumber(at), actx); err != nil {
			return nil, luaError(err, lt.spec.Path, lt.ctx)
		}
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LNil {
			return nil, nil
		}
		doses, err := lt.readDoses(ret, fmt.Sprintf("arm %q adapt", lt.spec.Arms[a].Name), subj.ID)
		if doses == nil && err == nil {
			doses = []pk.Dose{} // an empty list stops dosing; nil would keep the regimen
		}
		return doses, err
	}
}

// readDoses reads dosing records (a protected call: a bad record is an error
// naming the arm and subject, not a panic) and names their source.
func (lt *luaTrial) readDoses(v lua.LValue, arm string, subject int) ([]pk.Dose, error) {
	L := lt.L
	var doses []pk.Dose
	read := L.NewFunction(func(L *lua.LState) int {
		doses = regimenFromLua(L, 1)
		return 0
	})
	if err := L.CallByParam(lua.P{Fn: read, NRet: 0, Protect: true}, v); err != nil {
		return nil, fmt.Errorf("%s: %s, subject %d: %s", lt.spec.Where, arm, subject, strings.TrimSpace(luaMessage(err)))
	}
	for d := range doses {
		doses[d].Source = fmt.Sprintf("%s %s", arm, doses[d].Source)
	}
	return doses, nil
}

// describe translates the spec's table into lt.spec; only what Lua decides
// (field names, types, the shape of tables) is checked here.
func (lt *luaTrial) describe(L *lua.LState, t *lua.LTable) error {
	sp := lt.spec
	sp.Where = lua.LVAsString(t.RawGetString("__where"))
	fail := func(format string, a ...any) error { return fmt.Errorf("%s: %s", sp.Where, fmt.Sprintf(format, a...)) }
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
	sp.Name = lua.LVAsString(t.RawGetString("name"))
	sp.Description = lua.LVAsString(t.RawGetString("description"))
	if v, ok := t.RawGetString("subjects").(lua.LNumber); ok {
		sp.Subjects = int(v)
	}
	if v, ok := t.RawGetString("seed").(lua.LNumber); ok {
		sp.Seed = uint64(v)
	}
	if v, ok := t.RawGetString("grid").(lua.LNumber); ok {
		sp.Grid = float64(v)
	}
	// population
	// no population, or one without covariates: subjects alike but for IIV
	pv := t.RawGetString("population")
	if pv == lua.LNil {
		pv = L.NewTable()
	}
	pt, ok := pv.(*lua.LTable)
	if !ok {
		return fail("population must be a table: { covariates = { ... } } or { patients = \"file.csv\" }, got %s", pv.Type())
	}
	L.Push(pt)
	pc := newCfg(L, L.GetTop(), "population", "covariates", "correlation", "patients", "resample")
	L.Pop(1)
	if pc.has("patients") {
		if pc.has("covariates") || pc.has("correlation") {
			return fail("population: give either patients = \"file.csv\" or covariates, not both")
		}
		name := lua.LVAsString(pc.t.RawGetString("patients"))
		file, err := insideDir(filepath.Dir(sp.Path), name)
		if err != nil {
			return fail("population.patients %q: %v", name, err)
		}
		pts, err := readPatients(file)
		if err != nil {
			return fail("population.patients: %v", err)
		}
		sp.Patients = &trial.Patients{Names: pts.names, Rows: pts.rows, Resample: lua.LVAsBool(pc.t.RawGetString("resample"))}
		return lt.describeRest(L, t, fail)
	}
	sp.Population = &cohort.Population{}
	ct, ok := pt.RawGetString("covariates").(*lua.LTable)
	if !ok && pc.has("covariates") {
		return fail("population.covariates must list the covariates")
	}
	if !ok {
		ct = L.NewTable()
	}
	n := 0
	ct.ForEach(func(lua.LValue, lua.LValue) { n++ })
	if n != ct.Len() {
		return fail("population.covariates must be a list: { { name = ..., dist = ... }, ... }")
	}
	for i := 1; i <= ct.Len(); i++ {
		L.Push(ct.RawGetInt(i))
		c := newCfg(L, L.GetTop(), fmt.Sprintf("population covariate %d", i), "name", "dist", "mean", "sd", "median", "sigma", "p", "min", "max")
		L.Pop(1)
		sp.Population.Covariates = append(sp.Population.Covariates, cohort.Covariate{Name: lua.LVAsString(c.t.RawGetString("name")),
			Dist: lua.LVAsString(c.t.RawGetString("dist")), Mean: c.num("mean", 0), SD: c.num("sd", 0), Median: c.num("median", 0),
			Sigma: c.num("sigma", 0), P: c.num("p", 0), Min: c.num("min", math.Inf(-1)), Max: c.num("max", 0)})
	}
	if cm, ok := pt.RawGetString("correlation").(*lua.LTable); ok {
		n := len(sp.Population.Covariates)
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
		sp.Population.Correlation = mat.NewSymDense(n, data)
	}
	return lt.describeRest(L, t, fail)
}

// describeRest reads everything after the population.
func (lt *luaTrial) describeRest(L *lua.LState, t *lua.LTable, fail func(string, ...any) error) error {
	sp := lt.spec
	var bad error
	if ud, ok := t.RawGetString("model").(*lua.LUserData); ok {
		m, ok := ud.Value.(*modlang.Model)
		if !ok {
			return fail("model must be a model-language model or a function(s) returning pk parameters")
		}
		if err := lt.describeLang(L, t, m, fail); err != nil {
			return err
		}
		if _, ok := t.RawGetString("params").(*lua.LFunction); ok {
			sp.Typical = lt.typical("params")
		}
	} else if _, ok := t.RawGetString("model").(*lua.LFunction); !ok {
		return fail("the trial needs model = function(s) return { ncmt = 2, cl = ..., v1 = ..., ... } end, or a model-language model (model.library(\"pk2_oral\"), model { ... })")
	} else {
		for _, f := range langFields {
			if t.RawGetString(f) != lua.LNil {
				return fail("%s applies to a model-language model (model = model.library(...) or model { ... }), not to model(s) returning pk parameters", f)
			}
		}
		sp.Typical = lt.typical("model")
		if sp.IIV, bad = iivFromLua(t, fail); bad != nil {
			return bad
		}
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
		arm := trial.Arm{Name: lua.LVAsString(a.RawGetString("name")), Doses: lt.doses(i - 1)}
		if av := a.RawGetString("adapt"); av != lua.LNil {
			L.Push(av)
			c := newCfg(L, L.GetTop(), fmt.Sprintf("arm %d adapt", i), "at", "fn")
			L.Pop(1)
			if _, ok := c.t.RawGetString("fn").(*lua.LFunction); !ok {
				return fail("arm %d adapt needs fn = function(s, levels, t, ctx) ... end", i)
			}
			arm.Adapt = &trial.Adapt{Fn: lt.adapt(i - 1)}
			if v, ok := c.t.RawGetString("at").(lua.LNumber); ok {
				arm.Adapt.At = []float64{float64(v)}
			} else {
				arm.Adapt.At = c.list("at", 0)
			}
		}
		sp.Arms = append(sp.Arms, arm)
	}
	if st, ok := t.RawGetString("sampling").(*lua.LTable); ok {
		L.Push(st)
		c := newCfg(L, L.GetTop(), "sampling", "times", "residual", "lloq", "blq")
		L.Pop(1)
		sp.SampleTimes = c.list("times", 0)
		bv := c.t.RawGetString("blq")
		if _, ok := bv.(lua.LString); bv != lua.LNil && !ok {
			return fail("sampling.blq must be %q, %q or %q, got %s", trial.BLQFlag, trial.BLQHalf, trial.BLQDrop, bv.Type())
		}
		sp.Quantification = trial.Quantification{LLOQ: c.num("lloq", 0), BLQ: lua.LVAsString(bv)}
		if r := c.sub("residual", "add", "prop"); r != nil {
			sp.Residual = pk.Residual{Add: r.num("add", 0), Prop: r.num("prop", 0)}
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
		e := trial.Endpoint{Endpoint: cohort.Endpoint{Name: name}, Of: lua.LVAsString(c.t.RawGetString("of"))}
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
		sp.Endpoints = append(sp.Endpoints, e)
	}
	if tt, ok := t.RawGetString("target").(*lua.LTable); ok {
		L.Push(tt)
		c := newCfg(L, L.GetTop(), "target", "endpoint", "min", "max")
		L.Pop(1)
		sp.Target.Endpoint = lua.LVAsString(c.t.RawGetString("endpoint"))
		sp.Target.Min, sp.Target.Max = c.num("min", math.Inf(-1)), c.num("max", math.Inf(1))
	}
	if sv := t.RawGetString("timeseries"); sv != lua.LNil {
		L.Push(sv)
		c := newCfg(L, L.GetTop(), "timeseries", "every", "to", "subjects")
		L.Pop(1)
		sp.Series = trial.Series{Every: c.num("every", sp.Grid), Until: c.num("to", 0), Subjects: c.int("subjects", sp.Subjects)}
		if !(sp.Series.Every > 0) {
			// the zero Series means none: keep a bad every visible to Validate
			sp.Series.Every = math.NaN()
		}
	}
	if rv := t.RawGetString("replicates"); rv != lua.LNil {
		L.Push(rv)
		c := newCfg(L, L.GetTop(), "replicates", "n", "alpha")
		L.Pop(1)
		sp.Replicates = trial.Replicates{N: c.int("n", 0), Alpha: c.num("alpha", 0.05)}
		if sp.Replicates.N == 0 {
			sp.Replicates.N = -1 // given but 0 is not "no replicates": Validate refuses it
		}
	}
	return bad
}

// iivFromLua reads the spec's iiv table (parameter = SD of η, log scale);
// the values' range and the names are Spec.Validate's to check.
func iivFromLua(t *lua.LTable, fail func(string, ...any) error) (map[string]float64, error) {
	out := map[string]float64{}
	var bad error
	if it, ok := t.RawGetString("iiv").(*lua.LTable); ok {
		it.ForEach(func(k, v lua.LValue) {
			if n, ok := v.(lua.LNumber); ok {
				out[k.String()] = float64(n)
			} else if bad == nil {
				bad = fail("iiv.%s must be a standard deviation >= 0 (log scale)", k)
			}
		})
	}
	return out, bad
}
