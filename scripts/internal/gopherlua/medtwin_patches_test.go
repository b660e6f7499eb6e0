package lua

// Tests of the medtwin patches (PATCHES.md), beside gopher-lua's own.

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Patch 1: the context is checked every ctxCheckInterval instructions, so a
// loop that calls nothing (no entry into the main loop, no Go function) is
// still stopped when the context ends.
func TestContextStopsLoopWithoutCalls(t *testing.T) {
	L := NewState()
	defer L.Close()
	stoppedByDeadline(t, L, `local i = 0 while true do i = i + 1 end`, 100*time.Millisecond, 30*time.Second)
}

// stoppedByDeadline runs script on L with a context that ends after d, and
// fails the test unless the run ends with the context's error within wait.
func stoppedByDeadline(t *testing.T, L *LState, script string, d, wait time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	L.SetContext(ctx)
	done := make(chan error, 1)
	go func() { done <- L.DoString(script) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
			t.Fatalf("err = %v, want context deadline exceeded", err)
		}
	case <-time.After(wait):
		t.Fatalf("an endless loop was not stopped %v after its context ended", wait)
	}
}

// Patch 2: reads through the field cache see every write since, whichever way
// it was made: an assignment in Lua, rawset, a new metatable or __index, a
// removal, and writes from Go.
func TestFieldCacheSeesWrites(t *testing.T) {
	L := NewState()
	defer L.Close()
	L.SetGlobal("goset", L.NewFunction(func(L *LState) int {
		L.CheckTable(1).RawSetString(L.CheckString(2), L.Get(3))
		return 0
	}))
	errorIfScriptFail(t, L, `
	  local t = {x = 1}
	  for i = 1, 5 do                    -- the same instruction reads t.x each time
	    assert(t.x == i, "t.x after t.x = " .. i)
	    t.x = i + 1
	  end
	  for i = 1, 3 do
	    rawset(t, "x", -i); assert(t.x == -i)
	    goset(t, "x", 10 * i); assert(t.x == 10 * i)
	  end
	  t.x = nil; assert(t.x == nil)
	  t.x = 7; assert(t.x == 7)

	  local methods = {m = function() return 1 end}
	  local mt = {__index = methods}
	  local o = setmetatable({}, mt)
	  local function call() return o:m() end
	  assert(call() == 1)
	  methods.m = function() return 2 end; assert(call() == 2)
	  mt.__index = {m = function() return 3 end}; assert(call() == 3)
	  rawset(o, "m", function() return 4 end); assert(call() == 4)
	  o.m = nil; assert(call() == 3)
	  setmetatable(o, {__index = function(_, k) return function() return k end end})
	  assert(call() == "m")

	  g = 1
	  local function getg() return g end
	  for i = 1, 3 do assert(getg() == i); g = g + 1 end
	  _G.g = 99; assert(getg() == 99)
	`)
}

// Patch 2: a userdata's methods come through its metatable's __index, read
// through the cache; changing the userdata's metatable or the method table
// from Go is seen.
func TestFieldCacheUserDataMethods(t *testing.T) {
	L := NewState()
	defer L.Close()
	method := func(n int) *LFunction {
		return L.NewFunction(func(L *LState) int { L.Push(LNumber(n)); return 1 })
	}
	newType := func(n int) (*LTable, *LTable) {
		mt, idx := L.NewTable(), L.NewTable()
		idx.RawSetString("m", method(n))
		mt.RawSetString("__index", idx)
		return mt, idx
	}
	mt1, idx1 := newType(1)
	mt2, _ := newType(2)
	ud := L.NewUserData()
	ud.Metatable = mt1
	L.SetGlobal("ud", ud)
	if err := L.DoString(`function call() return ud:m() end`); err != nil {
		t.Fatal(err)
	}
	call := func() LValue {
		if err := L.CallByParam(P{Fn: L.GetGlobal("call"), NRet: 1, Protect: true}); err != nil {
			t.Fatal(err)
		}
		defer L.Pop(1)
		return L.Get(-1)
	}
	for i, step := range []struct {
		change func()
		want   LNumber
	}{
		{func() {}, 1},
		{func() { idx1.RawSetString("m", method(3)) }, 3},
		{func() { ud.Metatable = mt2 }, 2},
		{func() { L.SetMetatable(ud, mt1) }, 3},
		{func() {
			mt1.RawSetString("__index", L.NewTable())
			mt1.RawGetString("__index").(*LTable).RawSetString("m", method(4))
		}, 4},
	} {
		step.change()
		if got := call(); got != step.want {
			t.Errorf("step %d: ud:m() = %v, want %v", i, got, step.want)
		}
	}
}

