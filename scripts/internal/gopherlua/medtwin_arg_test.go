package lua

import (
	"fmt"
	"strings"
	"testing"
)

// Patch 24: Arg(n) is Get(n) for every positive n, in a Go function called
// from Lua with 0-4 arguments (nil among them, varargs, a method call,
// frames 0-10 deep, across the stack's segments, on both stacks), called
// from Go, and on a state with no frame.
func TestArgIsGetForPositiveIndices(t *testing.T) {
	for _, autoGrowing := range []bool{true, false} {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		calls := 0
		compare := L.NewFunction(func(L *LState) int {
			calls++
			for n := 1; n <= L.GetTop()+3; n++ {
				if a, g := L.Arg(n), L.Get(n); a != g {
					t.Errorf("autoGrowing %v, call %d (top %d): Arg(%d) = %v, Get(%d) = %v", autoGrowing, calls, L.GetTop(), n, a, n, g)
				}
			}
			L.Push(LNumber(L.GetTop()))
			return 1
		})
		L.SetGlobal("compare", compare)
		err := L.DoString(`
			local obj = setmetatable({}, {__index = {m = compare}})
			local function deep(d, ...)
				if d > 0 then return deep(d - 1, ...) end
				local a, b = 1, 2
				compare(); compare(a); compare(a, nil, b); compare(nil, nil); compare(...)
				obj:m(); obj:m(a, b); compare(compare(a, b, 3, 4))
				return compare(a, ...)
			end
			for d = 0, 10 do deep(d, "x", nil, "y") end
		`)
		if err != nil {
			t.Fatalf("autoGrowing %v: %v", autoGrowing, err)
		}
		if want := 11 * 10; calls != want {
			t.Errorf("autoGrowing %v: %d calls, want %d", autoGrowing, calls, want)
		}
		if err := L.CallByParam(P{Fn: compare, NRet: 0, Protect: true}, LString("a"), LNil, LNumber(3)); err != nil {
			t.Fatal(err)
		}
		// no frame: the state's own stack
		L.SetTop(0)
		L.Push(LString("p"))
		L.Push(LNil)
		L.Push(LTrue)
		var got []string
		for n := 1; n <= 5; n++ {
			if a, g := L.Arg(n), L.Get(n); a != g {
				t.Errorf("autoGrowing %v, no frame: Arg(%d) = %v, Get(%d) = %v", autoGrowing, n, a, n, g)
			}
			got = append(got, fmt.Sprint(L.Arg(n)))
		}
		if s := strings.Join(got, " "); s != "p nil true nil nil" {
			t.Errorf("autoGrowing %v, no frame: Arg(1..5) = %s, want p nil true nil nil", autoGrowing, s)
		}
		L.Close()
	}
}
