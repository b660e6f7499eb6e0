package lua

import (
	"context"
	"strings"
	"testing"
)

// TestEntryContextCheckOff checks patch 25: after SetEntryContextCheck(false)
// a call from Go and a resume run a short function even though the context
// has ended (the caller checks it), a loop that runs on is still stopped by
// the check every ctxCheckInterval loop turns (patch 21e), threads made by NewThread
// take the setting, and SetEntryContextCheck(true) checks at entry again.
func TestEntryContextCheckOff(t *testing.T) {
	for _, autoGrowing := range []bool{true, false} {
		L := NewState(Options{MinimizeStackMemory: autoGrowing})
		errorIfScriptFail(t, L, `
		  function f() return 1 end
		  function spin() while true do end end
		  function body() while true do coroutine.yield() end end`)
		f := L.GetGlobal("f").(*LFunction)
		spin := L.GetGlobal("spin").(*LFunction)
		body := L.GetGlobal("body").(*LFunction)
		call := func(fn *LFunction) error {
			err := L.CallByParam(P{Fn: fn, NRet: 1, Protect: true})
			L.SetTop(0)
			return err
		}
		ended, cancel := context.WithCancel(context.Background())
		cancel()
		L.SetContext(ended)
		L.SetEntryContextCheck(false)
		th, _ := L.NewThread()
		if err := call(f); err != nil {
			t.Fatalf("autoGrowing %v: a short call without the entry check: %v, want none", autoGrowing, err)
		}
		if err := call(spin); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("autoGrowing %v: an endless loop without the entry check: %v, want context canceled", autoGrowing, err)
		}
		for i := 0; i < 3; i++ { // the start, then resumes of the yield
			if st, err := L.ResumeDiscard(th, body); st != ResumeYield || err != nil {
				t.Fatalf("autoGrowing %v: resume %d of a NewThread without the entry check: %v %v", autoGrowing, i, st, err)
			}
		}
		L.SetEntryContextCheck(true)
		if err := call(f); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("autoGrowing %v: a call with the entry check on again: %v, want context canceled", autoGrowing, err)
		}
		th2, _ := L.NewThread()
		if _, err := L.ResumeDiscard(th2, body); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("autoGrowing %v: a resume with the entry check on again: %v, want context canceled", autoGrowing, err)
		}
		L.Close()
	}
}
