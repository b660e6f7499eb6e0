package lua

// Tests of medtwin patches 14-16 (PATCHES.md): calls of Go functions, the
// resume path and calls from Go.

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// goCallFuncs registers the Go functions of goCallScript on L.
func goCallFuncs(L *LState) {
	// gen(n) returns 1, 2, ..., n
	L.SetGlobal("gen", L.NewFunction(func(L *LState) int {
		n := L.CheckInt(1)
		for i := 1; i <= n; i++ {
			L.Push(LNumber(i))
		}
		return n
	}))
	// goargs(...) returns the number of its arguments, then them
	L.SetGlobal("goargs", L.NewFunction(func(L *LState) int {
		n := L.GetTop()
		L.Push(LNumber(n))
		for i := 1; i <= n; i++ {
			L.Push(L.Get(i))
		}
		return n + 1
	}))
	// goerr(msg) raises msg at the line of its caller
	L.SetGlobal("goerr", L.NewFunction(func(L *LState) int {
		L.RaiseError("goerr %s", L.CheckString(1))
		return 0
	}))
	// goyield(...) yields its arguments
	L.SetGlobal("goyield", L.NewFunction(func(L *LState) int {
		vals := make([]LValue, L.GetTop())
		for i := range vals {
			vals[i] = L.Get(i + 1)
		}
		return L.Yield(vals...)
	}))
	// gocall(f, ...) calls f(...) from Go and returns all its results
	L.SetGlobal("gocall", L.NewFunction(func(L *LState) int {
		top := L.GetTop()
		L.Call(top-1, MultRet)
		return L.GetTop()
	}))
	// a userdata called through __call (a Go function): returns 10 * its
	// argument and the number of its arguments (the userdata included)
	ud := L.NewUserData()
	mt := L.NewTable()
	L.SetField(mt, "__call", L.NewFunction(func(L *LState) int {
		L.Push(LNumber(10 * L.CheckNumber(2)))
		L.Push(LNumber(L.GetTop() - 1))
		return 2
	}))
	ud.Metatable = mt
	L.SetGlobal("callable", ud)
}

// goCallScript calls Go functions in every way the VM does, at call depths
// 0-20 (across the auto-growing stack's segments of 8 frames), and returns a
// transcript of what it saw.
const goCallScript = `
local function rec(...)
  local n = select("#", ...)
  local t = {...}
  for i = 1, n do emit(tostring(t[i]) .. " ") end
  emit("| ")
end
local function tail0() return gen(0) end
local function tail1() return gen(1) end
local function tail3() return gen(3) end
local function tailv(...) return goargs(...) end
local function tailcallable(x) return callable(x) end
local function battery(tag)
  rec(tag)
  gen(2)
  local a = gen(3); rec(a)
  local a, b, c = gen(1); rec(a, b, c)
  local x, y = gen(0); rec(x, y)
  rec(gen(0)); rec(gen(4)); rec(gen(4), gen(2))
  rec(goargs(gen(3))); rec(goargs(1, nil, 3)); rec(goargs())
  rec(tail0()); rec(tail1()); rec(tail3()); rec((tail3())); rec(tail0(), 5)
  rec(tailv(gen(2))); rec(tailv())
  rec(callable(5)); rec(tailcallable(6)); local p = callable(7); rec(p)
  rec(gocall(tail3)); rec(gocall(gen, 2)); rec(gocall(tailv, 1, 2))
  rec(pcall(goerr, "a"))
  rec(pcall(function() goerr("b") end)) -- LINE_B
  rec(pcall(function() return goerr("c") end)) -- LINE_C
  rec(pcall(function() local x = gen(1) + nil end))
  rec(select("#", gen(5)))
  local co = coroutine.wrap(function(...)
    rec("co", ...)
    rec(goyield(1, 2))
    rec(goyield())
    return gen(2)
  end)
  rec(co("a")); rec(co("b", "c")); rec(co("d"))
  local co3 = coroutine.create(function() return gen(3) end)
  rec(coroutine.resume(co3)); rec(coroutine.status(co3))
  local co4 = coroutine.create(function() return goerr("d") end) -- LINE_D
  rec(coroutine.resume(co4)); rec(coroutine.status(co4))
  local co5 = coroutine.create(function() local v = gen(1); goyield(v); return tail3() end)
  rec(coroutine.resume(co5)); rec(coroutine.resume(co5)); rec(coroutine.status(co5))
end
local function deep(d)
  if d == 0 then battery("depth") else deep(d - 1) end
  return d
end
for d = 0, 20 do rec(deep(d)) end
`

