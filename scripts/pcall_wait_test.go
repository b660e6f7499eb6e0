package scripts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// TestWaitInsidePcallNamesTheLine: a process cannot be suspended inside pcall
// (gopher-lua cannot yield across it). Before, the wait returned through the
// pcall as if the protected function had ended, the body ran on without
// waiting, and the run failed at the next wait or at the body's end with
// "medtwin-prelude:17: can not yield from outside of a coroutine", naming
// neither the script's line nor the cause. Now the run stops at the wait,
// named, even when the script ignores pcall's result.
func TestWaitInsidePcallNamesTheLine(t *testing.T) {
	for name, body := range map[string]string{
		"pcall":  `local ok = pcall(function() proc:timeout(1) end)`,
		"xpcall": `local ok = xpcall(function() proc:timeout(1) end, function(e) return e end)`,
		"nested": `local ok = pcall(function() local q = proc:request(r); proc:release(q); pcall(function() proc:timeout(1) end) end)`,
	} {
		src := `return scenario {
  name = "pcall_wait", replications = 1, horizon = 10,
  build = function(sim, p)
    local r = sim:resource("r", 1)
    sim:process(function(proc)
      proc:timeout(1)
      ` + body + `
      sim:record("after", proc:now())
    end)
  end,
}
`
		sc, err := LoadSource("pcall_wait.lua", []byte(src), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		err = sc.Experiment(ctx, 0, 1).Run(ctx, func(engine.RepResult) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "pcall_wait.lua:7:") || !strings.Contains(err.Error(), "cannot wait inside pcall") {
			t.Errorf("%s: got %v, want an error at pcall_wait.lua:7 about waiting inside pcall", name, err)
		}
	}
}
