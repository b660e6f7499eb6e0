package scripts

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/medtwin/medtwin/physio/modlang"
	lua "github.com/yuin/gopher-lua"
)

// The medtwin.model module: a user's own physiology in the model language
// (physio/modlang), in scenarios, trial specs and modules loaded by require.
//
//	local model = require("medtwin.model")
//	local m = model {
//	  name = "pk1", time = "h", citation = "...",
//	  params = { {"CL", 5, unit = "L/h", doc = "clearance", source = "..."}, {"V1", 50, unit = "L"} },
//	  states = { {"central", 0, unit = "mg"} },        -- an initial value may be an expression string
//	  equations = [[
//	    cp = central / V1
//	    d/dt(central) = -CL/V1*central
//	  ]],
//	  outputs = { "cp" },
//	}
//	local m2 = model [[ $PROB ... ]]                   -- a model file's text (see `medtwin models show`)
//	local m3 = model.library("tmdd_qss")               -- a built-in model
//	local out = m:simulate({ {time = 0, amt = 100, cmt = "central", ii = 12, addl = 3} }, {0, 1, 2, 24},
//	                       { params = { CL = 4 }, path = "auto" })   -- out.time, out.cp, out.central, ...
//
// Errors name the Lua file and line of the equation (or of the model call
// when the block cannot be found in the file) and the column in the block.
func init() {
	goModules["medtwin.model"] = func(L *lua.LState, dir string) *lua.LTable {
		t := L.NewTable()
		t.RawSetString("library", L.NewFunction(func(L *lua.LState) int {
			m, err := modlang.Library(L.CheckString(1))
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(wrapModel(L, m))
			return 1
		}))
		t.RawSetString("show", L.NewFunction(func(L *lua.LState) int {
			src, err := modlang.LibrarySource(L.CheckString(1))
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(lua.LString(src))
			return 1
		}))
		names := L.NewTable()
		for _, n := range modlang.LibraryNames() {
			names.Append(lua.LString(n))
		}
		t.RawSetString("names", names)
		mt := L.NewTable()
		mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
			L.Remove(1) // the module table itself
			return modelFn(L, dir)
		}))
		L.SetMetatable(t, mt)
		return t
	}
}

// modelFn builds a model from a spec table or a model file's text.
func modelFn(L *lua.LState, dir string) int {
	where := strings.TrimSuffix(L.Where(1), ":")
	file, line := splitWhere(where)
	var spec modlang.Spec
	switch v := L.Get(1).(type) {
	case lua.LString:
		s, err := modlang.ParseFile(file, string(v))
		if err != nil {
			L.Error(lua.LString(err.Error()), 0)
		}
		spec = s
		spec.EqLine = 0 // the text's lines are not the file's
	case *lua.LTable:
		spec = specFromLua(L, v)
	default:
		L.ArgError(1, "model: a table { name = ..., params = ..., states = ..., equations = [[...]] } or a model file's text expected")
	}
	spec.File = file
	if spec.EqLine == 0 {
		spec.EqLine = equationsLine(spec.Equations, file, dir)
	}
	m, err := modlang.Compile(spec)
	if err != nil {
		if me, ok := err.(*modlang.Error); ok && me.FileLine == 0 {
			// the block was not found in the file: place the error at the call
			L.Error(lua.LString(fmt.Sprintf("%s:%d: %v", file, line, strings.TrimPrefix(err.Error(), file+": "))), 0)
		}
		L.Error(lua.LString(err.Error()), 0)
	}
	L.Push(wrapModel(L, m))
	return 1
}

func splitWhere(where string) (string, int) {
	i := strings.LastIndex(where, ":")
	if i < 0 {
		return where, 0
	}
	var n int
	fmt.Sscan(where[i+1:], &n)
	return where[:i], n
}

// equationsLine finds the line of the block's first line in the Lua file
// (the chunk name, or the module file in the scenario's directory), or 0.
func equationsLine(eq, file, dir string) int {
	body := strings.TrimLeft(eq, "\n")
	if strings.TrimSpace(body) == "" {
		return 0
	}
	for _, p := range []string{file, filepath.Join(dir, filepath.Base(file))} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		src := string(b)
		i := strings.Index(src, body)
		if i < 0 || strings.Contains(src[i+1:], body) {
			continue
		}
		skipped := len(eq) - len(body) // leading newlines of the block
		return strings.Count(src[:i], "\n") + 1 - skipped
	}
	return 0
}

