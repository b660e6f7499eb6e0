package scripts

import (
	"github.com/medtwin/medtwin/engine/rng"
	lua "github.com/yuin/gopher-lua"
)

// empiricalKey names a cached rng:empirical distribution by both of its tables.
type empiricalKey struct{ vals, weights *lua.LTable }

// empirical is a distribution built from a values and a weights table, with
// the numbers it was built from: the tables are Lua values the scenario may
// change between draws.
type empirical struct {
	vals, weights []float64
	dist          *rng.Empirical
}

// maxEmpirics bounds the number of cached distributions.
const maxEmpirics = 256

// empirical returns the distribution of rng:empirical(vals, weights), building
// it again when either table's contents changed since it was cached (issue 17
// item 7: a cache keyed by the values table alone ignored new weights).
func (h *host) empirical(L *lua.LState, vals, weights *lua.LTable) *rng.Empirical {
	key := empiricalKey{vals, weights}
	if c, ok := h.empirics[key]; ok && sameNumbers(c.vals, vals) && sameNumbers(c.weights, weights) {
		return c.dist
	}
	c := &empirical{vals: numbers(vals), weights: numbers(weights)}
	var err error
	if c.dist, err = rng.NewEmpirical(c.vals, c.weights); err != nil {
		raise(L, err)
	}
	if len(h.empirics) >= maxEmpirics {
		// a scenario that writes the tables inline ({1, 2, 3}) makes new ones
		// on every call: forget them rather than grow without bound (the cache
		// saves time only; draws do not depend on it)
		clear(h.empirics)
	}
	h.empirics[key] = c
	return c.dist
}

// numbers reads the array part of a Lua table as numbers.
func numbers(t *lua.LTable) []float64 {
	xs := make([]float64, t.Len())
	for i := range xs {
		xs[i] = float64(lua.LVAsNumber(t.RawGetInt(i + 1)))
	}
	return xs
}

// sameNumbers reports whether the array part of t still holds xs.
func sameNumbers(xs []float64, t *lua.LTable) bool {
	if t.Len() != len(xs) {
		return false
	}
	for i, x := range xs {
		if float64(lua.LVAsNumber(t.RawGetInt(i+1))) != x {
			return false
		}
	}
	return true
}
