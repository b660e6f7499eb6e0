package scripts

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"
)

// ErrMemoryLimit is the cause of a run stopped by the memory watchdog.
var ErrMemoryLimit = errors.New("the run exceeded its memory limit (--max-memory)")

// WithLimits returns a context that ends after timeout (0: 30 minutes) or when
// the Go heap exceeds maxBytes (0: no memory limit), checked every 50 ms. Lua
// states made with it stop at their next instruction.
func WithLimits(parent context.Context, timeout time.Duration, maxBytes uint64) (context.Context, context.CancelFunc) {
	ctx, cancelT := context.WithTimeoutCause(parent, orDefault(timeout),
		fmt.Errorf("the run exceeded its time limit of %v (--timeout)", orDefault(timeout)))
	ctx, cancel := context.WithCancelCause(ctx)
	if maxBytes > 0 {
		go func() {
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					metrics.Read(sample)
					if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > maxBytes {
						cancel(ErrMemoryLimit)
						return
					}
				}
			}
		}()
	}
	return ctx, func() { cancel(nil); cancelT() }
}

func cancelReason(ctx context.Context) string {
	if ctx != nil {
		if c := context.Cause(ctx); c != nil && c != context.Canceled {
			return c.Error()
		}
	}
	return "the run was cancelled"
}
