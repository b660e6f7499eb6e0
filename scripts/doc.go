// Package scripts is medtwin's Lua host: it loads scenarios written in Lua
// (gopher-lua) into a sandbox and binds them to the engine.
//
// The sandbox opens only the base, table, string and math libraries, and from
// base removes everything that reaches outside (dofile, loadfile, load,
// loadstring, require is replaced by one that loads only the scenario's own
// directory and the bundled medtwin.* modules). Globals are strict: reading an
// undefined name is an error that suggests the nearest defined one. A run has a
// wall-time limit, a call-stack and registry limit and a memory watchdog; a
// runaway script is stopped with a message that names the scenario.
//
// Processes are Lua functions run on a pool of Lua threads: a finished process
// hands its thread to the next one, so a process costs a resume, not a new
// thread. They wait through the kernel's callback API (timeouts, resource grants,
// events), which wakes them with scheduled kernel events, never by nesting one
// Lua thread inside another.
package scripts
