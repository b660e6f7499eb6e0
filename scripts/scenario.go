package scripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/scripts/plan"
	lua "github.com/yuin/gopher-lua"
)

// Scenario is a loaded Lua scenario: its declared settings and parameters, and
// the compiled script that builds the model in each replication.
type Scenario struct {
	Path        string // as given (used in messages)
	Dir         string
	Name        string
	Description string
	Params      []*Param // in declaration order
	Seed        uint64
	// Replications, Horizon (seconds), Warmup (seconds), SampleEvery (seconds, 0 =
	// no time series) and Trace (event log) as declared, possibly overridden.
	Replications int
	Horizon      float64
	Warmup       float64
	SampleEvery  float64
	Trace        bool
	// AutoFlow (auto_flow = true) writes a flow.arrow row for every entity of
	// a sim:source when its process ends, or with disposition in_system at the
	// horizon, and a waits.arrow row for each of its requests (autoflow.go);
	// off by default, as it costs a little per entity and a model with
	// sim:flow alone needs none.
	AutoFlow bool
	SHA256   string
	// Extra holds the scenario table's other declared fields that a caller asked
	// for (see ExtraFields), as Lua-independent values.
	Extra map[string]any
	// KPIs are the directions declared in kpis = { ... } (see parseKPIs).
	KPIs []plan.KPI

	Limits Limits
	// Output receives print() from the script (default stderr).
	Output io.Writer

	where string
	proto *lua.FunctionProto
}

// scenarioFields are the keys a scenario table may have.
var scenarioFields = []string{"name", "description", "params", "seed", "replications", "horizon",
	"warmup", "sample_every", "trace", "auto_flow", "build", "costs", "cost", "targets", "kind", "kpis"}

// ExtraFields are the scenario keys kept in Scenario.Extra (used by planning
// verbs): their values must be tables of numbers or strings.
var ExtraFields = []string{"costs", "targets", "kind"}

// Load reads, compiles and evaluates a scenario file, within timeout.
func Load(path string, timeout time.Duration) (*Scenario, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read scenario: %w", err)
	}
	return LoadSource(path, src, timeout)
}

// LoadSource is Load with the source given.
func LoadSource(path string, src []byte, timeout time.Duration) (*Scenario, error) {
	sum := sha256.Sum256(src)
	chunk := filepath.ToSlash(path)
	proto, err := Compile(string(src), chunk)
	if err != nil {
		return nil, err
	}
	sc := &Scenario{Path: chunk, Dir: filepath.Dir(path), SHA256: hex.EncodeToString(sum[:]), proto: proto, Seed: 1, Replications: 1}
	ctx, cancel := context.WithTimeout(context.Background(), orDefault(timeout))
	defer cancel()
	L, tbl, err := sc.evaluate(ctx)
	if err != nil {
		return nil, err
	}
	defer L.Close()
	if err := sc.describe(tbl); err != nil {
		return nil, err
	}
	return sc, nil
}

func orDefault(d time.Duration) time.Duration {
	if d <= 0 {
		return 30 * time.Minute
	}
	return d
}

