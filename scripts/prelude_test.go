package scripts

import (
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// Issue 17 item 1: a process started on a pooled Lua thread gets its own
// arguments, not those of the thread's first process. Processes started at
// t=0 with 1, 2, 3 finish at once and return their threads to the pool; those
// started at t=5 with 4, 5, 6 run on the reused threads. sim:source numbers
// its arrivals 1, 2, 3, ... on reused threads too.
func TestPooledThreadsGetTheirOwnArguments(t *testing.T) {
	src := wrapBuild(`
    local function body(proc, x) sim:set("arg" .. x, x) end
    for i = 1, 3 do sim:process(body, i) end
    sim:schedule(5, function() for i = 4, 6 do sim:process(body, i) end end)
    sim:source("src", function() return 10 end,
      function(proc, n) sim:set("n" .. n, n); sim:count("arrivals") end, { limit = 4 })`)
	res := runLua(t, "pool.lua", src)
	for _, name := range []string{"arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "n1", "n2", "n3", "n4"} {
		k, ok := kpi(res[0], name)
		if !ok || k.Value != float64(name[len(name)-1]-'0') {
			t.Errorf("%s: found %v, value %v; want the process's own argument %c", name, ok, k.Value, name[len(name)-1])
		}
	}
	if k, _ := kpi(res[0], "arrivals"); k.Value != 4 {
		t.Errorf("arrivals = %v, want 4", k.Value)
	}
}

// runLua runs every replication of the scenario src (written to a file name)
// and fails the test on any error.
func runLua(t *testing.T, name, src string) []engine.RepResult {
	t.Helper()
	sc, err := Load(write(t, name, src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
