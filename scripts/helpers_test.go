package scripts

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// write puts a scenario file into a temporary directory and returns its path.
func write(t *testing.T, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runAll runs every replication of sc and returns the results in order.
func runAll(t *testing.T, sc *Scenario, timeout time.Duration, maxMem uint64) ([]engine.RepResult, error) {
	t.Helper()
	ctx, cancel := WithLimits(context.Background(), timeout, maxMem)
	defer cancel()
	var out []engine.RepResult
	err := sc.Experiment(ctx, 0, sc.Replications).Run(ctx, func(r engine.RepResult) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func kpi(res engine.RepResult, name string) (engine.KPIValue, bool) {
	for _, k := range res.KPIs {
		if k.Name == name {
			return k, true
		}
	}
	return engine.KPIValue{}, false
}

// wrapBuild makes a scenario whose build function body is body.
func wrapBuild(body string) string {
	return `return scenario {
  name = "t", replications = 1, horizon = 100,
  build = function(sim, p)
` + body + `
  end,
}
`
}