// evaluate runs the script in a fresh sandbox and returns the scenario table.
func (sc *Scenario) evaluate(ctx context.Context) (*lua.LState, *lua.LTable, error) {
	L, err := sc.newState(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := sc.runChunk(ctx, L)
	if err != nil {
		L.Close()
		return nil, nil, err
	}
	return L, t, nil
}

// newState returns a sandbox with the functions a scenario file declares itself
// with (param, scenario) and strict globals: the state before the script runs.
func (sc *Scenario) newState(ctx context.Context) (*lua.LState, error) {
	L, err := newSandbox(ctx, sc.Limits, sc.Output, sc.Dir)
	if err != nil {
		return nil, err
	}
	L.SetGlobal("param", L.NewFunction(paramFn))
	L.SetGlobal("scenario", L.NewFunction(scenarioFn))
	strictGlobals(L)
	return L, nil
}

// runChunk runs the compiled script in L and returns its scenario table.
func (sc *Scenario) runChunk(ctx context.Context, L *lua.LState) (*lua.LTable, error) {
	L.Push(L.NewFunctionFromProto(sc.proto))
	if err := L.PCall(0, 1, nil); err != nil {
		return nil, luaError(err, sc.Path, ctx)
	}
	v := L.Get(-1)
	L.Pop(1)
	t, ok := v.(*lua.LTable)
	if !ok || t.RawGetString("__scenario") != lua.LTrue {
		return nil, fmt.Errorf("%s: the script must end with `return scenario { ... }`, it returned %s", sc.Path, v.Type())
	}
	return t, nil
}

// scenarioFn marks the scenario table and records where it was declared.
func scenarioFn(L *lua.LState) int {
	t := L.CheckTable(1)
	t.RawSetString("__scenario", lua.LTrue)
	t.RawSetString("__where", lua.LString(strings.TrimSuffix(L.Where(1), ":")))
	L.Push(t)
	return 1
}

func (sc *Scenario) describe(t *lua.LTable) error {
	sc.where = lua.LVAsString(t.RawGetString("__where"))
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", sc.where, fmt.Sprintf(format, a...))
	}
	var bad error
	t.ForEach(func(k, v lua.LValue) {
		key := k.String()
		if bad != nil || strings.HasPrefix(key, "__") {
			return
		}
		known := false
		for _, f := range scenarioFields {
			known = known || f == key
		}
		if !known {
			bad = fail("unknown scenario field '%s'%s", key, didYouMean(key, scenarioFields))
		}
	})
	if bad != nil {
		return bad
	}
	num := func(key string, def float64) (float64, error) {
		switch v := t.RawGetString(key).(type) {
		case *lua.LNilType:
			return def, nil
		case lua.LNumber:
			return float64(v), nil
		default:
			return 0, fail("%s must be a number, got %s", key, v.Type())
		}
	}
	var err error
	sc.Name = lua.LVAsString(t.RawGetString("name"))
	if sc.Name == "" {
		return fail("the scenario needs a name (name = \"...\")")
	}
	sc.Description = lua.LVAsString(t.RawGetString("description"))
	seed, err := num("seed", 1)
	if err != nil {
		return err
	}
	if seed < 0 || seed != math.Trunc(seed) || seed > 1<<53 {
		return fail("seed must be a non-negative integer, got %v", seed)
	}
	sc.Seed = uint64(seed)
	reps, err := num("replications", 1)
	if err != nil {
		return err
	}
	if reps < 1 || reps != math.Trunc(reps) {
		return fail("replications must be a positive integer, got %v", reps)
	}
	sc.Replications = int(reps)
	if sc.Horizon, err = num("horizon", math.Inf(1)); err != nil {
		return err
	}
	if !(sc.Horizon > 0) {
		return fail("horizon must be positive (seconds; use days(28)), got %v", sc.Horizon)
	}
	if sc.Warmup, err = num("warmup", 0); err != nil {
		return err
	}
	if sc.Warmup < 0 || sc.Warmup >= sc.Horizon {
		return fail("warmup must be in [0, horizon), got %v", sc.Warmup)
	}
	if sc.SampleEvery, err = num("sample_every", 0); err != nil {
		return err
	}
	if sc.SampleEvery < 0 || sc.SampleEvery > 0 && math.IsInf(sc.Horizon, 1) {
		return fail("sample_every must be >= 0 and needs a finite horizon")
	}
	sc.Trace = lua.LVAsBool(t.RawGetString("trace"))
	sc.AutoFlow = lua.LVAsBool(t.RawGetString("auto_flow"))
	if _, ok := t.RawGetString("build").(*lua.LFunction); !ok {
		return fail("the scenario needs build = function(sim, p) ... end")
	}
	sc.Params = nil
	if pt, ok := t.RawGetString("params").(*lua.LTable); ok {
		var perr error
		pt.ForEach(func(k, v lua.LValue) {
			if perr != nil {
				return
			}
			name := k.String()
			vt, ok := v.(*lua.LTable)
			if !ok || vt.RawGetString("__param") != lua.LTrue {
				perr = fail("params.%s must be declared with param(default, {...})", name)
				return
			}
			p, err := parseParam(name, vt)
			if err != nil {
				perr = err
				return
			}
			sc.Params = append(sc.Params, p)
		})
		if perr != nil {
			return perr
		}
	} else if t.RawGetString("params") != lua.LNil {
		return fail("params must be a table")
	}
	sort.SliceStable(sc.Params, func(i, j int) bool { return lineOf(sc.Params[i].Where) < lineOf(sc.Params[j].Where) })
	if err := sc.parseKPIs(t.RawGetString("kpis")); err != nil {
		return err
	}
	sc.Extra = map[string]any{}
	for _, key := range ExtraFields {
		if v := t.RawGetString(key); v != lua.LNil {
			sc.Extra[key] = fromLua(v)
		}
	}
	return nil
}

