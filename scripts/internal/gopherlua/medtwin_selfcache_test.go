package lua

// Tests of medtwin patch 13b (PATCHES.md): the inline cache of obj:method()
// and global reads (selfcache.go). Each instruction below runs several times
// (a loop, a function called again), so that its entry is made, then hit or
// found stale.

import (
	"testing"
)

// newUDState is a state with newud(mt), which makes a userdata whose
// metatable is mt.
func newUDState() *LState {
	L := NewState()
	L.SetGlobal("newud", L.NewFunction(func(L *LState) int {
		ud := L.NewUserData()
		ud.Metatable = L.Get(1)
		L.Push(ud)
		return 1
	}))
	return L
}

// A userdata's method replaced, added or removed in the __index table, the
// __index table replaced in the metatable, or the metatable replaced, after
// the instruction's first call, is the method called next.
func TestInlineCacheUserDataSeesWrites(t *testing.T) {
	L := newUDState()
	defer L.Close()
	errorIfScriptFail(t, L, `
	  local methods = {m = function(self, x) return x + 1 end}
	  local mt = {__index = methods}
	  local u = newud(mt)
	  local function call(x) return u:m(x) end  -- one instruction
	  -- (u is a parameter after pcalls that fail: gopher-lua v1.1.2 closes
	  -- the caller's open upvalues when a pcall fails)
	  for i = 1, 3 do assert(call(i) == i + 1) end
	  methods.m = function(self, x) return x * 10 end
	  for i = 1, 3 do assert(call(i) == 10 * i) end
	  rawset(methods, "m", function(self, x) return -x end)
	  assert(call(2) == -2)
	  methods.other = 1                           -- another key: still right
	  assert(call(3) == -3)
	  mt.__index = {m = function() return "new index" end}
	  assert(call(1) == "new index")
	  setmetatable(mt.__index, {__index = function(_, k) return function() return "via fn " .. k end end})
	  mt.__index.m = nil                          -- found past the __index table
	  assert(call(1) == "via fn m")
	  mt.__index = methods
	  assert(call(4) == -4)
	  methods.m = nil                             -- missing: nil, called
	  local ok, msg = pcall(call, 1)
	  call = function(x, r) return (r or u):m(x) end  -- one instruction
	  assert(not ok and msg:find("attempt to call a non%-function object"), msg)
	  methods.m = function() return "back" end
	  assert(call(1) == "back")
	  mt.__index = function(_, k) return function() return "fn " .. k end end
	  assert(call(1) == "fn m")
	  mt.__index = methods
	  assert(call(1) == "back")
	  local mt2 = {__index = {m = function() return "mt2" end}}
	  assert(call(1, newud(mt2)) == "mt2")
	  ok, msg = pcall(call, 1, newud(nil))
	  assert(not ok and msg:find("attempt to index a non%-table object%(userdata%) with key 'm'"), msg)`)
}

// The userdata's metatable replaced from Go (without setmetatable), and a
// method changed from Go, are seen.
func TestInlineCacheUserDataMetatableFromGo(t *testing.T) {
	L := newUDState()
	defer L.Close()
	method := func(n int) *LFunction {
		return L.NewFunction(func(L *LState) int { L.Push(LNumber(n)); return 1 })
	}
	mt1, mt2 := L.NewTable(), L.NewTable()
	for i, mt := range []*LTable{mt1, mt2} {
		idx := L.NewTable()
		idx.RawSetString("m", method(i+1))
		mt.RawSetString("__index", idx)
	}
	ud := L.NewUserData()
	ud.Metatable = mt1
	L.SetGlobal("ud", ud)
	if err := L.DoString(`function call() local ok, v = pcall(function() return ud:m() end) return ok and v or "error" end`); err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct {
		change func()
		want   LValue
	}{
		{func() {}, LNumber(1)},
		{func() {}, LNumber(1)},
		{func() { ud.Metatable = mt2 }, LNumber(2)},
		{func() { ud.Metatable = mt1 }, LNumber(1)},
		{func() { mt1.RawGetString("__index").(*LTable).RawSetString("m", method(3)) }, LNumber(3)},
		{func() { mt1.RawGetString("__index").(*LTable).RawSetString("m", LNil) }, LString("error")},
		{func() { mt1.RawSetString("__index", mt2.RawGetString("__index")) }, LNumber(2)},
	} {
		step.change()
		if err := L.CallByParam(P{Fn: L.GetGlobal("call"), NRet: 1, Protect: true}); err != nil {
			t.Fatal(err)
		}
		if got := L.Get(-1); got != step.want {
			t.Errorf("step %d: ud:m() = %v, want %v", i, got, step.want)
		}
		L.Pop(1)
	}
}

