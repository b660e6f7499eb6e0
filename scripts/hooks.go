package scripts

import lua "github.com/yuin/gopher-lua"

// preludeHooks are functions the prelude defines for the host (the worker
// loop of pooled process threads, proc:use). A scenario must not reach them:
// called by hand, the worker loop parks or ends another process.
var preludeHooks = []string{"__medtwin_worker", "__medtwin_use"}

// hideHooks moves the prelude's hooks from the globals into the registry,
// which Lua code cannot reach, before any scenario code runs.
func hideHooks(L *lua.LState) {
	for _, name := range preludeHooks {
		L.G.Registry.RawSetString(name, L.GetGlobal(name))
		L.SetGlobal(name, lua.LNil)
	}
}

// hook returns a prelude hook hidden by hideHooks.
func hook(L *lua.LState, name string) *lua.LFunction {
	return L.G.Registry.RawGetString(name).(*lua.LFunction)
}