func lineOf(where string) int {
	i := strings.LastIndex(where, ":")
	n := 0
	fmt.Sscanf(where[i+1:], "%d", &n)
	return n
}

// fromLua converts plain Lua data (numbers, strings, booleans, tables of them) to Go.
func fromLua(v lua.LValue) any {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x)
	case lua.LString:
		return string(x)
	case lua.LBool:
		return bool(x)
	case *lua.LTable:
		m := map[string]any{}
		x.ForEach(func(k, v lua.LValue) { m[k.String()] = fromLua(v) })
		return m
	}
	return nil
}

// Param returns the named parameter, or nil.
func (sc *Scenario) Param(name string) *Param {
	for _, p := range sc.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ParamNames returns the names of the parameters in declaration order.
func (sc *Scenario) ParamNames() []string {
	names := make([]string, len(sc.Params))
	for i, p := range sc.Params {
		names[i] = p.Name
	}
	return names
}

// Set overrides a parameter from a --set name=value string. Unknown names,
// unparsable values and values out of bounds are errors naming the declaration.
func (sc *Scenario) Set(assign string) error {
	name, val, ok := strings.Cut(assign, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("--set %q: want name=value", assign)
	}
	p := sc.Param(name)
	if p == nil {
		return fmt.Errorf("--set %s: %s has no parameter '%s'%s (it declares: %s)", assign, sc.Path, name,
			didYouMean(name, sc.ParamNames()), strings.Join(sc.ParamNames(), ", "))
	}
	v, err := p.Parse(val)
	if err != nil {
		return fmt.Errorf("--set %s: %s: %v", assign, p.Where, err)
	}
	if err := p.Check(v); err != nil {
		return fmt.Errorf("--set %s: %v", assign, err)
	}
	p.Value, p.Source = v, "--set"
	return nil
}

// Values returns the parameters' current values as strings (for provenance).
func (sc *Scenario) Values() map[string]string {
	m := make(map[string]string, len(sc.Params))
	for _, p := range sc.Params {
		m[p.Name] = FormatValue(p.Value)
	}
	return m
}

// Clone returns a copy whose parameters can be set independently (for compare
// and sweep).
func (sc *Scenario) Clone() *Scenario {
	c := *sc
	c.Params = make([]*Param, len(sc.Params))
	for i, p := range sc.Params {
		cp := *p
		c.Params[i] = &cp
	}
	return &c
}

// Experiment returns the engine experiment that runs replications [from, to) of
// the scenario. ctx bounds the wall time of the whole run. Each worker sets up
// one Lua state and reuses it for its replications, each of which starts from
// the same state (see luaWorker): the results do not depend on which worker ran
// a replication.
func (sc *Scenario) Experiment(ctx context.Context, from, to int) engine.Experiment {
	pool := &workerPool{sc: sc, ctx: ctx}
	return engine.Experiment{
		Seed: sc.Seed, From: from, To: to, Horizon: sc.Horizon, Warmup: sc.Warmup,
		Trace: sc.Trace, SampleEvery: sc.SampleEvery,
		Build: pool.build,
	}
}

// Build evaluates the script in a fresh sandbox and calls its build(sim, p) to
// put the model into s. The Lua state lives as long as s.
func (sc *Scenario) Build(ctx context.Context, s *engine.Sim) error {
	return sc.build(ctx, s, false)
}

// build is Build; simChecks says that s checks ctx itself (its
// Options.Context), so that the entries into Lua need not (see
// newLuaWorker).
func (sc *Scenario) build(ctx context.Context, s *engine.Sim, simChecks bool) error {
	L, t, err := sc.evaluate(ctx)
	if err != nil {
		return err
	}
	if simChecks {
		L.SetEntryContextCheck(false)
	}
	s.OnClose(L.Close)
	_, err = sc.buildModel(ctx, L, newHostTypes(L), t, s, sc.paramTable(L))
	return err
}

// buildModel calls the scenario table t's build(sim, p) in L to put the model
// into s, and returns the host that binds them.
func (sc *Scenario) buildModel(ctx context.Context, L *lua.LState, ht *hostTypes, t *lua.LTable, s *engine.Sim, p *lua.LTable) (*host, error) {
	h := ht.bind(L, s, sc)
	build := t.RawGetString("build").(*lua.LFunction)
	if err := L.CallByParam(lua.P{Fn: build, NRet: 0, Protect: true}, h.simUD, p); err != nil {
		return h, luaError(err, sc.Path, ctx)
	}
	return h, h.err
}

// paramTable makes the p that build(sim, p) gets: the parameters' values, and
// a metatable that makes reading an undeclared one an error.
func (sc *Scenario) paramTable(L *lua.LState) *lua.LTable {
	p := L.CreateTable(0, len(sc.Params))
	for _, prm := range sc.Params {
		p.RawSetString(prm.Name, toLua(L, prm.Value))
	}
	// reading a parameter that does not exist is a mistake, not nil
	mt := L.CreateTable(0, 1)
	names := sc.ParamNames()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		k := L.CheckString(2)
		L.RaiseError("no parameter '%s'%s (declared: %s)", k, didYouMean(k, names), strings.Join(names, ", "))
		return 0
	}))
	L.SetMetatable(p, mt)
	return p
}