// A table receiver: an own method and one found through its metatable's
// __index; the metatable swapped with setmetatable, removed, the own key
// added over the class's, and the __index table written, are all seen.
func TestInlineCacheTableReceiver(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
	  local A = {name = function() return "A" end}
	  local B = {name = function() return "B" end}
	  local o = setmetatable({}, {__index = A})
	  local function call(x) return x:name() end  -- one instruction
	  for i = 1, 3 do assert(call(o) == "A") end
	  setmetatable(o, {__index = B})
	  assert(call(o) == "B")
	  setmetatable(o, {__index = A})
	  assert(call(o) == "A")
	  A.name = function() return "A2" end
	  assert(call(o) == "A2")
	  o.name = function() return "own" end           -- shadows the class's
	  assert(call(o) == "own")
	  o.name = nil
	  assert(call(o) == "A2")
	  setmetatable(o, nil)
	  local ok, msg = pcall(call, o)
	  assert(not ok and msg:find("attempt to call a non%-function object"), msg)
	  local module = {name = function() return "module" end}
	  for i = 1, 3 do assert(call(module) == "module") end
	  module.name = function() return "module2" end
	  assert(call(module) == "module2")
	  local getmt = setmetatable({}, {__index = function(t, k) return function() return "fn" end end})
	  assert(call(getmt) == "fn")
	  string.name = function(s) return #s end
	  assert(call("abc") == 3)                        -- string.name, the string's
	  string.name = nil`)
}

// One instruction with receivers of different kinds in turn (two userdata
// types, a table object, a module table): each gets its own method, every
// time.
func TestInlineCacheReceiversAlternate(t *testing.T) {
	L := newUDState()
	defer L.Close()
	errorIfScriptFail(t, L, `
	  local u1 = newud({__index = {kind = function() return "u1" end}})
	  local u2 = newud({__index = {kind = function() return "u2" end}})
	  local obj = setmetatable({}, {__index = {kind = function() return "obj" end}})
	  local mod = {kind = function() return "mod" end}
	  local rs = {u1, u2, obj, mod, u2, u1, mod, obj}
	  local want = {"u1", "u2", "obj", "mod", "u2", "u1", "mod", "obj"}
	  for round = 1, 3 do
	    for i, r in ipairs(rs) do
	      local got = r:kind()                        -- one instruction
	      assert(got == want[i], "round " .. round .. " receiver " .. i .. ": " .. tostring(got))
	    end
	  end`)
}

// Globals read by one instruction: redefined, removed, set through rawset
// and from Go, found through _G's metatable, and a function's environment
// replaced with setfenv.
func TestInlineCacheGlobals(t *testing.T) {
	L := NewState()
	defer L.Close()
	L.SetGlobal("fromgo", L.NewFunction(func(L *LState) int {
		L.SetGlobal("g", L.Get(1))
		return 0
	}))
	errorIfScriptFail(t, L, `
	  g = 1
	  local function get() return g end               -- one instruction
	  for i = 1, 3 do assert(get() == 1) end
	  g = 2; assert(get() == 2)
	  rawset(_G, "g", 3); assert(get() == 3)
	  fromgo(4); assert(get() == 4)
	  g = nil; assert(get() == nil)
	  local fallback = {g = "fallback"}
	  setmetatable(_G, {__index = fallback})
	  for i = 1, 3 do assert(get() == "fallback") end
	  fallback.g = "fallback2"; assert(get() == "fallback2")
	  g = 5; assert(get() == 5)
	  g = nil
	  setmetatable(_G, nil); assert(get() == nil)
	  local env = {g = "env"}
	  setfenv(get, env); assert(get() == "env")
	  env.g = "env2"; assert(get() == "env2")
	  setfenv(get, _G); g = 6; assert(get() == 6)`)
}

// The cache is used: with the field cache emptied and the methods changed
// behind both caches (without the version increment a write makes), an
// instruction whose entry hits calls the method it cached, for two
// metatables in turn at one instruction (the two ways of its set). A check
// that the cache works, not of Lua semantics: nothing in Lua changes a table
// without its version.
func TestInlineCacheHits(t *testing.T) {
	L := newUDState()
	defer L.Close()
	if err := L.DoString(`
	  idx1, idx2 = {m = function() return 1 end}, {m = function() return 2 end}
	  u1, u2 = newud({__index = idx1}), newud({__index = idx2})
	  function call(u) return u:m() end
	`); err != nil {
		t.Fatal(err)
	}
	call := func(u string) LValue {
		if err := L.CallByParam(P{Fn: L.GetGlobal("call"), NRet: 1, Protect: true}, L.GetGlobal(u)); err != nil {
			t.Fatal(err)
		}
		defer L.Pop(1)
		return L.Get(-1)
	}
	for i := 0; i < 3; i++ {
		call("u1")
		call("u2")
	}
	changed := L.NewFunction(func(L *LState) int { L.Push(LString("changed")); return 1 })
	for _, name := range []string{"idx1", "idx2"} {
		setBehindCache(L.GetGlobal(name).(*LTable), "m", changed)
	}
	*L.G.fields = fieldCache{}
	if got := call("u1"); got != LNumber(1) {
		t.Errorf("u1:m() after a change behind the caches: %v, want the cached method's 1", got)
	}
	if got := call("u2"); got != LNumber(2) {
		t.Errorf("u2:m() after a change behind the caches: %v, want the cached method's 2", got)
	}
}
