package lua

import (
	"strings"
	"testing"
)

// TestGoCallSlotsAboveTopUnseen checks patch 27: a Go function called from
// Lua sees its arguments only (GetTop, nil above them) although the slots
// above its caller's arguments, no longer cleared when its frame is pushed
// or popped, hold the values of earlier calls and temporaries; the results of
// none, one and many are where the caller reads them. The transcript is the
// same on an auto-growing stack (the callGo path) and a fixed one (upstream's
// path, which clears).
func TestGoCallSlotsAboveTopUnseen(t *testing.T) {
	script := `
	  local out = {}
	  local function add(s) out[#out + 1] = s end
	  local function f()
	    local a, b, c, d, e, g = "a", "b", "c", "d", "e", {}
	    add(see(a, b, c, d, e, g))      -- six arguments, then one
	    gonone(a, b, c, d, e)           -- results: none
	    add(see())                      -- none: the old slots unseen
	    add(see(gen(3)))                -- a multiple result as arguments
	    local x, y, z = gen(1)          -- one result where three are wanted
	    add(tostring(x) .. tostring(y) .. tostring(z))
	    local p = gen(4)                -- four results where one is wanted
	    add(see(p))
	    add(select("#", gen(2)))
	    return a .. b .. c .. d .. e
	  end
	  add(f())
	  add(see(nil, nil))
	  return table.concat(out, " | ")`
	run := func(autoGrowing bool) string {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		defer L.Close()
		// see(...) returns its argument count, then the types of the slots
		// GetTop()+1 to GetTop()+3 (nil: none is seen)
		L.SetGlobal("see", L.NewFunction(func(L *LState) int {
			n := L.GetTop()
			var s strings.Builder
			s.WriteString(LNumber(n).String())
			for i := n + 1; i <= n+3; i++ {
				s.WriteString(" " + L.Get(i).Type().String())
			}
			L.Push(LString(s.String()))
			return 1
		}))
		L.SetGlobal("gonone", L.NewFunction(func(L *LState) int { return 0 }))
		L.SetGlobal("gen", L.NewFunction(func(L *LState) int {
			n := L.CheckInt(1)
			for i := 1; i <= n; i++ {
				L.Push(LNumber(i))
			}
			return n
		}))
		if err := L.DoString(script); err != nil {
			t.Fatal(err)
		}
		return L.Get(-1).String()
	}
	want := "6 nil nil nil | 0 nil nil nil | 3 nil nil nil | 1nilnil | 1 nil nil nil | 2 | abcde | 2 nil nil nil"
	for _, autoGrowing := range []bool{true, false} {
		if got := run(autoGrowing); got != want {
			t.Errorf("auto-growing %v: got\n%s\nwant\n%s", autoGrowing, got, want)
		}
	}
}
