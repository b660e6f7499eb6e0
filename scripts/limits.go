package scripts

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"
)

// ErrMemoryLimit is the cause of a run stopped by the memory watchdog.
var ErrMemoryLimit = errors.New("the run exceeded its memory limit (--max-memory)")

// WithLimits returns a context that ends after timeout (0: 30 minutes) or when
// the run's heap exceeds maxBytes (0: no memory limit), checked every 50 ms.
// Lua states made with it stop at their next instruction.
//
// The run's heap is the growth of the Go heap (live and not yet collected
// objects) since WithLimits was called, after a garbage collection there: what
// the process held before the run (a cohort read from a file, an earlier run's
// results) does not count against it. Go cannot attribute heap to goroutines,
// so when several runs share a process at once each also counts the others'
// growth: the limit then bounds them together. The CLI runs one at a time.
func WithLimits(parent context.Context, timeout time.Duration, maxBytes uint64) (context.Context, context.CancelFunc) {
	ctx, cancelT := context.WithTimeoutCause(parent, orDefault(timeout),
		fmt.Errorf("the run exceeded its time limit of %v (--timeout)", orDefault(timeout)))
	ctx, cancel := context.WithCancelCause(ctx)
	if maxBytes > 0 {
		runtime.GC() // the baseline is what is live, not garbage awaiting collection
		base := heapBytes()
		ctx = context.WithValue(ctx, budgetKey{}, &memBudget{base: base, max: maxBytes})
		go func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if h := heapBytes(); h > base && h-base > maxBytes {
						cancel(ErrMemoryLimit)
						return
					}
				}
			}
		}()
	}
	return ctx, func() { cancel(nil); cancelT() }
}

// heapBytes is the Go heap's size: live objects and those not yet collected.
func heapBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

func cancelReason(ctx context.Context) string {
	if ctx != nil {
		if c := context.Cause(ctx); c != nil && c != context.Canceled {
			return c.Error()
		}
	}
	return "the run was cancelled"
}