// Patch 3: a table's key index (k2i) is built only when next needs it or a
// key comes back after a deletion; pairs still visits keys in the order they
// were first set, a deleted key that is set again keeps its first place
// (upstream's behaviour, read from its RawSetString/RawSetH), and next may
// clear fields during a traversal, as Lua 5.1's manual allows.
func TestKeyOrderWithLazyIndex(t *testing.T) {
	L := NewState()
	defer L.Close()
	err := L.DoString(`
		local function order(t)
			local ks = {}
			for k in pairs(t) do ks[#ks + 1] = tostring(k) end
			return table.concat(ks, ",")
		end
		local t = { a = 1, b = 2 }
		t.c = 3; t[2.5] = 4; t[true] = 5; t.d = 6
		assert(order(t) == "a,b,c,2.5,true,d", order(t))
		-- set after the index is built (by pairs above)
		t.e = 7
		assert(order(t) == "a,b,c,2.5,true,d,e", order(t))
		-- deletion, then the key set again: its first place
		local u = {}
		u.x = 1; u.y = 2; u.z = 3; u[1.5] = 4
		u.y = nil; u[1.5] = nil
		assert(order(u) == "x,z", order(u))
		u.w = 5; u.y = 6; u[1.5] = 7
		assert(order(u) == "x,y,z,1.5,w", order(u))
		-- fields cleared during a traversal
		local v = { p = 1, q = 2, r = 3, s = 4 }
		local seen = {}
		for k in pairs(v) do seen[#seen + 1] = k; v[k] = nil end
		assert(table.concat(seen, ",") == "p,q,r,s", table.concat(seen, ","))
		assert(next(v) == nil)
		-- a deletion before any traversal, then new keys and a traversal
		local w = { a = 1, b = 2 }
		w.a = nil
		w.c = 3; w.a = 4
		assert(order(w) == "a,b,c", order(w))
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// Patch 4: ResumeDiscard gives Resume's states and errors, leaves the
// caller's stack as it was, passes its arguments to the thread (the function's
// parameters, then the results of yield), and allocates nothing on a
// resume/yield round trip (Resume allocates its result slice each time).
func TestResumeDiscard(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
	  function body(a, b)
	    got = a + b
	    local x = coroutine.yield(1, 2, 3)
	    got = got + x
	    local y = coroutine.yield()
	    if y == "fail" then error("failed on purpose") end
	    return "done"
	  end
	  function loop()
	    while true do coroutine.yield() end
	  end`)
	body := L.GetGlobal("body").(*LFunction)
	L.Push(LString("below")) // the caller's stack must stay as it is
	th, _ := L.NewThread()
	st, err := L.ResumeDiscard(th, body, LNumber(1), LNumber(2))
	if st != ResumeYield || err != nil || L.GetGlobal("got") != LNumber(3) {
		t.Fatalf("first resume: %v %v got=%v, want yield, nil, 3", st, err, L.GetGlobal("got"))
	}
	st, err = L.ResumeDiscard(th, nil, LNumber(10))
	if st != ResumeYield || err != nil || L.GetGlobal("got") != LNumber(13) {
		t.Fatalf("second resume: %v %v got=%v, want yield, nil, 13", st, err, L.GetGlobal("got"))
	}
	st, err = L.ResumeDiscard(th, nil, LString("ok"))
	if st != ResumeOK || err != nil {
		t.Fatalf("last resume: %v %v, want ok, nil", st, err)
	}
	if _, err = L.ResumeDiscard(th, nil); err == nil || !strings.Contains(err.Error(), "dead") {
		t.Fatalf("resume of a finished thread: %v, want the dead-thread error", err)
	}
	th2, _ := L.NewThread()
	L.ResumeDiscard(th2, body, LNumber(1), LNumber(2))
	L.ResumeDiscard(th2, nil, LNumber(0))
	_, want, _ := L.Resume(th2, nil, LString("fail")) // the same error through Resume, on a twin
	th3, _ := L.NewThread()
	L.ResumeDiscard(th3, body, LNumber(1), LNumber(2))
	L.ResumeDiscard(th3, nil, LNumber(0))
	st, err = L.ResumeDiscard(th3, nil, LString("fail"))
	if st != ResumeError || err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("failing resume: %v %v, want error %v", st, err, want)
	}
	if L.GetTop() != 1 || L.Get(1) != LString("below") {
		t.Fatalf("the caller's stack changed: top %d, [1] = %v", L.GetTop(), L.Get(1))
	}
	loop := L.GetGlobal("loop").(*LFunction)
	th4, _ := L.NewThread()
	L.ResumeDiscard(th4, loop)
	if n := testing.AllocsPerRun(100, func() { L.ResumeDiscard(th4, nil) }); n != 0 {
		t.Errorf("a resume/yield round trip allocates %v times, want 0", n)
	}
}

