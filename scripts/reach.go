package scripts

import (
	lua "github.com/yuin/gopher-lua"
)

// reachGlobals are the globals a scenario may read while its replications
// still cannot reach a table of a worker's snapshot (see snapshotOutOfReach):
// functions that return only what they are given (or new values), never a
// table of the state's set-up. getmetatable is not one (getmetatable("") is
// the string metatable), nor require or model (their tables), nor _G.
var reachGlobals = map[string]bool{
	"assert": true, "error": true, "ipairs": true, "next": true, "pairs": true, "pcall": true,
	"print": true, "rawequal": true, "rawget": true, "rawset": true, "select": true,
	"setmetatable": true, "tonumber": true, "tostring": true, "type": true, "unpack": true,
	"xpcall": true, "_VERSION": true,
	"scenario": true, "param": true,
	"seconds": true, "minutes": true, "hours": true, "days": true, "weeks": true,
}

// reachLibraries are the library tables whose fields a scenario may read as
// math.floor(x) reads them: the table is loaded into a register and the very
// next instruction replaces it there by one of its fields (a function or a
// constant), so that no code ever holds the table itself.
var reachLibraries = map[string]bool{"string": true, "table": true, "math": true}

// snapshotOutOfReach reports whether no code of the scenario chunk (its
// functions included, at any depth) can get hold of a table of the worker's
// snapshot (the globals, the libraries, their metatables, the string
// metatable: see luaWorker), so that no replication can change one and reset
// need not compare them with the snapshot. globals is the globals table as set
// up. The chunk may not assign a global, and it may read only reachGlobals,
// while they are not tables, and the fields of reachLibraries in the pattern
// described there with a constant key naming a field that is not a table.
// Everything else a scenario can reach is made by its replication (sim, p,
// the tables it builds) or by the medtwin API, which returns new values.
// The analysis is of the compiled code, so it is conservative: `local m =
// math` or `math.pi = 3` make it false, and reset then compares every table.
func snapshotOutOfReach(proto *lua.FunctionProto, globals *lua.LTable) bool {
	code := proto.Code
	for pc, inst := range code {
		switch int(inst >> 26) { // gopher-lua's opcode field
		case lua.OP_SETGLOBAL:
			return false
		case lua.OP_GETGLOBAL:
			name, ok := proto.Constants[int(inst&0x3ffff)].(lua.LString) // Bx: the name's constant
			if !ok {
				return false
			}
			v := globals.RawGetString(string(name))
			if _, isTable := v.(*lua.LTable); reachGlobals[string(name)] && !isTable && v != lua.LNil {
				continue
			}
			lib, isTable := v.(*lua.LTable)
			if !isTable || !reachLibraries[string(name)] || pc+1 >= len(code) || !fieldReplaces(proto, inst, code[pc+1], lib) {
				return false
			}
		}
	}
	for _, child := range proto.FunctionPrototypes {
		if !snapshotOutOfReach(child, globals) {
			return false
		}
	}
	return true
}

// fieldReplaces reports whether next, the instruction after get (GETGLOBAL
// of the library lib into register A), is R(A) := R(A)[K] with K a constant
// string naming a field of lib that is not a table.
func fieldReplaces(proto *lua.FunctionProto, get, next uint32, lib *lua.LTable) bool {
	op := int(next >> 26)
	a := int(get>>18) & 0xff
	na, nb, nc := int(next>>18)&0xff, int(next&0x1ff), int(next>>9)&0x1ff
	if op != lua.OP_GETTABLEKS && op != lua.OP_GETTABLE || na != a || nb != a {
		return false
	}
	const rk = 1 << 8 // an RK operand that names a constant
	if nc&rk == 0 {
		return false
	}
	key, ok := proto.Constants[nc&^rk].(lua.LString)
	if !ok {
		return false
	}
	_, isTable := lib.RawGetString(string(key)).(*lua.LTable)
	return !isTable
}

// readsGlobal reports whether any code of proto (its functions included, at
// any depth) reads the global name.
func readsGlobal(proto *lua.FunctionProto, name string) bool {
	for _, inst := range proto.Code {
		if int(inst>>26) == lua.OP_GETGLOBAL {
			if k, ok := proto.Constants[int(inst&0x3ffff)].(lua.LString); !ok || string(k) == name {
				return true
			}
		}
	}
	for _, child := range proto.FunctionPrototypes {
		if readsGlobal(child, name) {
			return true
		}
	}
	return false
}
