package lua

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// Patch 10 (smalltable.go): tables with at most smallMax string keys and no
// other hash key keep them in a slice, not a Go map.

// refTable is an independent model of upstream gopher-lua v1.1.2's hash part,
// read from its table.go: a key is appended to the order when first set to a
// non-nil value and never leaves it (setting it to nil only removes its
// value; set again, it keeps its first place); next visits the keys of the
// order whose value is not nil, in order.
type refTable struct {
	order []LValue
	vals  map[LValue]LValue
}

func (r *refTable) set(k, v LValue) {
	if r.vals == nil {
		r.vals = map[LValue]LValue{}
	}
	if _, known := r.vals[k]; !known {
		if v == LNil {
			return
		}
		r.order = append(r.order, k)
	}
	r.vals[k] = v
}

func (r *refTable) get(k LValue) LValue {
	if v, ok := r.vals[k]; ok {
		return v
	}
	return LNil
}

// pairs lists the live keys and values in next's order, as "k=v".
func (r *refTable) pairs() []string {
	var out []string
	for _, k := range r.order {
		if v := r.vals[k]; v != LNil {
			out = append(out, fmt.Sprintf("%v=%v", k, v))
		}
	}
	return out
}

// nextPairs lists tb's keys and values as tb.Next visits them, calling
// visit (if not nil) with each key before asking for the next one.
func nextPairs(t *testing.T, tb *LTable, visit func(k LValue)) []string {
	var out []string
	k, v := tb.Next(LNil)
	for k != LNil {
		out = append(out, fmt.Sprintf("%v=%v", k, v))
		if len(out) > 1000 {
			t.Fatal("next does not end")
		}
		if visit != nil {
			visit(k)
		}
		k, v = tb.Next(k)
	}
	return out
}

// TestSmallTableAgainstModel runs random writes (new keys, overwrites,
// deletions, keys of other types), reads and traversals (some deleting or
// overwriting the visited key) on tables starting small, and compares each
// read and each traversal's order with refTable.
func TestSmallTableAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	names := []string{"a", "b", "movie", "tickets", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
	others := []LValue{LTrue, LFalse, LNumber(2.5), LNumber(-3), LNumber(0)}
	promoted, stayedSmall := 0, 0
	for trial := 0; trial < 400; trial++ {
		// a few keys (stays small) or many (promotes); other key types sometimes
		nkeys := 1 + rng.Intn(4)
		if trial%3 == 0 {
			nkeys = len(names)
		}
		mixed := trial%5 == 0
		tb := newLTable(0, rng.Intn(10))
		ref := &refTable{}
		key := func() LValue {
			if mixed && rng.Intn(6) == 0 {
				return others[rng.Intn(len(others))]
			}
			// a fresh copy of the bytes: keys equal by value, not by pointer
			return LString(string([]byte(names[rng.Intn(nkeys)])))
		}
		for step := 0; step < 60; step++ {
			switch op := rng.Intn(10); {
			case op < 5:
				k, v := key(), LValue(LNumber(rng.Intn(100)))
				if rng.Intn(4) == 0 {
					v = LNil
				}
				switch rng.Intn(3) {
				case 0:
					tb.RawSet(k, v)
				case 1:
					tb.RawSetH(k, v)
				default:
					if s, ok := k.(LString); ok {
						tb.RawSetString(string(s), v)
					} else {
						tb.RawSet(k, v)
					}
				}
				ref.set(k, v)
			case op < 8:
				k := key()
				got := []LValue{tb.RawGet(k), tb.RawGetH(k)}
				if s, ok := k.(LString); ok {
					got = append(got, tb.RawGetString(string(s)))
				}
				for _, g := range got {
					if g != ref.get(k) {
						t.Fatalf("trial %d step %d: get %v = %v, want %v", trial, step, k, g, ref.get(k))
					}
				}
			default:
				want := ref.pairs()
				if got := nextPairs(t, tb, nil); !slices.Equal(got, want) {
					t.Fatalf("trial %d step %d: next order %v, want %v", trial, step, got, want)
				}
				// a traversal that deletes or overwrites the visited keys
				seen := nextPairs(t, tb, func(k LValue) {
					nv := LValue(LNil)
					if rng.Intn(2) == 0 {
						nv = LNumber(100 + rng.Intn(100))
					}
					tb.RawSet(k, nv)
					ref.set(k, nv)
				})
				if !slices.Equal(seen, want) {
					t.Fatalf("trial %d step %d: next order while writing %v, want %v", trial, step, seen, want)
				}
			}
		}
		var each []string
		tb.ForEach(func(k, v LValue) { each = append(each, fmt.Sprintf("%v=%v", k, v)) })
		want := ref.pairs()
		sort.Strings(each)
		sort.Strings(want)
		if !slices.Equal(each, want) {
			t.Fatalf("trial %d: ForEach %v, want %v", trial, each, want)
		}
		if tb.isSmall() {
			stayedSmall++
		} else {
			promoted++
		}
	}
	if promoted == 0 || stayedSmall == 0 {
		t.Fatalf("the trials did not cover both representations: %d promoted, %d small", promoted, stayedSmall)
	}
}

