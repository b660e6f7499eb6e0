package lua

// Tests of medtwin patch 13 (PATCHES.md): the field cache has no systematic
// conflicts between two fields read in turn.

import (
	"fmt"
	"testing"
	"unsafe"
)

// fieldCacheHits reports, for reads of (table, key) pairs made after a fill,
// whether each was a hit: the test changes the fields behind the cache's back
// (without the version increment that a write makes), so a hit returns the
// value from before the change and a miss the value after it.
func fieldCacheHits(c *fieldCache, tbs []*LTable, keys []string) []bool {
	for i, tb := range tbs {
		c.rawGetString(tb, keys[i])
	}
	for i, tb := range tbs {
		setBehindCache(tb, keys[i], LString("new"))
	}
	hits := make([]bool, len(tbs))
	for i, tb := range tbs {
		hits[i] = c.rawGetString(tb, keys[i]) != LString("new")
	}
	return hits
}

// setBehindCache sets a string field of tb without incrementing tb.ver.
func setBehindCache(tb *LTable, key string, v LValue) {
	ver := tb.ver
	tb.RawSetString(key, v)
	tb.ver = ver
}

// Two fields read in turn, of one table or of two, both stay in the cache,
// whichever their addresses: for every pair of 104 (table, key) pairs (48
// keys of two tables with a map, 8 of a small table; the keys' bytes at
// separate addresses), reading both, then both again, hits twice. In a
// direct-mapped cache of 256 entries about one pair in 256 shares an entry
// and evicts the other (the keys "now" and "request" of medtwin's process
// methods did): the chance that none of the 5,356 pairs does is below 1e-9.
func TestFieldCacheKeepsTwoFieldsReadInTurn(t *testing.T) {
	small, big, big2 := newLTable(0, 0), newLTable(0, 0), newLTable(0, 0)
	var keys []string
	for i := 0; i < 48; i++ {
		keys = append(keys, fmt.Sprintf("method%d", i))
	}
	type field struct {
		tb  *LTable
		key string
	}
	var fields []field
	for _, k := range keys {
		for _, tb := range []*LTable{big, big2} {
			tb.RawSetString(k, LString("old"))
			fields = append(fields, field{tb, k})
		}
	}
	for _, k := range keys[:smallMax] {
		small.RawSetString(k, LString("old"))
		fields = append(fields, field{small, k})
	}
	if !small.isSmall() || big.isSmall() || big2.isSmall() {
		t.Fatal("want one small table and one with a map")
	}
	conflicts, c := 0, &fieldCache{}
	for i := range fields {
		for j := i + 1; j < len(fields); j++ {
			a, b := fields[i], fields[j]
			a.tb.RawSetString(a.key, LString("old"))
			b.tb.RawSetString(b.key, LString("old"))
			*c = fieldCache{}
			hits := fieldCacheHits(c, []*LTable{a.tb, b.tb}, []string{a.key, b.key})
			if !hits[0] || !hits[1] {
				conflicts++
				if conflicts <= 3 {
					t.Errorf("%q of table %p and %q of table %p evict each other (hits %v)", a.key, a.tb, b.key, b.tb, hits)
				}
			}
		}
	}
	if conflicts > 0 {
		t.Errorf("%d of %d pairs of fields evict each other", conflicts, len(fields)*(len(fields)-1)/2)
	}
}

// A field read again after a write replaces its own stale entry instead of
// evicting the other field of its set: two fields of one set (of two tables:
// a write makes all of its table's entries stale), one of them written and
// read three times, the other is still cached.
func TestFieldCacheRereadKeepsOtherWay(t *testing.T) {
	ta, tb := newLTable(0, 0), newLTable(0, 0)
	first := map[uint64]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		k := fmt.Sprintf("field%d", i)
		ta.RawSetString(k, LString("old"))
		tb.RawSetString(k, LString("old"))
		first[fieldCacheSet(tb, unsafe.StringData(k))] = k
		if f, ok := first[fieldCacheSet(ta, unsafe.StringData(k))]; ok {
			a, b = k, f
		}
	}
	c := &fieldCache{}
	c.rawGetString(tb, b)
	c.rawGetString(ta, a)
	for i := 0; i < 3; i++ {
		ta.RawSetString(a, LNumber(i))
		if v := c.rawGetString(ta, a); v != LNumber(i) {
			t.Fatalf("%s = %v after a write of %d", a, v, i)
		}
	}
	setBehindCache(tb, b, LString("new"))
	if c.rawGetString(tb, b) == LString("new") {
		t.Errorf("%s, of the set of %s, evicted by the rereads of %s", b, a, a)
	}
}