// luaError turns a gopher-lua error into a plain error with the script's
// "file:line: message", and explains a stop by the time or memory limit.
func luaError(err error, scenario string, ctx context.Context) error {
	msg := luaMessage(err)
	switch {
	case strings.Contains(msg, context.DeadlineExceeded.Error()):
		msg = strings.Replace(msg, context.DeadlineExceeded.Error(),
			"stopped: the run exceeded its time limit (--timeout); is there a loop that never ends?", 1)
	case strings.Contains(msg, context.Canceled.Error()):
		msg = strings.Replace(msg, context.Canceled.Error(), "stopped: "+cancelReason(ctx), 1)
	}
	if !strings.Contains(msg, scenario) {
		msg = scenario + ": " + msg
	}
	return &ScriptError{Msg: msg}
}

// luaMessage is the message Lua raised (without gopher-lua's traceback), or
// the error's text.
func luaMessage(err error) string {
	if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
		return ae.Object.String()
	}
	return err.Error()
}

// ScriptError is an error raised by a scenario script: Msg starts with the file
// and line.
type ScriptError struct{ Msg string }

func (e *ScriptError) Error() string { return e.Msg }

// Cost evaluates the scenario's cost = function(p) for the current parameters
// (the objective of medtwin optimize). A scenario without one is an error.
func (sc *Scenario) Cost() (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	L, t, err := sc.evaluate(ctx)
	if err != nil {
		return 0, err
	}
	defer L.Close()
	fn, ok := t.RawGetString("cost").(*lua.LFunction)
	if !ok {
		return 0, fmt.Errorf("%s: the scenario declares no cost = function(p) ... end (needed by optimize)", sc.where)
	}
	p := L.CreateTable(0, len(sc.Params))
	for _, prm := range sc.Params {
		p.RawSetString(prm.Name, toLua(L, prm.Value))
	}
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, p); err != nil {
		return 0, luaError(err, sc.Path, ctx)
	}
	v, ok := L.Get(-1).(lua.LNumber)
	if !ok || math.IsNaN(float64(v)) {
		return 0, fmt.Errorf("%s: cost(p) must return a number, got %s", sc.where, L.Get(-1).Type())
	}
	return float64(v), nil
}
