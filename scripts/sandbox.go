package scripts

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

//go:embed prelude.lua
var preludeSrc string

// Limits bound what a script may use.
type Limits struct {
	// CallStack is the maximum Lua call depth (default 200).
	CallStack int
	// Registry is the maximum number of values on a Lua stack (default 256k).
	Registry int
	// StringBytes caps a string built by string.rep (default 64 MiB).
	StringBytes int
}

func (l Limits) withDefaults() Limits {
	if l.CallStack <= 0 {
		l.CallStack = 200
	}
	if l.Registry <= 0 {
		l.Registry = 256 * 1024
	}
	if l.StringBytes <= 0 {
		l.StringBytes = 64 << 20
	}
	return l
}

// removedBase are base-library functions a scenario may not call: they read
// files, compile code from strings, or reach the interpreter's internals.
var removedBase = []string{"dofile", "loadfile", "load", "loadstring", "module", "require",
	"getfenv", "setfenv", "newproxy", "_printregs", "collectgarbage"}

// newSandbox returns a Lua state with only base, table, string and math, the
// dangerous functions removed, print sent to out, and the prelude loaded.
func newSandbox(ctx context.Context, lim Limits, out io.Writer, dir string) (*lua.LState, error) {
	lim = lim.withDefaults()
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       lim.CallStack,
		RegistrySize:        1024,
		RegistryMaxSize:     lim.Registry,
		RegistryGrowStep:    1024,
		MinimizeStackMemory: true,
	})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range removedBase {
		L.SetGlobal(name, lua.LNil)
	}
	refuseMathRandom(L)
	if out == nil {
		out = os.Stderr
	}
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		parts := make([]string, L.GetTop())
		for i := range parts {
			parts[i] = L.ToStringMeta(L.Get(i + 1)).String()
		}
		fmt.Fprintln(out, strings.Join(parts, "\t"))
		return 0
	}))
	// string building that can allocate without bound in a single step is
	// capped and metered; everything else grows gradually and meets the time
	// limit or the memory watchdog first
	meterStrings(L, lim.StringBytes)
	boundPatterns(L)
	L.SetGlobal("require", L.NewFunction(requireFn(dir)))
	// model { ... } without require: the table require("medtwin.model") returns (scripts/model.go)
	L.Push(L.GetGlobal("require"))
	L.Push(lua.LString("medtwin.model"))
	L.Call(1, 1)
	L.SetGlobal("model", L.Get(-1))
	L.Pop(1)
	L.SetGlobal("__medtwin_park", L.NewFunction(parkFn))
	prelude, err := compileString(L, preludeSrc, "medtwin-prelude")
	if err == nil {
		L.Push(prelude)
		err = L.PCall(0, 0, nil)
	}
	if err != nil {
		L.Close()
		return nil, fmt.Errorf("scripts: prelude: %w", err)
	}
	hideHooks(L)
	if ctx != nil {
		L.SetContext(ctx)
	}
	return L, nil
}

// refuseMathRandom replaces math.random and math.randomseed with errors: they
// draw from Go's global generator, outside the scenario's seed, so the same
// scenario and seed would give different numbers on every run. A scenario draws
// from named streams instead (sim:rng, sim:entity_rng), which keep runs
// reproducible and common random numbers aligned.
func refuseMathRandom(L *lua.LState) {
	m := L.GetGlobal("math").(*lua.LTable)
	for _, name := range []string{"random", "randomseed"} {
		name := name
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("math.%s is not available: it is not seeded by the scenario, so runs would not repeat; "+
				"draw from a named stream instead: local r = sim:rng(\"name\") then r:uniform(), r:int(lo, hi), r:exp(rate), ...", name)
			return 0
		}))
	}
}

// strictGlobals makes reading an undefined global an error with a suggestion.
func strictGlobals(L *lua.LState) {
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(2)
		var names []string
		L.G.Global.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); ok && !strings.HasPrefix(string(s), "__medtwin") {
				names = append(names, string(s))
			}
		})
		L.RaiseError("unknown name '%s'%s", name, suggestDoc("globals", name, names))
		return 0
	}))
	L.SetMetatable(L.G.Global, mt)
}

var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// bundled holds the medtwin.* Lua modules, registered by the packages that
// provide them.
var bundled = map[string]string{}

