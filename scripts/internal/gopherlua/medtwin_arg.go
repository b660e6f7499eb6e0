package lua

// Arg returns argument n (n >= 1) of the running Go function: Get(n) for a
// positive n (LNil above the top), without Get's call: small enough to be
// inlined where it is called (medtwin patch 24, PATCHES.md). It is not Get
// for n <= 0 (pseudo-indices, indices from the top): use Get for those.
func (ls *LState) Arg(n int) LValue {
	base := 0
	if cf := ls.currentFrame; cf != nil {
		base = cf.LocalBase
	}
	if r := base + n - 1; r >= 0 && r < ls.reg.top {
		return ls.reg.array[r]
	}
	return LNil
}
