package lua

import "unsafe"

// medtwin patch 10 (PATCHES.md): small string-keyed tables without a Go map.
//
// Upstream keeps a table's string keys in a Go map (strdict) made on the
// first string key, and every hash key once more, boxed, in keys (the
// first-set order that next walks). A record such as { movie = m, tickets = n }
// paid a map, a keys slice grown twice and a boxed string per field. Now a
// table keeps up to smallMax string keys in small, a slice of key/value pairs
// in first-set order searched linearly (length and data pointer first: keys
// are mostly the prototype's constants), while it has no other hash key. A
// key set to nil stays in its place with the value LNil, as upstream's keys
// keeps a deleted key at its first place: a key set again comes back there,
// and a new key goes after it. The table moves to upstream's representation
// (promote) on its (smallMax+1)-th string key or its first hash key of
// another type, with keys in the same order, so next visits keys in exactly
// the order upstream does, before and after the move.
//
// The representation is small while strdict and dict are both nil; small is
// then the table's only hash part (keys and k2i are empty), and it is nil in
// the other representation.

// smallMax is the most string keys (deleted ones included) kept in small.
const smallMax = 8

// smallKV is a string key of a small table and its value (LNil: deleted).
// lk is the key boxed as an LValue, made by the first next that returns it
// (boxing a string allocates; gets and sets do not need it).
type smallKV struct {
	k  string
	lk LValue
	v  LValue
}

// isSmall tells whether tb's hash part is small.
func (tb *LTable) isSmall() bool {
	return tb.strdict == nil && tb.dict == nil
}

// smallIndex returns the position of key in small, or -1.
func (tb *LTable) smallIndex(key string) int {
	p := unsafe.StringData(key)
	for i := range tb.small {
		k := tb.small[i].k
		if len(k) == len(key) && (unsafe.StringData(k) == p || k == key) {
			return i
		}
	}
	return -1
}

// rawGetSmall is RawGetString of a small table.
func (tb *LTable) rawGetSmall(key string) LValue {
	if i := tb.smallIndex(key); i >= 0 {
		return tb.small[i].v
	}
	return LNil
}

// rawSetSmall is RawSetString of a small table; it returns false, changing
// nothing, when key is a new key and small is full (the caller promotes).
func (tb *LTable) rawSetSmall(key string, value LValue) bool {
	if i := tb.smallIndex(key); i >= 0 {
		tb.small[i].v = value
		return true
	}
	if value == LNil {
		return true // deleting a key the table never had
	}
	if len(tb.small) == smallMax {
		return false
	}
	if tb.small == nil {
		tb.small = make([]smallKV, 0, 4)
	}
	tb.small = append(tb.small, smallKV{k: key, v: value})
	return true
}

// promote moves tb's string keys from small to strdict and keys, as
// upstream's code would have left them: keys in first-set order, deleted ones
// included (kdel then set), strdict holding the others.
func (tb *LTable) promote() {
	if len(tb.small) == 0 {
		tb.small = nil
		return
	}
	tb.strdict = make(map[string]LValue, max(defaultHashCap, 2*len(tb.small)))
	tb.keys = make([]LValue, len(tb.small), 2*len(tb.small))
	for i, e := range tb.small {
		if e.lk == nil {
			e.lk = LString(e.k)
		}
		tb.keys[i] = e.lk
		if e.v == LNil {
			tb.kdel = true
		} else {
			tb.strdict[e.k] = e.v
		}
	}
	tb.small = nil
}

// nextSmall returns the first key of small at or after position i whose
// value is not nil, and the value; LNil, LNil if there is none.
func (tb *LTable) nextSmall(i int) (LValue, LValue) {
	for ; i < len(tb.small); i++ {
		e := &tb.small[i]
		if e.v != LNil {
			if e.lk == nil {
				e.lk = LString(e.k)
			}
			return e.lk, e.v
		}
	}
	return LNil, LNil
}

// forEachSmall is ForEach's hash part for a small table: the keys of small
// at the call, in order (those cb adds are not visited, as a Go map's
// iteration may skip keys added during it).
func (tb *LTable) forEachSmall(cb func(LValue, LValue)) {
	s := tb.small
	for i := range s {
		e := &s[i]
		if e.v != LNil {
			if e.lk == nil {
				e.lk = LString(e.k)
			}
			cb(e.lk, e.v)
		}
	}
}

// KeyCounts returns the length of tb's key list (its hash keys in next's
// order, deleted ones included: they keep their place until the table is
// rebuilt) and of its array part. medtwin's reused Lua state compares them
// with a snapshot to see that a replication added no key (medtwin patch 10:
// the list is small's pairs or keys, whichever the table uses).
func (tb *LTable) KeyCounts() (keys, array int) {
	return len(tb.keys) + len(tb.small), len(tb.array)
}

// Entries returns the number of fields of tb whose value is not nil: those
// ForEach visits. medtwin reads options tables by name and counts their
// entries to tell whether one holds another field (a walk boxes every string
// key). Its maps hold no nil value (setting a field to nil deletes it); its
// array part and small's pairs may (a deleted small key keeps its slot).
func (tb *LTable) Entries() int {
	n := len(tb.strdict) + len(tb.dict)
	for _, kv := range tb.small {
		if kv.v != LNil {
			n++
		}
	}
	for _, v := range tb.array {
		if v != LNil {
			n++
		}
	}
	return n
}
