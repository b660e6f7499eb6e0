package lua

import "testing"

// TestInProtectedCall: true exactly while a pcall/xpcall runs on the thread,
// restored after an error and after an error in the error handler, per
// thread (a coroutine resumed inside a pcall is not itself in one).
func TestInProtectedCall(t *testing.T) {
	L := NewState()
	defer L.Close()
	L.SetGlobal("inpc", L.NewFunction(func(L *LState) int {
		L.Push(LBool(L.InProtectedCall()))
		return 1
	}))
	fn, err := L.LoadString(`
		assert(inpc() == false, "outside")
		assert(select(2, pcall(inpc)) == true, "inside pcall")
		assert(select(2, pcall(function() return select(2, pcall(inpc)) end)) == true, "nested")
		assert(not pcall(error, "x")); assert(inpc() == false, "after an error")
		assert(not xpcall(function() error("x") end, function() error("y") end)); assert(inpc() == false, "after an error in the handler")
		local co = coroutine.create(function() return inpc() end)
		local _, ok, v = pcall(coroutine.resume, co)
		assert(ok and v == false, "a coroutine resumed inside pcall")
	`)
	if err != nil {
		t.Fatal(err)
	}
	// called without protection: DoString would run it inside a PCall
	defer func() {
		if r := recover(); r != nil {
			t.Fatal(r)
		}
	}()
	L.Push(fn)
	L.Call(0, 0)
}