// Patch 5: PushNumber and NumberValue give the same values as Push(LNumber)
// (kept across a GC and in a table), and box numbers in blocks: 320 pushes of
// non-integers cost at most one allocation per 32 of them, where Push(v)
// allocates once per number.
func TestPushNumberBoxesInBlocks(t *testing.T) {
	L := NewState()
	defer L.Close()
	vals := L.NewTable()
	for i := 0; i < 300; i++ {
		x := LNumber(float64(i)*1.25 - 7)
		L.PushNumber(x)
		vals.RawSetInt(2*i+1, L.Get(-1))
		vals.RawSetInt(2*i+2, L.NumberValue(x))
		L.Pop(1)
	}
	runtime.GC()
	for i := 0; i < 300; i++ {
		x := LNumber(float64(i)*1.25 - 7)
		if a, b := vals.RawGetInt(2*i+1), vals.RawGetInt(2*i+2); a != x || b != x {
			t.Fatalf("number %d: PushNumber gave %v, NumberValue %v, want %v", i, a, b, x)
		}
	}
	L.SetGlobal("vals", vals)
	errorIfScriptFail(t, L, `assert(vals[3] == -5.75 and vals[4] + 1 == -4.75 and math.floor(vals[600]) == 366)`)
	n := testing.AllocsPerRun(10, func() {
		for i := 0; i < 320; i++ {
			L.PushNumber(LNumber(float64(i) + 0.5))
			L.Pop(1)
		}
	})
	if n > 10 {
		t.Errorf("320 PushNumber calls allocate %v times, want at most 10", n)
	}
}

// Patch 6: calls and returns through the top segment of an auto-growing
// frame stack, at every depth across segment boundaries (8 frames each):
// results, the frames Go functions see (their arguments), errors with their
// line, and coroutines that yield deep in a recursion all come out as the
// closed forms say.
func TestCallsAcrossFrameSegments(t *testing.T) {
	L := NewState(Options{MinimizeStackMemory: true})
	defer L.Close()
	if _, ok := L.stack.(*autoGrowingCallFrameStack); !ok {
		t.Fatal("expected an auto-growing call stack")
	}
	L.SetGlobal("twice", L.NewFunction(func(L *LState) int {
		L.Push(L.CheckNumber(1) * 2)
		L.Push(LNumber(L.GetTop()))
		return 2
	}))
	errorIfScriptFail(t, L, `
	  -- sum(n) = sum of twice(k) for k = 1..n = n(n+1), each level a Lua frame
	  -- calling a Go function; the extra results check the Go frame's top
	  local function sum(n)
	    if n == 0 then return 0 end
	    local d, top = twice(n)
	    assert(top == 2, "twice saw " .. tostring(top) .. " values")
	    return d + sum(n - 1)
	  end
	  for n = 0, 40 do assert(sum(n) == n * (n + 1), "sum(" .. n .. ")") end

	  -- the same through multiple results and a tail call
	  local function count(n, acc) if n == 0 then return acc, n end return count(n - 1, acc + twice(n)) end
	  for n = 0, 40 do local a, b = count(n, 0); assert(a == n * (n + 1) and b == 0) end

	  -- an error raised at depth d by a Go function: caught, with its line
	  local function dive(n)
	    if n == 0 then return error("bottom") end
	    return (dive(n - 1))
	  end
	  for n = 0, 20 do
	    local ok, msg = pcall(dive, n)
	    assert(not ok and msg:find("bottom"), msg)
	  end
	  local function bad(n) if n == 0 then local x = nil; return x.y end return 1 + bad(n - 1) end
	  for n = 0, 20 do
	    local ok, msg = pcall(bad, n)
	    assert(not ok and msg:find(":25:"), msg)
	  end

	  -- coroutines yielding at depth d, resumed d times
	  local function deep(n) if n == 0 then return coroutine.yield(1) + 1 end return deep(n - 1) + 1 end
	  for d = 0, 20 do
	    local co = coroutine.create(deep)
	    local ok, v = coroutine.resume(co, d)
	    assert(ok and v == 1)
	    ok, v = coroutine.resume(co, 100)
	    assert(ok and v == 101 + d, tostring(v))
	    assert(coroutine.status(co) == "dead")
	  end`)
}

