// Package par runs the indices of a range on several goroutines.
package par

import (
	"runtime"
	"sync"
)

// Strided calls fn(w, i) for every i in [0, n) on `workers` goroutines
// (<= 0: GOMAXPROCS; never more than n), worker w taking i = w, w+workers,
// w+2·workers, ..., and returns when all calls have returned. The assignment
// of indices to workers is fixed, so per-worker accumulators see the same
// indices from run to run; fn must write only what index i or worker w owns.
func Strided(n, workers int, fn func(w, i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
}
