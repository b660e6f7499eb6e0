package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
)

// writeMMcRun writes a traced, sampled M/M/c run with the given workers and
// GOMAXPROCS and returns the directory.
func writeMMcRun(ctx context.Context, workers, procs int) (string, error) {
	dir, err := os.MkdirTemp("", "medtwin-verify-")
	if err != nil {
		return "", err
	}
	old := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(old)
	e := engine.Experiment{Seed: 99, From: 0, To: 6, Workers: workers, Horizon: 20000, Warmup: 500, Trace: true, SampleEvery: 100,
		Build: engine.MMc{C: 4, Lambda: 3.5, Mu: 1}.Build}
	prov := results.Provenance{Version: "verify", Scenario: "mmc", Seed: 99, To: 6, Total: 6}
	rw, err := results.NewRunWriter(dir, prov, true, true)
	if err != nil {
		return "", err
	}
	if err := e.Run(ctx, rw.Add); err != nil {
		rw.Abort()
		return "", err
	}
	_, err = rw.Close()
	return dir, err
}

func sameFiles(a, b string) (bool, string) {
	for name := range results.Tables {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil {
			return false, fmt.Sprint(err1, err2)
		}
		if !bytes.Equal(x, y) {
			return false, name + " differs"
		}
	}
	return true, "events, timeseries, kpis and summary byte-identical"
}

func determinismCheck(name string, a, b [2]int) Check {
	return Check{Suite: "determinism", Name: name, Run: func(ctx context.Context, full bool) Result {
		da, err := writeMMcRun(ctx, a[0], a[1])
		if err != nil {
			return Result{Err: err.Error()}
		}
		defer os.RemoveAll(da)
		db, err := writeMMcRun(ctx, b[0], b[1])
		if err != nil {
			return Result{Err: err.Error()}
		}
		defer os.RemoveAll(db)
		ok, detail := sameFiles(da, db)
		m := 0.0
		if ok {
			m = 1
		}
		return Result{Expected: 1, Measured: m, Tolerance: "identical bytes", Source: "DESIGN.md: same inputs, same bytes", Pass: ok, Detail: detail}
	}}
}

func init() {
	Register(determinismCheck("same seed, same bytes", [2]int{0, 2}, [2]int{0, 2}))
	Register(determinismCheck("1 worker vs all workers", [2]int{1, 2}, [2]int{0, 2}))
	Register(determinismCheck("GOMAXPROCS=1 vs 2", [2]int{0, 1}, [2]int{0, 2}))
}
