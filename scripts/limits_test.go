package scripts

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// --max-memory bounds what the run allocates, not what the process held before
// it started: 96 MiB allocated before a run with a 64 MiB limit does not stop
// it (the whole heap was measured, so it did), and 96 MiB allocated by the run
// does, within a few of the watchdog's 50 ms checks.
func TestMemoryLimitCountsTheRunOnly(t *testing.T) {
	const limit = 64 << 20
	before := make([]byte, 96<<20)
	ctx, cancel := WithLimits(context.Background(), time.Minute, limit)
	time.Sleep(400 * time.Millisecond) // eight checks
	if err := context.Cause(ctx); err != nil {
		t.Fatalf("stopped by memory the process held before the run: %v", err)
	}
	during := make([]byte, 96<<20)
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), ErrMemoryLimit) {
			t.Fatalf("stopped by %v, want the memory limit", context.Cause(ctx))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("96 MiB allocated by the run did not stop it at a 64 MiB limit")
	}
	cancel()
	runtime.KeepAlive(before)
	runtime.KeepAlive(during)
}
