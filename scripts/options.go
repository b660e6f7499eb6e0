package scripts

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// eachOption reads the options table t (argument n of a call): set(k, v) is
// called for each of the names that t holds, in the order of names, and a
// field that is none of them is an argument error ("unknown <what> option
// 'x'", with the nearest name). It reads the names with RawGetString and
// counts t's entries (lua.LTable.Entries) to tell whether there is another field: a
// walk with ForEach boxes every string key (an allocation each), and it runs
// for each request of each process (proc:request's options). Only a table
// with a field that is none of names is walked, to name that field.
//
// An empty table (resource:acquire({}, fn)) is read by counting alone.
func eachOption(L *lua.LState, n int, t *lua.LTable, what string, names []string, set func(k string, v lua.LValue)) {
	entries := t.Entries() // set reads values only: t does not change
	if entries == 0 {
		return
	}
	found := 0
	for _, k := range names {
		if v := t.RawGetString(k); !isNil(v) {
			found++
			set(k, v)
		}
	}
	if entries == found {
		return
	}
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok && isOneOf(string(s), names) {
			return
		}
		L.ArgError(n, fmt.Sprintf("unknown %s option '%s'%s", what, k.String(), didYouMean(k.String(), names)))
	})
}

// isNil reports whether v is nil: a type assertion, where v != lua.LNil
// compares two interfaces in a runtime call.
func isNil(v lua.LValue) bool {
	_, ok := v.(*lua.LNilType)
	return ok
}

func isOneOf(s string, names []string) bool {
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}
