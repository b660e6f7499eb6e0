package par

import (
	"sync/atomic"
	"testing"
)

// Every index runs exactly once, on the worker i mod workers, for worker
// counts below, at and above n, and for n = 0.
func TestStridedCoversEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		for _, workers := range []int{0, 1, 3, 7, 200} {
			hits := make([]int32, n)
			owner := make([]int, n)
			Strided(n, workers, func(w, i int) {
				atomic.AddInt32(&hits[i], 1)
				owner[i] = w
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n %d workers %d: index %d ran %d times", n, workers, i, h)
				}
				if workers > 0 && owner[i] != i%min(workers, n) {
					t.Fatalf("n %d workers %d: index %d on worker %d", n, workers, i, owner[i])
				}
			}
		}
	}
}
