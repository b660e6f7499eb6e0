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

// A process interrupted while it waits in proc:any_of takes up its life (here a
// timeout to 6); the condition firing later (at 2) must not wake it again.
// Also more events than condWait keeps in itself (4), with their values.
func TestAnyOfInterruptedIsWithdrawn(t *testing.T) {
	src := wrapBuild(`
    local ev = sim:event()
    local waiter = sim:process(function(proc)
      local fired, why = proc:any_of(ev, sim:timeout(50))
      sim:set("why", why == "interrupted" and 1 or 0)
      sim:set("fired_nil", not fired and 1 or 0)
      proc:timeout(5)
      sim:set("after_timeout_at", proc:now())
      local evs = {}
      for i = 1, 6 do evs[i] = sim:timeout(10 + i) end
      local got = proc:all_of(unpack(evs))
      sim:set("all_n", #got)
      sim:set("all_at", proc:now())
      sim:set("sixth_is_sixth", got[6] == evs[6] and 1 or 0)
    end)
    sim:process(function(proc)
      proc:timeout(1)
      waiter:interrupt("stop")
      proc:timeout(1)
      ev:succeed(7)
    end)`)
	res := runLua(t, "withdraw.lua", src)
	for name, want := range map[string]float64{"why": 1, "fired_nil": 1, "after_timeout_at": 6, "all_n": 6, "all_at": 6 + 16, "sixth_is_sixth": 1} {
		if k, _ := kpi(res[0], name); k.Value != want {
			t.Errorf("%s = %v, want %v", name, k.Value, want)
		}
	}
}

// The state of a proc:any_of wait is reused once its condition has fired
// (condWait): a wait withdrawn by an interrupt keeps its own until its
// condition fires (at 3 here), so that condition cannot wake the process that
// waits with the state next (the second, from 2 to 4), and the state freed
// then serves the third (from 3.5 to 5) with its own events and values.
func TestAnyOfWaitStateReusedOnlyAfterItsConditionFired(t *testing.T) {
	src := wrapBuild(`
    local e1, e2, e3 = sim:event(), sim:event(), sim:event()
    local first = sim:process(function(proc)
      local fired, why = proc:any_of(e1)
      sim:set("first_why", why == "interrupted" and 1 or 0)
      proc:timeout(10)
      sim:set("first_at", proc:now())
    end)
    local function waiter(name, start, ev)
      sim:process(function(proc)
        proc:timeout(start)
        local got = proc:any_of(ev, sim:timeout(50))
        sim:set(name .. "_at", proc:now())
        sim:set(name .. "_n", #got)
        sim:set(name .. "_value", ev:value())
        sim:set(name .. "_is_ev", got[1] == ev and 1 or 0)
      end)
    end
    waiter("second", 2, e2)
    waiter("third", 3.5, e3)
    sim:process(function(proc)
      proc:timeout(1); first:interrupt("stop")
      proc:timeout(2); e1:succeed(10)
      proc:timeout(1); e2:succeed(20)
      proc:timeout(1); e3:succeed(30)
    end)`)
	res := runLua(t, "reuse.lua", src)
	for name, want := range map[string]float64{"first_why": 1, "first_at": 11,
		"second_at": 4, "second_n": 1, "second_value": 20, "second_is_ev": 1,
		"third_at": 5, "third_n": 1, "third_value": 30, "third_is_ev": 1} {
		if k, ok := kpi(res[0], name); !ok || k.Value != want {
			t.Errorf("%s = %v (reported: %v), want %v", name, k.Value, ok, want)
		}
	}
}