// goModules are medtwin.* modules implemented in Go; each builds its table for
// a Lua state, given the scenario's directory.
var goModules = map[string]func(L *lua.LState, dir string) *lua.LTable{}

// RegisterModule adds a bundled module that scenarios load with require(name).
// name must start with "medtwin.".
func RegisterModule(name, src string) {
	if !strings.HasPrefix(name, "medtwin.") {
		panic("scripts: RegisterModule: bundled modules are named medtwin.*, got " + name)
	}
	bundled[name] = src
}

// requireFn loads a module: a bundled medtwin.* module, or NAME.lua from the
// scenario's own directory (dots are subdirectories). Nothing else is reachable.
func requireFn(dir string) lua.LGFunction {
	loaded := map[string]lua.LValue{}
	return func(L *lua.LState) int {
		name := L.CheckString(1)
		if v, ok := loaded[name]; ok {
			L.Push(v)
			return 1
		}
		if !moduleName.MatchString(name) {
			L.RaiseError("require: '%s' is not a module name (letters, digits, _ and dots only)", name)
		}
		if mk, ok := goModules[name]; ok {
			t := mk(L, dir)
			loaded[name] = t
			L.Push(t)
			return 1
		}
		var src, chunk string
		if s, ok := bundled[name]; ok {
			src, chunk = s, "@"+name
		} else if strings.HasPrefix(name, "medtwin.") {
			known := sortedKeys(bundled)
			known = append(known, sortedKeys(goModules)...)
			L.RaiseError("require: no bundled module '%s'%s", name, didYouMean(name, known))
		} else {
			if dir == "" {
				L.RaiseError("require: '%s': this scenario has no directory to load modules from", name)
			}
			real, err := insideDir(dir, filepath.FromSlash(strings.ReplaceAll(name, ".", "/"))+".lua")
			if err != nil {
				L.RaiseError("require: module '%s': %v", name, err)
			}
			b, err := os.ReadFile(real)
			if err != nil {
				L.RaiseError("require: %v", err)
			}
			src, chunk = string(b), filepath.ToSlash(filepath.Join(filepath.Base(dir), filepath.Base(real)))
		}
		fn, err := compileString(L, src, chunk)
		if err != nil {
			L.RaiseError("require '%s': %v", name, err)
		}
		L.Push(fn)
		L.Call(0, 1)
		v := L.Get(-1)
		if v == lua.LNil {
			v = lua.LTrue
		}
		loaded[name] = v
		L.Pop(1)
		L.Push(v)
		return 1
	}
}

// Compile parses Lua source into a prototype; chunk names the source in
// error messages (the scenario's path).
func Compile(src, chunk string) (*lua.FunctionProto, error) {
	stmts, err := parse.Parse(strings.NewReader(src), chunk)
	if err != nil {
		return nil, syntaxError(chunk, err)
	}
	if err := checkNesting(stmts, chunk); err != nil {
		return nil, err
	}
	proto, err := lua.Compile(stmts, chunk)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", chunk, err)
	}
	return proto, nil
}

func compileString(L *lua.LState, src, chunk string) (*lua.LFunction, error) {
	proto, err := Compile(src, chunk)
	if err != nil {
		return nil, err
	}
	return L.NewFunctionFromProto(proto), nil
}

// syntaxError rewrites gopher-lua's parse error into "file:line: message".
func syntaxError(chunk string, err error) error {
	if pe, ok := err.(*parse.Error); ok {
		return fmt.Errorf("%s:%d: syntax error near '%s': %s", chunk, pe.Pos.Line, pe.Token, pe.Message)
	}
	return fmt.Errorf("%s: %v", chunk, err)
}

// insideDir resolves rel inside dir, following symbolic links, and refuses a
// path that ends up outside dir or that is not a regular file. Every file a
// scenario or trial spec names goes through it.
func insideDir(dir, rel string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("the scenario has no directory to read from")
	}
	if filepath.IsAbs(rel) {
		return "", fmt.Errorf("absolute paths are not allowed")
	}
	real, err := filepath.EvalSymlinks(filepath.Join(dir, rel))
	if err != nil {
		return "", fmt.Errorf("not found in the scenario's directory")
	}
	root, _ := filepath.EvalSymlinks(dir)
	if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("lies outside the scenario's directory")
	}
	// a FIFO or a device would block or read without end
	if fi, err := os.Stat(real); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("is not a regular file")
	}
	return real, nil
}