// specFromLua reads the model table.
func specFromLua(L *lua.LState, t *lua.LTable) modlang.Spec {
	c := &cfg{L: L, what: "model", t: t, known: []string{"name", "description", "citation", "time", "params", "states", "equations", "outputs"}}
	t.ForEach(func(k, _ lua.LValue) {
		key := k.String()
		for _, kn := range c.known {
			if kn == key {
				return
			}
		}
		L.RaiseError("model: unknown key '%s'%s", key, didYouMean(key, c.known))
	})
	str := func(key string) string {
		v := t.RawGetString(key)
		if v == lua.LNil {
			return ""
		}
		s, ok := v.(lua.LString)
		if !ok {
			L.RaiseError("model: %s must be a string, got %s", key, v.Type())
		}
		return string(s)
	}
	s := modlang.Spec{Name: str("name"), Description: str("description"), Citation: str("citation"), TimeUnit: str("time"),
		Equations: str("equations")}
	if s.Name == "" {
		L.RaiseError("model: name is required")
	}
	if s.Equations == "" {
		L.RaiseError("model %s: equations = [[ ... ]] is required", s.Name)
	}
	decls(L, s.Name, "params", t.RawGetString("params"), func(name string, first lua.LValue, d *lua.LTable) {
		n, ok := first.(lua.LNumber)
		if !ok || math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
			L.RaiseError("model %s: parameter %s: a finite number value expected, got %s", s.Name, name, first.Type())
		}
		s.Params = append(s.Params, modlang.Param{Name: name, Value: float64(n), Unit: field(L, d, "unit"), Doc: field(L, d, "doc"), Source: field(L, d, "source")})
	})
	decls(L, s.Name, "states", t.RawGetString("states"), func(name string, first lua.LValue, d *lua.LTable) {
		init := ""
		switch v := first.(type) {
		case lua.LNumber:
			init = fmt.Sprint(float64(v))
		case lua.LString:
			init = string(v)
		case *lua.LNilType:
		default:
			L.RaiseError("model %s: state %s: the initial value must be a number or an expression string, got %s", s.Name, name, first.Type())
		}
		s.States = append(s.States, modlang.State{Name: name, Init: init, Unit: field(L, d, "unit"), Doc: field(L, d, "doc")})
	})
	if o, ok := t.RawGetString("outputs").(*lua.LTable); ok {
		for i := 1; i <= o.Len(); i++ {
			s.Outputs = append(s.Outputs, lua.LVAsString(o.RawGetInt(i)))
		}
	}
	return s
}

// decls reads declarations in either form: a list of {name, value, unit = ...}
// (in order) or a map name = value / name = {value, unit = ...} (sorted by
// name).
func decls(L *lua.LState, model, what string, v lua.LValue, each func(name string, first lua.LValue, d *lua.LTable)) {
	if v == lua.LNil {
		return
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("model %s: %s must be a table, got %s", model, what, v.Type())
	}
	for i := 1; i <= t.Len(); i++ {
		switch e := t.RawGetInt(i).(type) {
		case *lua.LTable:
			name, ok := e.RawGetInt(1).(lua.LString)
			if !ok {
				L.RaiseError("model %s: %s entry %d: {\"name\", value, unit = ...} expected", model, what, i)
			}
			each(string(name), e.RawGetInt(2), e)
		case lua.LString:
			each(string(e), lua.LNil, nil)
		default:
			L.RaiseError("model %s: %s entry %d: {\"name\", value, unit = ...} expected, got %s", model, what, i, e.Type())
		}
	}
	var keys []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			keys = append(keys, string(s))
		}
	})
	sort.Strings(keys)
	for _, k := range keys {
		switch e := t.RawGetString(k).(type) {
		case *lua.LTable:
			each(k, e.RawGetInt(1), e)
		default:
			each(k, e, nil)
		}
	}
}

func field(L *lua.LState, d *lua.LTable, key string) string {
	if d == nil {
		return ""
	}
	v := d.RawGetString(key)
	if v == lua.LNil {
		return ""
	}
	return lua.LVAsString(v)
}

