package scripts

import lua "github.com/yuin/gopher-lua"

// A process still waiting when its replication ends leaves its thread
// suspended in the middle of its body, and upstream gopher-lua can neither
// resume such a thread elsewhere nor unwind it. resetThread makes it a thread
// that has not started, as NewThread returns one (lua.LState.ResetThread,
// patch 11 of the carried gopher-lua: empty call stack, no current frame, no
// open upvalues, an empty stack), so that the next replication runs a process
// on it instead of making a new thread (NewThread allocates a whole Global of
// tables it then drops: ~5-9% of the gas station example's CPU).
//
// Nothing of the old body stays reachable: its frames are dropped, and the
// closures it made belong to the finished replication (globals, libraries, p
// and the module cache are put back or made anew before the next one).
func resetThread(th *lua.LState) bool { return th.ResetThread() }
