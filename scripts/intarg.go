package scripts

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// maxExactInt is the largest integer a Lua number (a float64) holds exactly,
// 2^53. Beyond it Go's conversion to int is not even monotonic: 1e19 becomes
// -9223372036854775808 on amd64, which turned --set servers=1e19 into a
// negative capacity.
const maxExactInt = 1 << 53

// exactInt converts a Lua number to an int when it is a whole number within
// ±2^53, and otherwise says why not ("" when it converts).
func exactInt(v float64) (int, string) {
	// inlined: a whole number within range converts and back unchanged (NaN,
	// infinities and fractions do not; int(v) of one beyond int's range is
	// math.MinInt64, out of ±2^53)
	if i := int(v); float64(i) == v && uint(i+maxExactInt) <= 2*maxExactInt {
		return i, ""
	}
	return inexactInt(v)
}

// inexactInt is exactInt of a number that is not a whole one within ±2^53.
func inexactInt(v float64) (int, string) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v != math.Trunc(v):
		return 0, fmt.Sprintf("must be an integer, got %v", lua.LNumber(v))
	case math.Abs(v) > maxExactInt:
		return 0, fmt.Sprintf("must be an integer within ±2^53, got %v", lua.LNumber(v))
	}
	return int(v), ""
}

// intArg reads argument n as an integer (see exactInt), raising an argument
// error that names what the argument is.
func intArg(L *lua.LState, n int, what string) int {
	i, why := exactInt(number(L, n))
	if why != "" {
		L.ArgError(n, what+" "+why)
	}
	return i
}

// optIntArg is intArg with a default for a missing (nil) argument.
func optIntArg(L *lua.LState, n int, what string, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return intArg(L, n, what)
}

// intValue converts a value read from a table (an option or a field) to an
// integer, raising an error that names it.
func intValue(L *lua.LState, v lua.LValue, what string) int {
	n, ok := v.(lua.LNumber)
	if !ok {
		L.RaiseError("%s must be a number, got %s", what, v.Type())
	}
	i, why := exactInt(float64(n))
	if why != "" {
		L.RaiseError("%s %s", what, why)
	}
	return i
}

// int reads key as an integer (def when absent).
func (c *cfg) int(key string, def int) int {
	v := c.t.RawGetString(key)
	if v == lua.LNil {
		return def
	}
	return intValue(c.L, v, c.what+": "+key)
}