// runGoCallScript runs goCallScript on a new state with the auto-growing
// call stack (medtwin's; patch 14's paths) or the fixed one (upstream's
// paths, untouched by the patch).
func runGoCallScript(t *testing.T, autoGrowing bool) string {
	t.Helper()
	return runGoCallScriptOn(t, autoGrowing, false)
}

// runGoCallScriptOn is runGoCallScript, with a context set on the state
// when withContext (the loop of patch 21).
func runGoCallScriptOn(t *testing.T, autoGrowing, withContext bool) string {
	t.Helper()
	L := NewState(Options{MinimizeStackMemory: autoGrowing})
	defer L.Close()
	if withContext {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		L.SetContext(ctx)
	}
	goCallFuncs(L)
	var out strings.Builder
	L.SetGlobal("emit", L.NewFunction(func(L *LState) int {
		out.WriteString(L.CheckString(1))
		return 0
	}))
	if err := L.DoString(goCallScript); err != nil {
		t.Fatalf("autoGrowing %v: %v", autoGrowing, err)
	}
	return out.String()
}

// sameTranscript fails the test at the first record (split at sep) where
// the transcripts made with the auto-growing stack (fast) and the fixed one
// (slow) differ.
func sameTranscript(t *testing.T, fast, slow, sep string) {
	t.Helper()
	if fast == slow {
		return
	}
	f, s := strings.Split(fast, sep), strings.Split(slow, sep)
	for i := 0; i < len(f) && i < len(s); i++ {
		if f[i] != s[i] {
			t.Fatalf("record %d: auto-growing stack %q, fixed stack %q", i, f[i], s[i])
		}
	}
	t.Fatalf("transcripts differ in length: %d and %d records", len(f), len(s))
}

// scriptLine is the line of goCallScript (as DoString numbers it) that holds
// mark.
func scriptLine(t *testing.T, script, mark string) int {
	for i, l := range strings.Split(script, "\n") {
		if strings.Contains(l, mark) {
			return i + 1
		}
	}
	t.Fatalf("no %s in the script", mark)
	return 0
}

// Patch 14: calls of Go functions through the fast paths of OP_CALL and
// OP_TAILCALL (the auto-growing stack) give what upstream's paths (the fixed
// stack) give: results (none, one, several, MultRet, filled with nil),
// varargs, __call, yields, errors and their lines, tail calls ending a
// coroutine; and a few of them are checked against their Lua 5.1 values.
func TestGoCallFastPath(t *testing.T) {
	slow := runGoCallScript(t, false)
	fast := runGoCallScript(t, true)
	sameTranscript(t, fast, slow, " | ")
	lineB := scriptLine(t, goCallScript, "LINE_B")
	lineC := scriptLine(t, goCallScript, "LINE_C")
	lineD := scriptLine(t, goCallScript, "LINE_D")
	battery := strings.SplitN(fast, "depth |", 2)[1]
	for _, want := range []string{
		" 1 | 1 nil nil | nil nil | | 1 2 3 4 | 1 1 2 | 3 1 2 3 | 3 1 nil 3 | 0 |",
		" | 1 | 1 2 3 | 1 | nil 5 | 2 1 2 | 0 | 50 2 | 60 2 | 70 | 1 2 3 | 1 2 | 2 1 2 |",
		fmt.Sprintf("false <string>:%d: goerr b |", lineB),
		fmt.Sprintf("false <string>:%d: goerr c |", lineC),
		"| 5 | co a | 1 2 | b c | | d | 1 2 | true 1 2 3 | dead |",
		fmt.Sprintf("false <string>:%d: goerr d | dead | true 1 | true 1 2 3 | dead |", lineD),
	} {
		if !strings.Contains(battery, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, battery[:strings.Index(battery, "depth")])
		}
	}
}

type ctxKey struct{}

