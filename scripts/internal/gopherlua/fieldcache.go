package lua

import "unsafe"

// medtwin patch 2 (PATCHES.md): a cache of string-keyed table reads.
//
// Every constant-keyed read in the VM (a global, t.name, obj:method(), and the
// "__index" of a metatable on the way) is a RawGetString: a Go map lookup that
// hashes the key. The keys are the prototype's string constants and Go string
// literals, whose bytes do not move, so a read is identified by the table's
// address and the key's data address and length. fieldCache remembers the
// last value read for each such pair, in a small array, with the table's
// version (LTable.ver, incremented by every write of a string key): a hit is
// a few comparisons, and any write to the table since makes the entry stale.
// An entry holds its table and key alive, so that neither address can be
// reused by another table or string while it is cached.
//
// medtwin patch 13: the array is 2-way set associative and the set is chosen
// by a multiplicative hash of both addresses. The first version was
// direct-mapped, indexed by an exclusive or of shifted addresses, and two keys
// read in turn could share an entry and evict each other on every read (the
// methods "now" and "request" of medtwin's processes did: a map lookup each,
// per customer). Two fields read in turn now always both stay cached; a
// missed read goes to way 0 and moves way 0's entry to way 1 (unless that
// entry is the same field's, stale: then it is replaced).
//
// One cache per Global: the threads of one state share it and run on one
// goroutine at a time, as they share everything else in Global.

// fieldCacheBits is log2 of the number of sets.
const fieldCacheBits = 7

// fieldCacheSets is the number of sets of two entries (256 entries, 12 KiB).
const fieldCacheSets = 1 << fieldCacheBits

// fibMul is 2^64 divided by the golden ratio, the multiplier of Fibonacci
// hashing (Knuth, TAOCP vol. 3, 6.4): its top bits of a product mix every
// bit of the factor.
const fibMul = 0x9e3779b97f4a7c15

type fieldCacheEntry struct {
	tb  *LTable
	key *byte
	n   int
	ver uint64
	val LValue
}

type fieldCache [fieldCacheSets][2]fieldCacheEntry

// fieldCacheSet is the set of the field key of table tb (key's data address).
func fieldCacheSet(tb *LTable, key *byte) uint64 {
	return ((uint64(uintptr(unsafe.Pointer(tb))) + uint64(uintptr(unsafe.Pointer(key)))*fibMul) * fibMul) >> (64 - fieldCacheBits)
}

// rawGetString is tb.RawGetString(key) through the cache.
func (c *fieldCache) rawGetString(tb *LTable, key string) LValue {
	p := unsafe.StringData(key)
	set := &c[fieldCacheSet(tb, p)]
	if e := &set[0]; e.tb == tb && e.key == p && e.n == len(key) && e.ver == tb.ver {
		return e.val
	}
	if e := &set[1]; e.tb == tb && e.key == p && e.n == len(key) && e.ver == tb.ver {
		return e.val
	}
	v := tb.RawGetString(key)
	if set[0].tb != tb || set[0].key != p || set[0].n != len(key) {
		set[1] = set[0] // else way 0 is the same field, stale: replaced
	}
	set[0] = fieldCacheEntry{tb: tb, key: p, n: len(key), ver: tb.ver, val: v}
	return v
}
