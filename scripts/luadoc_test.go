package scripts

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/physio/modlang"
	lua "github.com/yuin/gopher-lua"
)

// registeredLua returns, by LuaAPI group name, every name the host registers:
// read from the Lua states themselves (globals, metatables, module tables) and
// from the spec-field lists the loaders check keys against.
func registeredLua(t *testing.T) map[string][]string {
	t.Helper()
	reg := map[string][]string{
		"scenario fields": scenarioFields,
		"trial fields":    trialFields,
		"param options":   paramOptNames,
		"fit fields":      fitFields,
	}
	L, err := newSandbox(context.Background(), Limits{}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	for typ, mt := range newHostTypes(L).types {
		reg[typ] = tableKeys(mt.RawGetString("__index").(*lua.LTable))
	}
	reg["medtwin.ops"] = tableKeys(goModules["medtwin.ops"](L, t.TempDir()))
	mod := goModules["medtwin.model"](L, t.TempDir())
	reg["medtwin.model"] = tableKeys(mod)
	if mt, ok := L.GetMetatable(mod).(*lua.LTable); ok && mt.RawGetString("__call") != lua.LNil {
		reg["medtwin.model"] = append(reg["medtwin.model"], "__call")
	}
	m, err := modlang.Library(modlang.LibraryNames()[0])
	if err != nil {
		t.Fatal(err)
	}
	reg["model"] = tableKeys(wrapModel(L, m).Metatable.(*lua.LTable).RawGetString("__index").(*lua.LTable))
	reg["globals"] = globalsOfSpecs(t)
	return reg
}

func tableKeys(t *lua.LTable) []string {
	var out []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			out = append(out, string(s))
		}
	})
	sort.Strings(out)
	return out
}

// globalsOfSpecs returns the globals a scenario, a trial spec and a fit spec see
// beyond Lua's own libraries, read by a script run through each public loader.
func globalsOfSpecs(t *testing.T) []string {
	std := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer std.Close()
	for _, open := range []lua.LGFunction{lua.OpenBase, lua.OpenTable, lua.OpenString, lua.OpenMath} {
		std.Push(std.NewFunction(open))
		std.Call(0, 0)
	}
	isStd := map[string]bool{}
	for _, k := range tableKeys(std.G.Global) {
		isStd[k] = true
	}
	dir := t.TempDir()
	script := `local n = {} for k in pairs(_G) do n[#n + 1] = k end table.sort(n) error("GLOBALS " .. table.concat(n, " ") .. " END")`
	path := filepath.Join(dir, "g.lua")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for kind, load := range map[string]func() error{
		"scenario": func() error { _, err := Load(path, time.Minute); return err },
		"trial":    func() error { _, err := LoadTrial(path); return err },
		"fit":      func() error { _, err := LoadFitSpec(path); return err },
	} {
		m := regexp.MustCompile(`GLOBALS (.*) END`).FindStringSubmatch(load().Error())
		if m == nil {
			t.Fatalf("the %s loader did not report the globals script's error", kind)
		}
		for _, g := range strings.Fields(m[1]) {
			if !isStd[g] || g == "print" || g == "require" {
				seen[g] = true
			}
		}
	}
	return sortedKeys(seen)
}

// Every name the host registers has an entry in LuaAPI, and every entry names
// a registered name: the printed reference (medtwin doc lua) is the API.
func TestLuaDocMatchesRegistrations(t *testing.T) {
	reg := registeredLua(t)
	groups := map[string]LuaGroup{}
	for _, g := range LuaAPI {
		if _, dup := groups[g.Name]; dup {
			t.Errorf("LuaAPI has two groups %q (scripts/luadoc.go)", g.Name)
		}
		groups[g.Name] = g
	}
	for name := range reg {
		if _, ok := groups[name]; !ok {
			t.Errorf("Lua type or table %q is registered but LuaAPI has no group for it: add "+
				"{Name: %q, Intro: \"...\", Funcs: []LuaFunc{...}} to LuaAPI in scripts/luadoc.go", name, name)
		}
	}
	for _, g := range LuaAPI {
		names, ok := reg[g.Name]
		if !ok {
			t.Errorf("LuaAPI group %q documents nothing the host registers: remove it from scripts/luadoc.go", g.Name)
			continue
		}
		has := map[string]bool{}
		for _, n := range names {
			has[n] = true
		}
		doc := map[string]bool{}
		for _, f := range g.Funcs {
			if doc[f.Name] {
				t.Errorf("LuaAPI group %q documents %q twice", g.Name, f.Name)
			}
			doc[f.Name] = true
			if f.Sig == "" || f.Doc == "" {
				t.Errorf("LuaAPI %s.%s: Sig and Doc must both be set (scripts/luadoc.go)", g.Name, f.Name)
			}
			if !has[f.Name] {
				t.Errorf("LuaAPI group %q documents %q, which the host does not register: remove its entry from "+
					"scripts/luadoc.go, or register it", g.Name, f.Name)
			}
		}
		for _, n := range names {
			if !doc[n] {
				t.Errorf("%s %q is registered but undocumented: add {%q, \"<how a script calls it>\", \"<what it does>\"} "+
					"to the group %q of LuaAPI in scripts/luadoc.go", g.Name, n, n, g.Name)
			}
		}
	}
}

// The printed reference has a section and a row per entry.
func TestWriteLuaReference(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLuaReference(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, g := range LuaAPI {
		if !strings.Contains(out, "\n## "+g.Name+"\n") {
			t.Errorf("no section for %s", g.Name)
		}
		for _, f := range g.Funcs {
			if !strings.Contains(out, "| `"+strings.ReplaceAll(f.Sig, "|", "\\|")+"` |") {
				t.Errorf("no row for %s.%s", g.Name, f.Name)
			}
		}
	}
}

// A misspelt method's error shows the signature of the method it suggests,
// taken from LuaAPI.
func TestMisspeltMethodShowsSignature(t *testing.T) {
	sc, err := Load(write(t, "bad.lua", wrapBuild(`    local r = sim:resourse("beds", 3)`)), time.Minute)
	if err == nil {
		_, err = runAll(t, sc, time.Minute, 0)
	}
	want := "did you mean 'resource'? (sim:resource(name, capacity"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want it to contain %q", err, want)
	}
}

// Every statistic the engine reports for a resource is named in the reference's
// resource section (issue 24: system_mean was added without a word).
func TestResourceKPIsDocumented(t *testing.T) {
	var intro string
	for _, g := range LuaAPI {
		if g.Name == "resource" {
			intro = g.Intro
		}
	}
	s := engine.New(engine.Options{})
	if _, err := s.NewResource("r", 1); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, k := range s.Results() {
		if stat, ok := strings.CutPrefix(k.Name, "r."); ok {
			seen++
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(stat) + `\b`).MatchString(intro) {
				t.Errorf("resource KPI %q is not named in the resource section of LuaAPI (scripts/luadoc.go)", stat)
			}
		}
	}
	if seen == 0 {
		t.Fatal("a resource reported no KPIs")
	}
}
