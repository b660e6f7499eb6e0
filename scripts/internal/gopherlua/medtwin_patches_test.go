package lua

// Tests of the medtwin patches (PATCHES.md), beside gopher-lua's own.

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Patch 1: the context is checked every ctxCheckInterval instructions, so a
// loop that calls nothing (no entry into the main loop, no Go function) is
// still stopped when the context ends.
func TestContextStopsLoopWithoutCalls(t *testing.T) {
	L := NewState()
	defer L.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	L.SetContext(ctx)
	done := make(chan error, 1)
	go func() { done <- L.DoString(`local i = 0 while true do i = i + 1 end`) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
			t.Fatalf("err = %v, want context deadline exceeded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("an endless loop was not stopped 30 s after its context ended")
	}
}