// wrapModel makes the Lua value of a compiled model.
func wrapModel(L *lua.LState, m *modlang.Model) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = m
	mt := L.NewTable()
	mt.RawSetString("__name", lua.LString("model"))
	methods := L.NewTable()
	methods.RawSetString("simulate", L.NewFunction(modelSimulate))
	methods.RawSetString("source", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(check[*modlang.Model](L, 1, "model").Spec.Source()))
		return 1
	}))
	methods.RawSetString("name", lua.LString(m.Spec.Name))
	methods.RawSetString("linear", lua.LBool(m.Linear()))
	params := L.NewTable()
	for _, p := range m.Spec.Params {
		params.RawSetString(p.Name, lua.LNumber(p.Value))
	}
	methods.RawSetString("params", params)
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("model " + m.Spec.Name))
		return 1
	}))
	ud.Metatable = mt
	return ud
}

var pathNames = map[string]modlang.Path{"auto": modlang.Auto, "exact": modlang.Exact, "taylor": modlang.TaylorPath,
	"dopri5": modlang.Dopri5Path, "radau5": modlang.Radau5Path}

// modelSimulate is m:simulate(doses, times [, {params =, path =, rtol =, atol =}]):
// a table of columns time, every state and every output.
func modelSimulate(L *lua.LState) int {
	m := check[*modlang.Model](L, 1, "model")
	dt := L.CheckTable(2)
	var doses []modlang.Dose
	for i := 1; i <= dt.Len(); i++ {
		L.Push(dt.RawGetInt(i))
		c := newCfg(L, L.GetTop(), fmt.Sprintf("dosing record %d", i), "time", "amt", "rate", "ii", "addl", "cmt", "ss")
		L.Pop(1)
		cmt := ""
		if v := c.t.RawGetString("cmt"); v != lua.LNil {
			cmt = lua.LVAsString(v)
		}
		d := modlang.Dose{Time: c.num("time", 0), Amt: c.num("amt", math.NaN()), Rate: c.num("rate", 0), II: c.num("ii", 0),
			ADDL: c.int("addl", 0), Cmt: cmt, SS: c.int("ss", 0), Source: fmt.Sprintf("dosing record %d", i)}
		if math.IsNaN(d.Amt) {
			L.RaiseError("dosing record %d: amt is required", i)
		}
		doses = append(doses, d)
	}
	times := numList(L, L.CheckTable(3), "times", -1)
	o := newCfg(L, 4, "simulate options", "params", "path", "rtol", "atol")
	L.Push(o.t.RawGetString("params"))
	over := paramTable(L, L.GetTop())
	L.Pop(1)
	opts := modlang.SimOptions{RTol: o.num("rtol", 0), ATol: o.num("atol", 0)}
	if v := o.t.RawGetString("path"); v != lua.LNil {
		p, ok := pathNames[lua.LVAsString(v)]
		if !ok {
			L.RaiseError("simulate: path '%s' unknown%s", lua.LVAsString(v), didYouMean(lua.LVAsString(v), sortedKeys(pathNames)))
		}
		opts.Path = p
	}
	p, err := m.Params(over)
	if err != nil {
		L.RaiseError("%v", err)
	}
	in := m.NewInstance()
	if err := in.SetParams(p); err != nil {
		L.RaiseError("%v", err)
	}
	ns, no := m.NumStates(), len(m.Spec.Outputs)
	cols := make([][]float64, 1+ns+no)
	out := make([]float64, no)
	err = in.Simulate(doses, times, opts, func(i int, t float64, y []float64) {
		cols[0] = append(cols[0], t)
		for k, v := range y {
			cols[1+k] = append(cols[1+k], v)
		}
		in.Outputs(t, y, out)
		for k, v := range out {
			cols[1+ns+k] = append(cols[1+ns+k], v)
		}
	})
	if err != nil {
		L.RaiseError("%v", err)
	}
	res := L.NewTable()
	names := []string{"time"}
	for _, s := range m.Spec.States {
		names = append(names, s.Name)
	}
	names = append(names, m.Spec.Outputs...)
	for k, name := range names {
		col := L.CreateTable(len(cols[k]), 0)
		for _, v := range cols[k] {
			col.Append(lua.LNumber(v))
		}
		res.RawSetString(name, col)
	}
	L.Push(res)
	return 1
}
