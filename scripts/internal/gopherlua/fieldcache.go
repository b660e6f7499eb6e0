package lua

import "unsafe"

// medtwin patch 2 (PATCHES.md): a cache of string-keyed table reads.
//
// Every constant-keyed read in the VM (a global, t.name, obj:method(), and the
// "__index" of a metatable on the way) is a RawGetString: a Go map lookup that
// hashes the key. The keys are the prototype's string constants and Go string
// literals, whose bytes do not move, so a read is identified by the table's
// address and the key's data address and length. fieldCache remembers the
// last value read for each such pair, in a small direct-mapped array, with the
// table's version (LTable.ver, incremented by every write of a string key):
// a hit is a few comparisons, and any write to the table since makes the
// entry stale. An entry holds its table and key alive, so that neither
// address can be reused by another table or string while it is cached.
//
// One cache per Global: the threads of one state share it and run on one
// goroutine at a time, as they share everything else in Global.

// fieldCacheSize is the number of entries (a power of two).
const fieldCacheSize = 256

type fieldCacheEntry struct {
	tb  *LTable
	key *byte
	n   int
	ver uint64
	val LValue
}

type fieldCache [fieldCacheSize]fieldCacheEntry

// rawGetString is tb.RawGetString(key) through the cache.
func (c *fieldCache) rawGetString(tb *LTable, key string) LValue {
	p := unsafe.StringData(key)
	h := (uintptr(unsafe.Pointer(tb))>>4 ^ uintptr(unsafe.Pointer(p))>>3 ^ uintptr(len(key))) & (fieldCacheSize - 1)
	e := &c[h]
	if e.tb == tb && e.key == p && e.n == len(key) && e.ver == tb.ver {
		return e.val
	}
	v := tb.RawGetString(key)
	*e = fieldCacheEntry{tb: tb, key: p, n: len(key), ver: tb.ver, val: v}
	return v
}