// Patch 7: slots above a lowered top are cleared (so that they keep nothing
// alive) whether few or many: after a Go function that pushed n values and
// returned none, after SetTop, and after a Lua call's return.
func TestSlotsAboveTopCleared(t *testing.T) {
	L := NewState()
	defer L.Close()
	above := func(L *LState, n int) []LValue { return L.reg.array[L.reg.top : L.reg.top+n] }
	L.SetGlobal("junk", L.NewFunction(func(L *LState) int {
		for i := 0; i < L.CheckInt(1); i++ {
			L.Push(L.NewTable())
		}
		return 0
	}))
	var dirty []int
	L.SetGlobal("check", L.NewFunction(func(L *LState) int {
		for i, v := range above(L, 2*smallClear) {
			if v != nil {
				dirty = append(dirty, i)
			}
		}
		return 0
	}))
	errorIfScriptFail(t, L, `
	  local function lua_junk(n) local a, b, c, d, e, f, g, h, i, j, k = {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} end
	  for _, n in ipairs({1, 2, 3, 8, 9, 15}) do junk(n); check() end
	  lua_junk(); check()`)
	if len(dirty) > 0 {
		t.Errorf("slots above the top not cleared after a return: %v", dirty)
	}
	for _, n := range []int{1, 3, smallClear, smallClear + 1, 3 * smallClear} {
		for i := 0; i < n; i++ {
			L.Push(L.NewTable())
		}
		L.SetTop(0)
		for i, v := range above(L, n) {
			if v != nil {
				t.Fatalf("SetTop(0) after %d pushes left slot %d: %v", n, i, v)
			}
		}
	}
}

// Patch 8: channel.receive and channel.select, waiting when the context ends,
// raise its error at once: the statement after them does not run (upstream
// raised it at the next instruction; patch 1 checked after every call).
func TestChannelWaitRaisesContextError(t *testing.T) {
	for _, wait := range []string{`ch:receive()`, `channel.select({"|<-", ch})`} {
		L := NewState()
		ctx, cancel := context.WithCancel(context.Background())
		L.SetContext(ctx)
		L.SetGlobal("ch", LChannel(make(chan LValue)))
		time.AfterFunc(50*time.Millisecond, cancel)
		err := L.DoString(wait + `; after = true`)
		if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
			t.Errorf("%s: err = %v, want %v", wait, err, context.Canceled)
		}
		if L.GetGlobal("after") != LNil {
			t.Errorf("%s: the statement after the wait ran", wait)
		}
		L.Close()
	}
}