// Patch 15: the context's Done channel is read when the context is set
// (SetContext, NewThread), and an ended context still stops every entry into
// the VM: a call from Go, a resume through ResumeDiscard, Resume and
// coroutine.resume, on the main state and on threads, with the context
// wrapped in a value context as medtwin's is; a context set again replaces
// the channel, and RemoveContext drops it.
func TestContextCheckedAtEveryEntry(t *testing.T) {
	for _, autoGrowing := range []bool{true, false} {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		errorIfScriptFail(t, L, `
		  function f() return 1 end
		  function body() while true do coroutine.yield() end end
		  function viaLua(co) return coroutine.resume(co) end`)
		f := L.GetGlobal("f").(*LFunction)
		body := L.GetGlobal("body").(*LFunction)
		call := func() error { return L.CallByParam(P{Fn: f, NRet: 1, Protect: true}) }

		live, stop := context.WithCancel(context.Background())
		L.SetContext(context.WithValue(live, ctxKey{}, 1))
		if err := call(); err != nil {
			t.Fatalf("autoGrowing %v: a call under a live context: %v", autoGrowing, err)
		}
		L.Pop(1)
		ended, cancel := context.WithCancel(context.Background())
		cancel()
		L.SetContext(context.WithValue(ended, ctxKey{}, 2)) // replaces live's channel
		if err := call(); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("autoGrowing %v: a call after SetContext(ended): %v, want context canceled", autoGrowing, err)
		}
		L.RemoveContext()
		if err := call(); err != nil {
			t.Fatalf("autoGrowing %v: a call after RemoveContext: %v", autoGrowing, err)
		}
		L.Pop(1)

		// threads: one with the state's context set on it (medtwin's), one
		// made by NewThread (a child context)
		L.SetContext(live)
		th1, _ := L.NewThread()
		th1.RemoveContext()
		th1.SetContext(context.WithValue(live, ctxKey{}, 3))
		th2, _ := L.NewThread()
		th3, _ := L.NewThread()
		for i, th := range []*LState{th1, th2, th3} {
			if st, err := L.ResumeDiscard(th, body); st != ResumeYield || err != nil {
				t.Fatalf("autoGrowing %v: thread %d, first resume: %v %v", autoGrowing, i+1, st, err)
			}
		}
		stop()
		if _, err := L.ResumeDiscard(th1, nil); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("autoGrowing %v: ResumeDiscard after the context ended: %v, want context canceled", autoGrowing, err)
		}
		if _, err, _ := L.Resume(th2, nil); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("autoGrowing %v: Resume after the context ended: %v, want context canceled", autoGrowing, err)
		}
		L.RemoveContext() // the main state runs viaLua; th3 keeps its child context
		L.Push(L.GetGlobal("viaLua"))
		L.Push(th3)
		if err := L.PCall(1, 2, nil); err != nil || L.Get(-2) != LFalse || !strings.Contains(L.Get(-1).String(), "context canceled") {
			t.Errorf("autoGrowing %v: coroutine.resume after the context ended: %v %v %v, want false, context canceled", autoGrowing, err, L.Get(-2), L.Get(-1))
		}
		L.Close()
	}
}

// resumeBodies are thread functions whose every step (a resume with the
// arguments of the step, until the thread is dead) TestResumeDiscardAsResume
// compares.
var resumeBodies = []string{
	`function(a, b) local x = coroutine.yield(a, b, 3); local y, z = coroutine.yield(); return x, y, z end`,
	`function(...) coroutine.yield(select("#", ...)); return end`,
	`function() local t = {}; for i = 1, 20 do t[i] = i end; coroutine.yield(unpack(t)); return unpack(t) end`,
	`function() coroutine.yield(1); error("failed on purpose") end`,
	`function() error({code = 7}) end`,
	`function() error() end`,
	`function() local function deep(n) if n == 0 then coroutine.yield(n) return "bottom" end return (deep(n - 1)) end return deep(12) end`,
	`function() coroutine.yield(goyield2(4, 5)); return gopush() end`,
	`function() return gen(3) end`,
	`gen`,
}

