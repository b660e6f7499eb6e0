package lua

// medtwin patch 11 (PATCHES.md): a suspended coroutine made a thread that has
// not started.

// ResetThread makes ls, a coroutine suspended in the middle of its body (a
// process still waiting when its replication ended), a thread that has not
// started, as NewThread returns one: an empty call stack, no current frame, no
// open upvalues, an empty value stack. It reports false, changing nothing,
// for a dead thread or one that is running (it has a parent). Nothing of the
// old body stays reachable from ls: its frames are dropped.
func (ls *LState) ResetThread() bool {
	if ls.Dead || ls.Parent != nil {
		return false
	}
	ls.stack.SetSp(0)
	ls.currentFrame = nil
	ls.uvcache = nil
	ls.SetTop(0)
	return ls.stack.Sp() == 0
}
