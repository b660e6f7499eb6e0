package scripts

import (
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// Issue 17, semantics: proc:wait on a condition made by sim:any_of or
// sim:all_of returned nil; it now returns the list of the events that had
// happened, as proc:any_of and proc:all_of do (SimPy's `yield a | b` gives the
// fired events too). So does the condition's event:value().
func TestWaitOnConditionReturnsFiredEvents(t *testing.T) {
	src := wrapBuild(`
    sim:process(function(proc)
      local slow, fast = sim:timeout(9), sim:timeout(2)
      local any = sim:any_of(slow, fast)
      local fired = proc:wait(any)
      sim:set("any_n", type(fired) == "table" and #fired or -1)
      sim:set("any_fast", type(fired) == "table" and fired[1] == fast and 1 or 0)
      sim:set("any_value_n", type(any:value()) == "table" and #any:value() or -1)
      local all = proc:wait(sim:all_of(slow, fast))
      sim:set("all_n", type(all) == "table" and #all or -1)
      sim:set("all_at", proc:now())
      local nested = proc:wait(sim:any_of(sim:any_of(sim:timeout(1)), sim:timeout(5)))
      sim:set("nested_n", type(nested) == "table" and #nested or -1)
    end)`)
	res := runLua(t, "cond.lua", src)
	for name, want := range map[string]float64{"any_n": 1, "any_fast": 1, "any_value_n": 1, "all_n": 2, "all_at": 9, "nested_n": 1} {
		if k, _ := kpi(res[0], name); k.Value != want {
			t.Errorf("%s = %v, want %v", name, k.Value, want)
		}
	}
}

// firedTable maps the fired events of a condition back to the Lua values they
// were given as: in order, with an event given twice, and (should a kernel
// ever report them out of order) looked up.
func TestFiredTable(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	s := engine.New(engine.Options{})
	a, b, c := s.NewEvent(), s.NewEvent(), s.NewEvent()
	evs := []*engine.Event{a, b, c, a}
	vals := []lua.LValue{lua.LString("a"), lua.LString("b"), lua.LString("c"), lua.LString("a2")}
	for _, tc := range []struct {
		fired []*engine.Event
		want  string
	}{
		{[]*engine.Event{a, c}, "a c"},
		{[]*engine.Event{a, b, c, a}, "a b c a2"},
		{[]*engine.Event{c, b}, "c b"},
		{nil, ""},
	} {
		tb := firedTable(L, evs, vals, tc.fired)
		var got []string
		for i := 1; i <= tb.Len(); i++ {
			got = append(got, tb.RawGetInt(i).String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("fired %d events: got %q, want %q", len(tc.fired), strings.Join(got, " "), tc.want)
		}
	}
}