// Patch 15: ResumeDiscard, whose thread drops the values it passes back
// itself, gives Resume's states and errors at every step, leaves the thread
// as Resume does (its stack top and frames) and the caller's stack as it
// was, also when something the thread calls pushes values on the caller's
// state.
func TestResumeDiscardAsResume(t *testing.T) {
	for _, autoGrowing := range []bool{true, false} {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		goCallFuncs(L)
		L.SetGlobal("goyield2", L.NewFunction(func(T *LState) int { return T.Yield(T.Get(1), T.Get(2)) }))
		L.SetGlobal("gopush", L.NewFunction(func(T *LState) int {
			L.Push(LString("left on the caller")) // the caller's state, not T
			T.Push(LNumber(1))
			return 1
		}))
		L.Push(LString("below"))
		for bi, src := range resumeBodies {
			if err := L.DoString("body = " + src); err != nil {
				t.Fatal(err)
			}
			fn := L.GetGlobal("body").(*LFunction)
			thR, _ := L.NewThread()
			thD, _ := L.NewThread()
			for step := 0; step < 6; step++ {
				args := []LValue{LNumber(step), LString("s")}
				var f *LFunction
				if step == 0 {
					f = fn
				}
				stR, errR, _ := L.Resume(thR, f, args...)
				L.SetTop(1)
				stD, errD := L.ResumeDiscard(thD, f, args...)
				where := fmt.Sprintf("autoGrowing %v, body %d, step %d", autoGrowing, bi, step)
				if stR != stD || errText(errR) != errText(errD) {
					t.Fatalf("%s: Resume %v %v, ResumeDiscard %v %v", where, stR, errR, stD, errD)
				}
				if thR.reg.Top() != thD.reg.Top() || thR.stack.Sp() != thD.stack.Sp() || thR.Dead != thD.Dead {
					t.Fatalf("%s: thread after Resume top %d, %d frames, dead %v; after ResumeDiscard %d, %d, %v",
						where, thR.reg.Top(), thR.stack.Sp(), thR.Dead, thD.reg.Top(), thD.stack.Sp(), thD.Dead)
				}
				if L.GetTop() != 1 || L.Get(1) != LString("below") {
					t.Fatalf("%s: the caller's stack changed: top %d", where, L.GetTop())
				}
				if stD != ResumeYield {
					break
				}
			}
		}
		L.Close()
	}
}

// errText is err's text, with a table raised as an error shown by its field
// code (its address differs between two threads).
func errText(err error) string {
	if ae, ok := err.(*ApiError); ok {
		if tb, ok := ae.Object.(*LTable); ok {
			return fmt.Sprintf("table with code %v", tb.RawGetString("code"))
		}
	}
	return fmt.Sprint(err)
}

// callFromGoScript defines the Lua functions TestCallFromGo calls from Go.
const callFromGoScript = `
function none() end
function three() return 1, 2, 3 end
function tailgo(n) return gen(n) end
function tailargs(...) return goargs(...) end
function fails(x) local y = x.field end -- LINE_FAILS
function failsgo() return goerr("deep") end
callme = setmetatable({}, {__call = function(self, a, b) return "called", a, b end})
function nest(n) if n == 0 then return "bottom" end return gocall(nest, n - 1) end
function nestnt(n) if n == 0 then return "bottom" end local r = gocall(nestnt, n - 1) return r end
`