// TestSmallTableNoMap checks that a table with up to smallMax string keys
// has no Go map and allocates only its slice of pairs, and that the next key
// moves it to a map with next's order kept, deleted keys included.
func TestSmallTableNoMap(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		tb := newLTable(0, 2)
		tb.RawSetString("movie", LNumber(1))
		tb.RawSetString("tickets", LNumber(2))
		tb.RawSetString("movie", LNumber(3))
		if tb.RawGetString("movie") != LNumber(3) || tb.RawGetString("tickets") != LNumber(2) {
			t.Fatal("wrong values")
		}
	})
	// the LTable and its slice of 2 pairs (upstream: a map, a keys slice
	// grown twice, a boxed key per field)
	if allocs > 2 {
		t.Errorf("{ movie = m, tickets = n }: %v allocations, want 2", allocs)
	}

	tb := newLTable(0, 0)
	var want []string
	for i := 0; i < smallMax; i++ {
		k := fmt.Sprintf("k%d", i)
		tb.RawSetString(k, LNumber(i))
		want = append(want, fmt.Sprintf("%s=%d", k, i))
	}
	if !tb.isSmall() || tb.strdict != nil || len(tb.small) != smallMax {
		t.Fatalf("%d string keys: strdict %v, small %d, want no map", smallMax, tb.strdict, len(tb.small))
	}
	tb.RawSetString("k1", LNil) // deleted: keeps its place in next's order
	want = append(want[:1], want[2:]...)
	tb.RawSetString("extra", LTrue)
	want = append(want, "extra=true")
	if tb.isSmall() || tb.strdict == nil || tb.small != nil {
		t.Fatalf("%d string keys: still small", smallMax+1)
	}
	if got := nextPairs(t, tb, nil); !slices.Equal(got, want) {
		t.Fatalf("after promotion: %v, want %v", got, want)
	}
	tb.RawSetString("k1", LNumber(11)) // back at its first place
	want = append(want[:1], append([]string{"k1=11"}, want[1:]...)...)
	if got := nextPairs(t, tb, nil); !slices.Equal(got, want) {
		t.Fatalf("k1 set again: %v, want %v", got, want)
	}

	// a key of another type promotes; the order of string keys before it is kept
	u := newLTable(0, 0)
	u.RawSetString("x", LNumber(1))
	u.RawSetString("y", LNumber(2))
	u.RawSetString("x", LNil)
	u.RawSet(LNil, LNil) // not a key: nothing changes
	u.RawSetH(LTrue, LNil)
	if !u.isSmall() {
		t.Fatal("deleting an absent key of another type promoted the table")
	}
	u.RawSetH(LTrue, LNumber(3))
	u.RawSetString("x", LNumber(4))
	if got, want := nextPairs(t, u, nil), []string{"x=4", "y=2", "true=3"}; !slices.Equal(got, want) {
		t.Fatalf("mixed keys: %v, want %v", got, want)
	}
}

