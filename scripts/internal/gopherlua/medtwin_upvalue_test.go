package lua

import "testing"

// TestUpvaluesAfterFailedPcall: an error caught by pcall (or xpcall) closes
// the upvalues of the frames it unwinds, and only those (Lua 5.1's
// luaD_pcall: luaF_close(L, oldtop)). Upstream gopher-lua closed every open
// upvalue of every frame of the thread (yuin/gopher-lua issue 448), so a
// closure made before the pcall stopped seeing its caller's local: after
// `pcall(error, "y"); u = 10`, get() still returned 1.
func TestUpvaluesAfterFailedPcall(t *testing.T) {
	for name, src := range map[string]string{
		"caller's local after pcall(error)": `
			local u = 1
			local function get() return u end
			assert(not pcall(error, "y"))
			u = 10
			assert(get() == 10, "get() = " .. tostring(get()))`,
		"caller's local after a failed Lua function": `
			local u = 1
			local function get() return u end
			assert(not pcall(function() local z = nil; return z.field end))
			u = 11
			assert(get() == 11, "get() = " .. tostring(get()))`,
		"caller's local after xpcall with a handler": `
			local u = 1
			local function get() return u end
			assert(not xpcall(function() error({}) end, function(e) return e end))
			u = 12
			assert(get() == 12, "get() = " .. tostring(get()))`,
		"an unwound frame's local keeps its value": `
			local keep
			assert(not pcall(function()
				local x = 5
				keep = function() return x end
				error("e")
			end))
			local a, b, c, d = 100, 200, 300, 400
			assert(keep() == 5, "keep() = " .. tostring(keep()))`,
		"xpcall: an unwound frame's local keeps its value": `
			local keep
			assert(not xpcall(function()
				local x = 7
				keep = function() return x end
				error("e")
			end, function(e) return e end))
			local a, b, c, d = 100, 200, 300, 400
			assert(keep() == 7, "keep() = " .. tostring(keep()))`,
		"an error in the error handler": `
			local u, keep = 1, nil
			local function get() return u end
			assert(not xpcall(function()
				local x = 8
				keep = function() return x end
				error("e")
			end, function(e) error("again") end))
			local a, b, c, d = 100, 200, 300, 400
			u = 15
			assert(keep() == 8 and get() == 15, tostring(keep()) .. " " .. tostring(get()))`,
		"nested pcalls: only the inner frames close": `
			local u = 1
			local function get() return u end
			local inner
			assert(pcall(function()
				local v = 2
				inner = function() return v end
				assert(not pcall(error, "x"))
				v = 3
			end))
			u = 13
			assert(get() == 13 and inner() == 3, tostring(get()) .. " " .. tostring(inner()))`,
		"inside a coroutine": `
			local co = coroutine.wrap(function()
				local u = 1
				local function get() return u end
				assert(not pcall(error, "y"))
				u = 14
				coroutine.yield(get())
			end)
			local got = co()
			assert(got == 14, "got " .. tostring(got))`,
		"a coroutine that dies keeps its closures' values": `
			local keep
			local co = coroutine.create(function()
				local x = 6
				keep = function() return x end
				error("dies")
			end)
			assert(not coroutine.resume(co))
			assert(keep() == 6, "keep() = " .. tostring(keep()))`,
	} {
		L := NewState()
		if err := L.DoString(src); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		L.Close()
	}
}
