package scripts

import (
	"context"
	"runtime"

	lua "github.com/yuin/gopher-lua"

	"github.com/yuin/gopher-lua/pm"
)

// budgetKey is the context key of a run's memory budget (set by WithLimits).
type budgetKey struct{}

// memBudget is the heap a run may add (--max-memory) over what the process
// held when it started.
type memBudget struct{ base, max uint64 }

// fits says whether n more bytes keep the run's heap within its limit.
func (b *memBudget) fits(n int64) bool {
	h := heapBytes()
	used := uint64(0)
	if h > b.base {
		used = h - b.base
	}
	return n >= 0 && used <= b.max && uint64(n) <= b.max-used
}

// meterFrom is the smallest allocation that reserve checks: smaller ones are
// gradual growth, which the watchdog of WithLimits catches within 50 ms.
const meterFrom = 1 << 20

// reserve raises an error in L when an allocation of n bytes that what is
// about to make would take the run past its memory limit (--max-memory). The
// watchdog of WithLimits looks at the heap every 50 ms, between Lua
// instructions; one library call (table.concat, string.rep, string.gsub) is
// a single instruction that can allocate gigabytes at once, far past the
// limit before the watchdog sees it (issue 18, Low 8: 8.5 times the limit).
// Such calls check their result's size here first. Near the limit a garbage
// collection runs first, so that garbage does not count against the run.
func reserve(L *lua.LState, what string, n int64) {
	if n < meterFrom {
		return
	}
	b := budgetOf(L.Context())
	if b == nil || b.fits(n) {
		return
	}
	runtime.GC()
	if !b.fits(n) {
		L.RaiseError("%s: a result of %d bytes would take the run past its memory limit of %d bytes (--max-memory)", what, n, b.max)
	}
}

// budgetOf returns the memory budget a context carries, nil when none.
func budgetOf(ctx context.Context) *memBudget {
	if ctx == nil {
		return nil
	}
	b, _ := ctx.Value(budgetKey{}).(*memBudget)
	return b
}

// meterStrings makes the string-building library calls check their result
// against the run's memory budget before they build it: string.rep (also
// capped at maxBytes whatever the budget), table.concat, string.format and
// string.gsub (with boundPatterns, which finds gsub's matches first).
func meterStrings(L *lua.LState, maxBytes int) {
	strTab := L.GetGlobal("string").(*lua.LTable)
	rep := strTab.RawGetString("rep").(*lua.LFunction)
	strTab.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		s, n := L.CheckString(1), L.CheckNumber(2)
		if size := float64(len(s)) * float64(n); size > float64(maxBytes) {
			L.RaiseError("string.rep: result of %.0f bytes exceeds the limit of %d bytes", size, maxBytes)
		} else if size > 0 {
			reserve(L, "string.rep", int64(size))
		}
		return callOriginal(L, rep)
	}))
	format := strTab.RawGetString("format").(*lua.LFunction)
	strTab.RawSetString("format", L.NewFunction(func(L *lua.LState) int {
		if f, ok := L.Get(1).(lua.LString); ok {
			n := formatWidths(string(f))
			for i := 2; i <= L.GetTop(); i++ {
				n += int64(len(L.ToStringMeta(L.Get(i)).String()))
			}
			reserve(L, "string.format", n)
		}
		return callOriginal(L, format)
	}))
	tabTab := L.GetGlobal("table").(*lua.LTable)
	concat := tabTab.RawGetString("concat").(*lua.LFunction)
	tabTab.RawSetString("concat", L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok {
			reserve(L, "table.concat", concatSize(L, t))
		}
		return callOriginal(L, concat)
	}))
}

