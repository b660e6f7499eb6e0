package scripts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// runBody runs a one-replication scenario whose build function is body; the
// Lua code checks its own expectations with check(cond, msg), which raises.
func runBody(t *testing.T, body string) error {
	t.Helper()
	src := `local function check(ok, msg) if not ok then error(msg, 2) end end
` + wrapBuild(body)
	sc, err := Load(write(t, "proc.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runAll(t, sc, time.Minute, 0)
	return err
}

// Issue 17 item 4 for Lua processes: a waiter granted a unit and interrupted in
// the same event gets (nil|false, "interrupted") and must not keep the unit: a
// third process asking at 6 is served at once.
func TestLuaInterruptAfterGrantFreesUnit(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("bed", 1)
    local waiter
    sim:process(function(proc)
      local req = proc:request(r)
      proc:timeout(5)
      proc:release(req)        -- grants the waiter ...
      waiter:interrupt("away") -- ... which is interrupted in the same event
    end)
    waiter = sim:process(function(proc)
      local req, why = proc:request(r)
      check(not req and why == "interrupted", "request returned " .. tostring(req) .. ", " .. tostring(why))
    end)
    sim:schedule(6, function()
      check(r:in_use() == 0, "the interrupted waiter still holds the bed")
      sim:process(function(proc)
        proc:use(r, function() check(proc:now() == 6, "third served at " .. proc:now()) end)
      end)
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// Releasing a Lua request twice is an error and does not free the unit of the
// process that got the recycled request.
func TestLuaDoubleReleaseTouchesNoOtherRequest(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("bed", 2)
    sim:process(function(proc)
      local req = proc:request(r)
      proc:release(req)
      sim:process(function(other) other:request(r); other:timeout(10) end)
      local ok = pcall(proc.release, proc, req)
      check(not ok, "a second release succeeded")
      check(r:in_use() == 1, "the other process lost its unit: in use " .. r:in_use())
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// The same for a callback-style request (res:acquire): its request was
// recycled by the kernel at release, so a second release of it released the
// unit of the next acquire that got the recycled request, silently.
func TestLuaAcquireDoubleReleaseTouchesNoOtherRequest(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("bed", 1)
    local got
    local first = r:acquire({}, function(q) got = q end)
    check(got ~= nil and got == first, "the callback of a unit granted at once did not get the request")
    sim:schedule(1, function()
      r:release(first)
      local granted = false
      local second = r:acquire({}, function() granted = true end)
      check(granted, "the second acquire was not granted at once")
      local ok = pcall(r.release, r, first)
      check(not ok, "a second release of the first request succeeded")
      check(r:in_use() == 1, "the second request lost its unit: in use " .. r:in_use())
      r:release(second)
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// A process's first request lives in the process's own memory (luaProc.reqMem,
// one allocation for both); its later ones, by proc:request or by
// resource:acquire in its body, each get their own: the first, kept by the
// script after its release, still reads as released, and a second release of
// it is an error that leaves the later requests' units alone.
func TestProcessFirstRequestMemoryUsedOnce(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("bed", 3)
    sim:process(function(proc)
      local first = proc:request(r)
      proc:release(first)
      local second = proc:request(r)
      local third = r:acquire({}, function() end)
      check(first ~= second and first ~= third and second ~= third, "two requests are one userdata")
      check(first:state() == "released", "the first request reads " .. first:state() .. " after its release")
      check(second:state() == "granted" and third:state() == "granted", "the later requests are not granted")
      check(not pcall(proc.release, proc, first), "a second release of the first request succeeded")
      check(r:in_use() == 2, "the later requests lost their units: in use " .. r:in_use())
      proc:release(second)
      r:release(third)
    end)
    sim:process(function(proc)
      local first = r:acquire({}, function() end) -- an acquire is the first
      local second = proc:request(r)
      check(first ~= second and first:state() == "granted" and second:state() == "granted",
        "acquire then request: " .. first:state() .. ", " .. second:state())
      r:release(first)
      check(second:state() == "granted" and r:in_use() == 1, "releasing the acquired one touched the requested one")
      proc:release(second)
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// Processes share slabs of memory (procSlab to an allocation, host.newProc):
// procs and requests kept after their processes ended stay their own, across
// slabs, while later processes run in the same slabs and interrupt a kept
// live one.
func TestKeptProcsStayTheirOwnInSlabs(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("bed", 2)
    local procs, reqs, sleeper = {}, {}, nil
    sleeper = sim:process(function(proc)
      local ok, why = proc:timeout(50)
      check(ok == false and why == "interrupted", "the sleeper was not interrupted: " .. tostring(why))
    end)
    sim:source("c", function() return 1 end, function(proc, n)
      procs[n] = proc
      reqs[n] = proc:request(r)
      proc:timeout(0.5)
      proc:release(reqs[n])
      if n == 20 then sleeper:interrupt("done") end
    end, { limit = 20 })
    sim:schedule(30, function()
      local seen = {}
      for n = 1, 20 do
        local p = procs[n]
        check(p ~= nil and not seen[p], "proc " .. n .. " is missing or another's")
        seen[p] = true
        check(p:id() == n + 1, "proc " .. n .. " has id " .. p:id())
        check(p:ended(), "proc " .. n .. " is not ended")
        check(reqs[n]:state() == "released", "request " .. n .. " reads " .. reqs[n]:state())
        for m = 1, n - 1 do check(reqs[m] ~= reqs[n], "requests " .. m .. " and " .. n .. " are one") end
      end
      check(sleeper:ended(), "the sleeper has not ended")
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 17 item 5 for Lua processes: an interrupt from a process the parent
// started (so the parent is running) reaches the parent's next wait at once.
func TestLuaInterruptWhileRunningDeliveredAtNextWait(t *testing.T) {
	err := runBody(t, `
    sim:process(function(proc)
      local parent = proc
      sim:process(function(child) parent:interrupt("from child") end)
      local ok, why, cause = proc:timeout(5)
      check(not ok and why == "interrupted" and cause == "from child" and proc:now() == 0,
        "first timeout returned " .. tostring(ok) .. ", " .. tostring(why) .. " at " .. proc:now())
      ok = proc:timeout(5)
      check(ok and proc:now() == 5, "second timeout returned " .. tostring(ok) .. " at " .. proc:now())
    end)`)
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 17 item 12: a holder preempted inside proc:use(res, fn) finishes fn and
// use returns as SimPy's `with` block does; no "preempted, not held" error from
// the prelude. A manual release of a preempted request does nothing either.
func TestLuaUseFnPreempted(t *testing.T) {
	err := runBody(t, `
    local r = sim:resource("ct", 1)
    sim:process(function(proc)
      local ok = proc:use(r, function()
        local done, why = proc:timeout(10)
        check(not done and why == "preempted", "timeout returned " .. tostring(done) .. ", " .. tostring(why))
      end, { priority = 5 })
      check(ok, "use returned " .. tostring(ok))
      local req = proc:request(r, { priority = 5 })
      proc:timeout(10)           -- granted at 7, preempted at 12
      proc:release(req)          -- a no-op
      check(r:in_use() == 1, "in use " .. r:in_use())
    end)
    for _, at in ipairs({ 2, 12 }) do
      sim:schedule(at, function()
        sim:process(function(proc) proc:use(r, 5, { priority = 0, preempt = true }) end)
      end)
    end`)
	if err != nil {
		t.Fatal(err)
	}
}

// A process cannot interrupt itself: a clear error naming the line.
func TestLuaSelfInterruptIsAnError(t *testing.T) {
	err := runBody(t, `
    sim:process(function(proc)
      proc:interrupt("me")
    end)`)
	if err == nil || !strings.Contains(err.Error(), "cannot interrupt itself") || !strings.Contains(err.Error(), "proc.lua:7:") {
		t.Fatalf("got %v, want the self-interrupt error at proc.lua:7", err)
	}
}

// Issue 24: a request with wait=false that finds no free unit returns
// (nil, "blocked") and counts as blocked, not balked; balk_at counts only the
// requests waiting (not those in service) and counts as balked.
func TestLuaNoWaitIsBlockedBalkAtIsBalked(t *testing.T) {
	src := `local function check(ok, msg) if not ok then error(msg, 2) end end
` + wrapBuild(`
    local r = sim:resource("icu", 2)
    for i = 1, 2 do sim:process(function(proc) proc:request(r); proc:timeout(10) end) end
    sim:process(function(proc)
      local req, why = proc:request(r, { wait = false })
      check(req == nil and why == "blocked", "wait=false returned " .. tostring(req) .. ", " .. tostring(why))
      local ok, why2 = proc:use_for(r, 1, { wait = false })
      check(ok == false and why2 == "blocked", "use_for wait=false returned " .. tostring(ok) .. ", " .. tostring(why2))
      local q, why3 = r:acquire({ wait = false }, function() end)
      check(q == nil and why3 == "blocked", "acquire wait=false returned " .. tostring(q) .. ", " .. tostring(why3))
    end)
    -- both units busy, nobody waiting: balk_at = 1 joins the queue ...
    sim:process(function(proc)
      local req, why = proc:request(r, { balk_at = 1 })
      check(req ~= nil, "balk_at=1 with an empty queue balked: " .. tostring(why))
    end)
    -- ... and the next one, finding one waiting, balks
    sim:process(function(proc)
      local req, why = proc:request(r, { balk_at = 1 })
      check(req == nil and why == "balked", "balk_at=1 with one waiting returned " .. tostring(req) .. ", " .. tostring(why))
    end)`)
	sc, err := Load(write(t, "block.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"icu.blocked": 3, "icu.balked": 1} {
		if k, ok := kpi(res[0], name); !ok || k.Value != want {
			t.Errorf("%s = %v (found %v), want %v", name, k.Value, ok, want)
		}
	}
}

// What a Lua wait returns when it fails (proc:timeout, proc:request, ...), for
// each of the kernel's errors, unwrapped (the kernel's own) or wrapped: nil,
// "reneged"; false, "preempted", nil; false, "interrupted", the cause; nil and
// the message of any other error. The kernel's reneging and preemption cost
// no allocation (a renege path of bank_renege made three each).
func TestFailedWaitValues(t *testing.T) {
	pe := &engine.Preemption{Resource: &engine.Resource{Name: "bed"}}
	in := &engine.Interrupt{Cause: lua.LString("stop")}
	other := errors.New("something else")
	for _, tc := range []struct {
		err  error
		want []lua.LValue
	}{
		{engine.ErrReneged, []lua.LValue{lua.LNil, lua.LString("reneged")}},
		{fmt.Errorf("queue: %w", engine.ErrReneged), []lua.LValue{lua.LNil, lua.LString("reneged")}},
		{pe, []lua.LValue{lua.LFalse, lua.LString("preempted"), lua.LNil}},
		{fmt.Errorf("x: %w", pe), []lua.LValue{lua.LFalse, lua.LString("preempted"), lua.LNil}},
		{in, []lua.LValue{lua.LFalse, lua.LString("interrupted"), lua.LString("stop")}},
		{fmt.Errorf("x: %w", in), []lua.LValue{lua.LFalse, lua.LString("interrupted"), lua.LString("stop")}},
		{&engine.Interrupt{Cause: 42}, []lua.LValue{lua.LFalse, lua.LString("interrupted"), lua.LNil}},
		{other, []lua.LValue{lua.LNil, lua.LString("something else")}},
	} {
		if got := failedWait(tc.err); !slices.Equal(got, tc.want) {
			t.Errorf("failedWait(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	for _, err := range []error{engine.ErrReneged, pe} {
		if n := testing.AllocsPerRun(100, func() { failedWait(err) }); n != 0 {
			t.Errorf("failedWait(%v): %v allocations, want 0", err, n)
		}
	}
}
