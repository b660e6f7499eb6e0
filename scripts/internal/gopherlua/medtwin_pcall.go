package lua

// InProtectedCall reports whether a PCall (pcall, xpcall, CallByParam with
// Protect) runs on this thread (medtwin patch 20, PATCHES.md). A Go function
// that would yield checks it first: the thread cannot be suspended across
// the PCall's Go frame, and upstream's yield from inside one returned from
// the PCall as if the protected function had ended, the thread running on.
func (ls *LState) InProtectedCall() bool { return ls.pcallDepth > 0 }