// callOriginal calls fn with this call's arguments and returns its results.
func callOriginal(L *lua.LState, fn *lua.LFunction) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// concatSize is the length of table.concat(t, sep, i, j) (arguments 1 to 4 of
// the call), up to the first value that is neither a string nor a number,
// where table.concat itself stops with an error.
func concatSize(L *lua.LState, t *lua.LTable) int64 {
	sep := int64(0)
	if v := L.Get(2); v != lua.LNil {
		sep = int64(len(lua.LVAsString(v)))
	}
	from, to := 1.0, float64(t.Len())
	if v, ok := L.Get(3).(lua.LNumber); ok {
		from = max(from, float64(v))
	}
	if v, ok := L.Get(4).(lua.LNumber); ok {
		to = min(to, float64(v))
	}
	var n int64
	for i := int(from); float64(i) <= to; i++ {
		switch v := t.RawGetInt(i).(type) {
		case lua.LString:
			n += int64(len(v)) + sep
		case lua.LNumber:
			n += int64(len(v.String())) + sep
		default:
			return n
		}
	}
	return n
}

// formatWidths is the length of a format string plus every field width and
// precision it asks for (Go's fmt caps each at a million): with the lengths
// of the arguments, a bound on string.format's result.
func formatWidths(f string) int64 {
	n := int64(len(f))
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		for i++; i < len(f); i++ {
			c := f[i]
			if c >= '0' && c <= '9' {
				w := int64(0)
				for ; i < len(f) && f[i] >= '0' && f[i] <= '9'; i++ {
					w = min(w*10+int64(f[i]-'0'), 1_000_000)
				}
				n += w
				i--
				continue
			}
			if c != '.' && c != '-' && c != '+' && c != ' ' && c != '#' {
				break
			}
		}
	}
	return n
}

// gsubSize bounds the length of string.gsub's result over subject s with the
// matches found, for the replacement (argument 3) given as a string or a
// table; a function's results are metered as it returns them (meterGsubFunc).
func gsubSize(L *lua.LState, s string, matches []*pm.MatchData) int64 {
	n := int64(len(s))
	switch repl := L.Get(3).(type) {
	case lua.LString:
		lit, caps := parseRepl(string(repl))
		for _, m := range matches {
			n += lit
			for c, k := range caps {
				if k > 0 {
					n += k * captureLen(m, c)
				}
			}
		}
	case *lua.LTable:
		longest := 0
		repl.ForEach(func(_, v lua.LValue) {
			if s, ok := v.(lua.LString); ok {
				longest = max(longest, len(s))
			} else if _, ok := v.(lua.LNumber); ok {
				longest = max(longest, 24)
			}
		})
		n += int64(len(matches)) * int64(longest)
	}
	return n
}

// parseRepl reads a gsub replacement string once: the bytes it adds to every
// match whatever the match (an escape %x other than a digit counted as two,
// at most), and how many times it inserts each capture %0-%9.
func parseRepl(repl string) (lit int64, caps [10]int64) {
	for i := 0; i < len(repl); i++ {
		if repl[i] != '%' || i+1 == len(repl) {
			lit++
			continue
		}
		i++
		if c := repl[i]; c >= '0' && c <= '9' {
			caps[c-'0']++
		} else {
			lit += 2
		}
	}
	return lit, caps
}

// captureLen is the length of capture c of a match (0: the whole match; a
// position capture as a number, 20 bytes at most).
func captureLen(m *pm.MatchData, c int) int64 {
	idx := 2 * c
	if idx+1 >= m.CaptureLength() {
		idx = 0
	}
	if m.IsPosCapture(idx) {
		return 20
	}
	return int64(m.Capture(idx+1) - m.Capture(idx))
}

// meterGsubFunc replaces a function replacement (argument 3 of string.gsub)
// with one that calls it and checks the results gathered so far, with the
// subject's length, against the run's memory budget and maxGsubCopy: gsub
// joins them only after the last call, in one step.
func meterGsubFunc(L *lua.LState, subject, matches int) {
	fn, ok := L.Get(3).(*lua.LFunction)
	if !ok {
		return
	}
	total := int64(subject)
	L.Replace(3, L.NewFunction(func(L *lua.LState) int {
		n := callOriginal(L, fn)
		if n > 0 {
			switch v := L.Get(-n).(type) {
			case lua.LString:
				total += int64(len(v))
			case lua.LNumber:
				total += 24
			}
			checkGsubWork(L, matches, total)
			reserve(L, "string.gsub", total)
		}
		return n
	}))
}
