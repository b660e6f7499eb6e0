package lua

import "unsafe"

// medtwin patch 13b (PATCHES.md): an inline cache per instruction for
// obj:method() and globals.
//
// OP_SELF with a constant method name (every obj:name(...)) and OP_GETGLOBAL
// read a field whose key the instruction fixes. getFieldStringAt remembers,
// for the instruction (its address in the prototype's code), how the last
// read found its value, with the versions (LTable.ver, patch 2) of every
// table the value depends on:
//
//   - a userdata receiver whose metatable's __index is a table holding the
//     key: the metatable, its version, the __index table, its version and the
//     value; a hit is the same metatable at the same version (so the same
//     __index) and the __index table at the same version (so the same value);
//   - a table receiver holding the key itself (a module, the globals): the
//     table, its version, the value;
//   - a table receiver without the key, whose metatable's __index is a table
//     holding it (an object of a class): the receiver and its version (the
//     key still absent), then as a userdata's.
//
// A hit is a few comparisons, without getFieldString's call and the field
// cache's two reads (the metatable's "__index", then the key). Anything else
// (no metatable, the key missing from the __index table, __index a function,
// a string receiver) is not cached: getFieldString runs, with its errors and
// metamethod calls, as before.
//
// Prototypes are shared between states (medtwin compiles a scenario once and
// runs it on several workers), so the cache is not in the prototype but in
// the Global, like the field cache: a 2-way set associative array indexed by
// the instruction's address (consecutive instructions in consecutive sets),
// allocated at the first read. An entry holds its instruction's code, its
// tables and its value alive, so no address it compares can be reused while
// it is cached.

// inlineCacheBits is log2 of the number of sets of the inline cache.
const inlineCacheBits = 7

type inlineCacheEntry struct {
	ip   *uint32 // the instruction
	recv *LTable // the table receiver, nil for a userdata
	rver uint64  // recv.ver
	mt   *LTable // the receiver's metatable, nil when val is recv's own
	mver uint64  // mt.ver
	idx  *LTable // mt's __index
	iver uint64  // idx.ver
	val  LValue
}

// inlineCache is 256 entries (18 KiB), two per set.
type inlineCache [1 << inlineCacheBits][2]inlineCacheEntry

// getFieldStringAt is getFieldString(obj, key) for the instruction at ip,
// whose constant key is key.
func (ls *LState) getFieldStringAt(ip *uint32, obj LValue, key string) LValue {
	c := ls.G.inline
	if c == nil {
		c = new(inlineCache)
		ls.G.inline = c
	}
	set := &c[(uintptr(unsafe.Pointer(ip))>>2)&(1<<inlineCacheBits-1)]
	switch o := obj.(type) {
	case *LUserData:
		if mt, ok := o.Metatable.(*LTable); ok {
			// an entry with mt set has idx set
			if e := &set[0]; e.ip == ip && e.mt == mt && e.mver == mt.ver && e.iver == e.idx.ver {
				return e.val
			}
			if e := &set[1]; e.ip == ip && e.mt == mt && e.mver == mt.ver && e.iver == e.idx.ver {
				return e.val
			}
		}
	case *LTable:
		if e := &set[0]; e.ip == ip && e.recv == o && e.rver == o.ver && (e.mt == nil || e.viaMetatable(o)) {
			return e.val
		}
		if e := &set[1]; e.ip == ip && e.recv == o && e.rver == o.ver && (e.mt == nil || e.viaMetatable(o)) {
			return e.val
		}
	}
	return ls.getFieldStringMiss(set, ip, obj, key)
}

// userDataHit is the value of way 0's entry of the instruction at ip for
// the userdata ud, nil unless it hits: getFieldStringAt's most frequent hit,
// small enough to be inlined in OP_SELF.
func (c *inlineCache) userDataHit(ip *uint32, ud *LUserData) LValue {
	if mt, ok := ud.Metatable.(*LTable); ok {
		e := &c[(uintptr(unsafe.Pointer(ip))>>2)&(1<<inlineCacheBits-1)][0]
		if e.ip == ip && e.mt == mt && e.mver == mt.ver && e.iver == e.idx.ver {
			return e.val
		}
	}
	return nil
}

// viaMetatable reports whether e's value, found through a metatable, is still
// the one found through tb's metatable now.
func (e *inlineCacheEntry) viaMetatable(tb *LTable) bool {
	mt, ok := tb.Metatable.(*LTable)
	return ok && mt == e.mt && e.mver == mt.ver && e.iver == e.idx.ver
}

// getFieldStringMiss is getFieldStringAt without an entry that hits: it
// reads the field, and makes an entry when the read is one the cache keeps.
func (ls *LState) getFieldStringMiss(set *[2]inlineCacheEntry, ip *uint32, obj LValue, key string) LValue {
	e := inlineCacheEntry{ip: ip}
	switch o := obj.(type) {
	case *LUserData:
		if !e.findInIndexTable(ls, o.Metatable, key) {
			return ls.getFieldString(obj, key)
		}
	case *LTable:
		e.recv, e.rver = o, o.ver
		if v := ls.G.fields.rawGetString(o, key); v != LNil {
			e.val = v
		} else if !e.findInIndexTable(ls, o.Metatable, key) {
			return ls.getFieldString(obj, key)
		}
	default:
		return ls.getFieldString(obj, key)
	}
	// the new entry goes to way 0; way 0's moves to way 1, unless it is this
	// instruction's and stale (it can never hit again)
	if set[0].ip != ip || set[0].live() {
		set[1] = set[0]
	}
	set[0] = e
	return e.val
}

// findInIndexTable sets e's metatable part and value when mtv is a table
// whose __index is a table holding key (getFieldString's value then).
func (e *inlineCacheEntry) findInIndexTable(ls *LState, mtv LValue, key string) bool {
	mt, ok := mtv.(*LTable)
	if !ok {
		return false
	}
	idx, ok := ls.G.fields.rawGetString(mt, "__index").(*LTable)
	if !ok {
		return false
	}
	v := ls.G.fields.rawGetString(idx, key)
	if v == LNil {
		return false
	}
	e.mt, e.mver, e.idx, e.iver, e.val = mt, mt.ver, idx, idx.ver, v
	return true
}

// live reports whether every table e depends on is at the version e saw.
func (e *inlineCacheEntry) live() bool {
	return (e.recv == nil || e.rver == e.recv.ver) && (e.mt == nil || e.mver == e.mt.ver && e.iver == e.idx.ver)
}