// Patch 9: a userdata's methods through the fast path give what the general
// lookup gives: a method of the __index table (and a new one after a change),
// a name missing there found through the __index table's own metatable, an
// __index function, a changed metatable, and a userdata without one.
func TestUserDataMethodFastPath(t *testing.T) {
	L := NewState()
	defer L.Close()
	mk := L.NewFunction(func(L *LState) int {
		ud := L.NewUserData()
		ud.Metatable = L.Get(1)
		L.Push(ud)
		return 1
	})
	L.SetGlobal("newud", mk)
	errorIfScriptFail(t, L, `
	  local methods = {m = function(self, x) return x + 1 end}
	  setmetatable(methods, {__index = function(_, k) return function() return "fallback " .. k end end})
	  local mt = {__index = methods}
	  local u = newud(mt)
	  local function call(name, x) return u[name](u, x) end
	  for i = 1, 3 do
	    assert(u:m(i) == i + 1)
	    assert(u:other() == "fallback other")            -- missing in methods
	  end
	  methods.m = function(self, x) return x * 10 end
	  assert(u:m(2) == 20)
	  methods.m = nil
	  assert(u:m(2) == "fallback m")
	  mt.__index = function(_, k) return function() return "fn " .. k end end
	  assert(u:m() == "fn m")
	  local u2 = newud({__index = {m = function() return "second" end}})
	  assert(u2:m() == "second" and u:m() == "fn m")
	  local bare = newud(nil)
	  local ok, msg = pcall(function() return bare:m() end)
	  assert(not ok and msg:find("attempt to index a non%-table object%(userdata%)"), msg)`)
}

// Patch 11: a coroutine suspended inside nested calls, reset, runs a new
// function from its start as a fresh thread does, with none of the old frames'
// values on its stack; a dead or running thread is not reset.
func TestResetThread(t *testing.T) {
	L := NewState()
	defer L.Close()
	if err := L.DoString(`
		function deep(n) if n == 0 then coroutine.yield(1) else return deep(n - 1) end end
		function body(x) local a, b, c = x, x, x; deep(5); return a end
		function fresh(y) return y * 2, select("#", y) end`); err != nil {
		t.Fatal(err)
	}
	th, _ := L.NewThread()
	st, err, _ := L.Resume(th, L.GetGlobal("body").(*LFunction), LNumber(7))
	if st != ResumeYield || err != nil {
		t.Fatalf("first resume: %v %v", st, err)
	}
	if th.GetTop() == 0 {
		t.Fatal("the suspended thread's stack is empty: the test shows nothing")
	}
	if !th.ResetThread() {
		t.Fatal("ResetThread of a suspended thread reported false")
	}
	if th.GetTop() != 0 || th.stack.Sp() != 0 || th.currentFrame != nil {
		t.Fatalf("after reset: top %d, sp %d, frame %v", th.GetTop(), th.stack.Sp(), th.currentFrame)
	}
	st, err, vals := L.Resume(th, L.GetGlobal("fresh").(*LFunction), LNumber(4))
	if st != ResumeOK || err != nil || len(vals) != 2 || vals[0] != LNumber(8) || vals[1] != LNumber(1) {
		t.Fatalf("fresh function on the reset thread: %v %v %v", st, err, vals)
	}
	if !th.Dead || th.ResetThread() { // a finished coroutine is dead
		t.Errorf("a finished thread: dead %v, and it was reset", th.Dead)
	}
}

// TestMathResultsBoxedInBlocks: the math library pushes its results through
// the state's number blocks (medtwin patch 19, as PushNumber does for medtwin's
// host): math.max, math.floor and the others allocated one box per call
// (3.2 per iteration of this loop before, 0.25 after: the loop makes about 8
// numbers per iteration, its arithmetic boxed in blocks already), which in
// machine_shop were half of a replication's allocations.
func TestMathResultsBoxedInBlocks(t *testing.T) {
	L := NewState()
	defer L.Close()
	if err := L.DoString(`function f() local x = 0 for i = 1, 1000 do x = math.max(x, i * 0.5) + math.floor(i / 3) + math.sqrt(i) end return x end`); err != nil {
		t.Fatal(err)
	}
	fn := L.GetGlobal("f")
	call := func() {
		if err := L.CallByParam(P{Fn: fn, NRet: 1, Protect: true}); err != nil {
			t.Fatal(err)
		}
		L.Pop(1)
	}
	call()
	if per := testing.AllocsPerRun(20, call) / 1000; per > 0.5 {
		t.Fatalf("%.2f allocations per iteration, want at most 0.5", per)
	}
}
