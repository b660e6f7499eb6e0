package scripts

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// A process still waiting when its replication ends leaves its thread
// suspended in the middle of its body, and gopher-lua can neither resume such
// a thread elsewhere nor unwind it. resetThread makes it a thread that has not
// started, as NewThread returns one (empty call stack, no current frame, no
// open upvalues, an empty stack), so that the next replication runs a process
// on it instead of making a new thread (NewThread allocates a whole Global of
// tables it then drops: ~5-9% of the gas station example's CPU). gopher-lua
// has no API for this; the fields are reached by reflection and written
// through their addresses, and when gopher-lua's LState lacks them (another
// version) nothing is reset and new threads are made as before.
//
// Nothing of the old body stays reachable: its frames are dropped, and the
// closures it made belong to the finished replication (globals, libraries, p
// and the module cache are put back or made anew before the next one).
var threadFields = func() (f struct {
	frame, stack, uvcache int
	ok                    bool
}) {
	t := reflect.TypeOf(lua.LState{})
	idx := func(name string, kind reflect.Kind) int {
		sf, found := t.FieldByName(name)
		if !found || sf.Type.Kind() != kind {
			return -1
		}
		return sf.Index[0]
	}
	f.frame, f.stack, f.uvcache = idx("currentFrame", reflect.Pointer), idx("stack", reflect.Interface), idx("uvcache", reflect.Pointer)
	f.ok = f.frame >= 0 && f.stack >= 0 && f.uvcache >= 0
	return f
}()

// spStack is the part of gopher-lua's call-frame stack that resetThread uses.
type spStack interface {
	SetSp(sp int)
	Sp() int
}

// resetThread makes th a thread that has not started (see above) and reports
// whether it could.
func resetThread(th *lua.LState) bool {
	if !threadFields.ok || th.Dead || th.Parent != nil {
		return false
	}
	v := reflect.ValueOf(th).Elem()
	field := func(i int) reflect.Value {
		f := v.Field(i)
		return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	}
	st, ok := field(threadFields.stack).Interface().(spStack)
	if !ok {
		return false
	}
	st.SetSp(0)
	field(threadFields.frame).SetZero()
	field(threadFields.uvcache).SetZero()
	th.SetTop(0)
	return st.Sp() == 0
}