// TestSmallTableFromLua checks small tables through the VM: constructors,
// reads after writes (through patch 2's field cache, whose entries a write
// must make stale), overwrites, deletions, promotion with the order kept,
// traversals clearing fields, mixed keys and the table library.
func TestSmallTableFromLua(t *testing.T) {
	L := NewState()
	defer L.Close()
	err := L.DoString(`
		local function order(t)
			local ks = {}
			for k, v in pairs(t) do ks[#ks + 1] = tostring(k) .. "=" .. tostring(v) end
			return table.concat(ks, ",")
		end
		local g = { movie = 2, tickets = 5 }
		assert(g.movie == 2 and g.tickets == 5 and g.other == nil)
		for i = 1, 3 do
			assert(g.movie == i + 1) -- a cached read: each write must be seen
			g.movie = i + 2
		end
		rawset(g, "movie", 10); assert(g.movie == 10)
		g.movie = nil; assert(g.movie == nil and rawget(g, "movie") == nil)
		assert(order(g) == "tickets=5", order(g))
		g.movie = 7; assert(g.movie == 7)
		assert(order(g) == "movie=7,tickets=5", order(g))

		-- promotion past 8 keys, deleted keys keeping their place
		local t = {}
		for i = 1, 8 do t["k" .. i] = i end
		t.k3 = nil
		t.k9 = 9
		t.k10 = 10
		assert(t.k9 == 9 and t.k1 == 1 and t.k3 == nil)
		assert(order(t) == "k1=1,k2=2,k4=4,k5=5,k6=6,k7=7,k8=8,k9=9,k10=10", order(t))
		t.k3 = 3
		assert(order(t) == "k1=1,k2=2,k3=3,k4=4,k5=5,k6=6,k7=7,k8=8,k9=9,k10=10", order(t))

		-- traversal setting existing keys to nil, and to other values
		local v = { p = 1, q = 2, r = 3 }
		local seen = {}
		for k in pairs(v) do seen[#seen + 1] = k; v[k] = nil end
		assert(table.concat(seen, ",") == "p,q,r", table.concat(seen, ","))
		assert(next(v) == nil)
		local w = { p = 1, q = 2, r = 3 }
		for k, x in pairs(w) do if k == "q" then w.p = nil; w.r = nil end end
		assert(order(w) == "q=2", order(w))
		for k, x in pairs(w) do w[k] = x * 10 end
		assert(order(w) == "q=20", order(w))

		-- array part, string keys and other keys together
		local m = { 10, 20, name = "x", [2.5] = "f", [true] = "b", size = 3 }
		assert(m[1] == 10 and m.name == "x" and m[2.5] == "f" and m[true] == "b")
		assert(#m == 2)
		assert(order(m) == "1=10,2=20,name=x,2.5=f,true=b,size=3", order(m))
		local n = { a = 1 }
		n[false] = 2; n.b = 3
		assert(order(n) == "a=1,false=2,b=3", order(n))
		table.insert(n, "z")
		assert(order(n) == "1=z,a=1,false=2,b=3", order(n))

		-- a metatable kept small: __index and __newindex found in it
		local log = {}
		local mt = { __index = function(_, k) return "d_" .. k end }
		local o = setmetatable({}, mt)
		assert(o.zz == "d_zz")
		mt.__newindex = function(_, k, x) log[#log + 1] = k end
		o.yy = 1
		assert(rawget(o, "yy") == nil and log[1] == "yy")
		mt.__index = nil
		assert(o.zz == nil)
	`)
	if err != nil {
		t.Fatal(err)
	}
}
