package scripts

import (
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// maxPatternSteps bounds the work of one string.find, match, gmatch or gsub:
// about a second of matching on a loaded 2-core machine. A pattern that
// backtracks exponentially ("a*a*a*a*a*b" against 3,000 a's would take
// minutes) stops there with an error; ordinary patterns over megabytes of text
// take a few steps per byte.
const maxPatternSteps = 20_000_000

// maxGsubCopy bounds the bytes gopher-lua's gsub copies to build its result:
// it copies the whole string once per replacement (strGsubDoReplace), so
// work grows as replacements × result size, all in Go, where neither
// --timeout nor a signal reaches it. 200,000 one-byte replacements in a
// 200 kB string took over six minutes and ignored SIGTERM; a billion bytes
// is about a second.
const maxGsubCopy = 1_000_000_000

// checkGsubWork raises an error when n replacements into a result of size
// bytes would copy more than maxGsubCopy bytes.
func checkGsubWork(L *lua.LState, n int, size int64) {
	if float64(n)*float64(size) > maxGsubCopy {
		L.RaiseError("string.gsub: %d replacements in a result of %d bytes is too slow here (gopher-lua copies the whole string for each); "+
			"split the string, or gather the pieces in a table and join them with table.concat", n, size)
	}
}

// boundPatterns replaces string.find, match, gmatch (and its alias gfind) and
// gsub with functions that first run the pattern through pm.FindMetered (patch
// 12 of the carried gopher-lua), whose matcher counts its steps and looks at
// the run's context (the time limit, the memory watchdog, a signal); only a
// match that finished within
// maxPatternSteps is then done again by gopher-lua's own function, which is
// plain Go that nothing can interrupt. The worst case is thus twice the budget.
func boundPatterns(L *lua.LState) {
	strTab := L.GetGlobal("string").(*lua.LTable)
	for _, name := range []string{"find", "match", "gmatch", "gsub"} {
		name := name
		orig := strTab.RawGetString(name).(*lua.LFunction)
		fn := L.NewFunction(func(L *lua.LState) int {
			checkPattern(L, name)
			return callOriginal(L, orig)
		})
		strTab.RawSetString(name, fn)
		if name == "gmatch" {
			strTab.RawSetString("gfind", fn)
		}
	}
}

// checkPattern runs the metered matcher over the arguments of string.<name> as
// gopher-lua's function would read them, and raises the matcher's error. Bad
// arguments are left for the original function to report.
func checkPattern(L *lua.LState, name string) {
	s, ok1 := stringArg(L, 1)
	p, ok2 := stringArg(L, 2)
	if !ok1 || !ok2 {
		return
	}
	offset, limit := 0, -1
	switch name {
	case "find", "match":
		if name == "find" && lua.LVAsBool(L.Get(4)) { // plain: no pattern
			return
		}
		offset, limit = startIndex(len(s), L.OptInt(3, 1)), 1
	case "gsub":
		limit = L.OptInt(4, -1)
	}
	mt := &pm.Meter{MaxSteps: maxPatternSteps, Context: L.Context()}
	matches, err := pm.FindMetered(mt, p, []byte(s), offset, limit)
	if err != nil {
		L.RaiseError("string.%s: %v", name, err)
	}
	if name == "gsub" && len(matches) > 0 {
		// the result is built in one step: its size is checked first, and
		// so is the time gopher-lua takes to build it
		size := gsubSize(L, s, matches)
		reserve(L, "string.gsub", size)
		checkGsubWork(L, len(matches), size)
		meterGsubFunc(L, len(s), len(matches))
	}
}

// stringArg returns argument i as string.find reads it (a string or a number).
func stringArg(L *lua.LState, i int) (string, bool) {
	switch v := L.Get(i).(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return v.String(), true
	}
	return "", false
}

// startIndex turns Lua's 1-based (or negative, from the end) init argument of
// find and match into a byte offset, as gopher-lua does.
func startIndex(n, i int) int {
	if i != 0 {
		i--
	}
	if i < 0 {
		i = n + i + 1
	}
	return max(i, 0)
}