// Patch 16: calls from Go (Call, PCall, CallByParam) of Lua functions, of
// Lua functions that tail-call Go functions, of a table with __call, of a
// value that cannot be called, and nested through Go functions 0-20 deep,
// give the results (counts, values, the top after them) and the errors
// (messages and tracebacks) that upstream's callR gives with the fixed
// stack.
func TestCallFromGo(t *testing.T) {
	run := func(autoGrowing bool) string {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		defer L.Close()
		goCallFuncs(L)
		if err := L.DoString(callFromGoScript); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		call := func(name string, nret int, args ...LValue) {
			top := L.GetTop()
			err := L.CallByParam(P{Fn: L.GetGlobal(name), NRet: nret, Protect: true}, args...)
			fmt.Fprintf(&out, "%s/%d:", name, nret)
			if err != nil {
				fmt.Fprintf(&out, " error %v", err)
			}
			for i := top + 1; i <= L.GetTop(); i++ {
				fmt.Fprintf(&out, " %v", L.Get(i))
			}
			out.WriteString(" |\n")
			L.SetTop(top)
		}
		L.Push(LString("below"))
		for _, nret := range []int{0, 1, 3, MultRet} {
			call("none", nret)
			call("three", nret)
			call("tailgo", nret, LNumber(0))
			call("tailgo", nret, LNumber(1))
			call("tailgo", nret, LNumber(4))
			call("tailargs", nret, LNumber(1), LNil, LString("x"))
			call("callme", nret, LNumber(5), LNumber(6))
			call("nonexistent", nret)
			call("fails", nret, LNumber(1))
			call("failsgo", nret)
			for d := 0; d <= 20; d += 5 {
				call("nest", nret, LNumber(d))
				call("nestnt", nret, LNumber(d))
			}
		}
		// unprotected calls inside a protected Go function
		L.Push(L.NewFunction(func(L *LState) int {
			L.Push(L.GetGlobal("three"))
			L.Call(0, 2)
			L.Push(L.GetGlobal("tailgo"))
			L.Push(LNumber(2))
			L.Call(1, MultRet)
			return L.GetTop()
		}))
		if err := L.PCall(0, MultRet, nil); err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= L.GetTop(); i++ {
			fmt.Fprintf(&out, " %v", L.Get(i))
		}
		fmt.Fprintf(&out, " | top %d %v\n", L.GetTop(), L.Get(1))
		return out.String()
	}
	fast, slow := run(true), run(false)
	sameTranscript(t, fast, slow, "\n")
	lineFails := scriptLine(t, callFromGoScript, "LINE_FAILS")
	for _, want := range []string{
		"three/1: 1 |", "three/3: 1 2 3 |", "tailgo/-1: 1 2 3 4 |", "tailgo/3: 1 2 3 |",
		"tailgo/-1: |", "tailargs/-1: 3 1 nil x |", "callme/-1: called 5 6 |",
		"nonexistent/1: error  attempt to call a non-function object", // no position: two spaces
		fmt.Sprintf("fails/0: error <string>:%d: attempt to index a non-table object(number) with key 'field'", lineFails),
		"nest/-1: bottom |", "nestnt/1: bottom |",
		" 1 2 1 2 | top 5 below",
	} {
		if !strings.Contains(fast, want) {
			t.Errorf("the output lacks %q:\n%s", want, fast)
		}
	}
}

// Patch 17: a Go function's Yield passes on exactly its values, none of the
// function's arguments, and the values given to the next resume are the
// function's results; on both stacks, through coroutine.resume and
// ResumeDiscard, 0-12 frames deep.
func TestYieldPassesOnlyItsValues(t *testing.T) {
	for _, autoGrowing := range []bool{true, false} {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		L.SetGlobal("yieldsecond", L.NewFunction(func(L *LState) int { return L.Yield(L.Get(2)) }))
		L.SetGlobal("yieldnone", L.NewFunction(func(L *LState) int { return L.Yield() }))
		L.SetGlobal("seen", L.NewFunction(func(L *LState) int { return 0 }))
		err := L.DoString(`
		  local function deep(n, f) if n == 0 then return f() end return (deep(n - 1, f)) end
		  for d = 0, 12 do
		    local co = coroutine.create(function()
		      return deep(d, function()
		        local a, b = yieldsecond("x", "y", "z")
		        assert(a == "r1" and b == "r2", "yield's results")
		        local c = select("#", yieldnone(1, 2, 3))
		        return c
		      end)
		    end)
		    local r = {coroutine.resume(co)}
		    assert(#r == 2 and r[1] == true and r[2] == "y", "first yield, depth " .. d .. ": " .. #r)
		    r = {coroutine.resume(co, "r1", "r2")}
		    assert(#r == 1 and r[1] == true, "second yield, depth " .. d .. ": " .. #r)
		    r = {coroutine.resume(co)}
		    assert(#r == 2 and r[1] == true and r[2] == 0, "end, depth " .. d)
		  end
		  function body(x) local v = yieldnone(x, x); seen(v); return end`)
		if err != nil {
			t.Fatalf("autoGrowing %v: %v", autoGrowing, err)
		}
		th, _ := L.NewThread()
		if st, err := L.ResumeDiscard(th, L.GetGlobal("body").(*LFunction), LNumber(1)); st != ResumeYield || err != nil {
			t.Fatalf("autoGrowing %v: %v %v", autoGrowing, st, err)
		}
		// body's frame keeps its parameter x; the call's slot (the function,
		// its two arguments) is dropped
		if top := th.GetTop(); top != 1 || th.Get(1) != LNumber(1) {
			t.Errorf("autoGrowing %v: the yielding thread's top %d, want 1 (x)", autoGrowing, top)
		}
		L.Close()
	}
}
