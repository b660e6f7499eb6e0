package scripts

import (
	"fmt"
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// eachOption reads the options table t (argument n of a call): set(k, v) is
// called for each of the names that t holds, in the order of names, and a
// field that is none of them is an argument error ("unknown <what> option
// 'x'", with the nearest name). It reads the names with RawGetString and
// counts t's entries (tableEntries) to tell whether there is another field: a
// walk with ForEach boxes every string key (an allocation each), and it runs
// for each request of each process (proc:request's options). Only a table
// with a field that is none of names is walked, to name that field.
func eachOption(L *lua.LState, n int, t *lua.LTable, what string, names []string, set func(k string, v lua.LValue)) {
	found := 0
	for _, k := range names {
		if v := t.RawGetString(k); v != lua.LNil {
			found++
			set(k, v)
		}
	}
	if entries, ok := tableEntries(t); ok && entries == found {
		return
	}
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok && isOneOf(string(s), names) {
			return
		}
		L.ArgError(n, fmt.Sprintf("unknown %s option '%s'%s", what, k.String(), didYouMean(k.String(), names)))
	})
}

func isOneOf(s string, names []string) bool {
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

// The offsets in an LTable of its string-keyed map, its other map and its
// array part, found by reflection once (ok: the fields are there, with those
// types; otherwise tableEntries reports it cannot count).
var ltableParts = func() (f struct {
	strdict, dict, array uintptr
	ok                   bool
}) {
	t := reflect.TypeOf(lua.LTable{})
	field := func(name string, want reflect.Type) (uintptr, bool) {
		sf, found := t.FieldByName(name)
		return sf.Offset, found && sf.Type == want
	}
	var ok1, ok2, ok3 bool
	f.strdict, ok1 = field("strdict", reflect.TypeOf(map[string]lua.LValue(nil)))
	f.dict, ok2 = field("dict", reflect.TypeOf(map[lua.LValue]lua.LValue(nil)))
	f.array, ok3 = field("array", reflect.TypeOf([]lua.LValue(nil)))
	f.ok = ok1 && ok2 && ok3
	return f
}()

// tableEntries returns the number of fields of t whose value is not nil (as
// ForEach visits them), and false when this version of gopher-lua's LTable
// lacks the fields it reads. Its maps hold no nil value (setting a field to
// nil deletes it); its array part may.
func tableEntries(t *lua.LTable) (int, bool) {
	if !ltableParts.ok {
		return 0, false
	}
	p := unsafe.Pointer(t)
	n := len(*(*map[string]lua.LValue)(unsafe.Add(p, ltableParts.strdict))) +
		len(*(*map[lua.LValue]lua.LValue)(unsafe.Add(p, ltableParts.dict)))
	for _, v := range *(*[]lua.LValue)(unsafe.Add(p, ltableParts.array)) {
		if v != lua.LNil {
			n++
		}
	}
	return n, true
}
