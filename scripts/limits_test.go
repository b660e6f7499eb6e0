package scripts

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
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

// One library call that builds a large string in a single step (table.concat
// of many references to one string, string.rep, string.gsub with each kind of
// replacement, string.format over many arguments) is checked against
// --max-memory before it allocates: the run stops with an error naming the
// flag, having allocated less than its limit in all (runtime.MemStats'
// TotalAlloc, which counts every allocation, collected or not). Before, the
// watchdog, which looks every 50 ms between Lua instructions, saw such a
// result only once it was built: table.concat reached 8.5 times the limit
// (issue 18, Low 8). Each case would build 64 to 320 MiB under a 48 MiB limit.
func TestLargeAllocationsMetered(t *testing.T) {
	const limit = 48 << 20
	for name, body := range map[string]string{
		"table.concat": `local s = string.rep("a", 8 * 2^20); local t = {}
			for i = 1, 40 do t[i] = s end
			local big = table.concat(t)`,
		"string.rep":          `local big = string.rep("a", 60 * 2^20)`,
		"gsub string":         `local big = string.rep("a", 8):gsub("a", string.rep("b", 2^23))`,
		"gsub function":       `local r = string.rep("b", 2^23); local big = string.rep("a", 8):gsub("a", function() return r end)`,
		"gsub table":          `local big = string.rep("a", 8):gsub("a", {a = string.rep("b", 2^23)})`,
		"gsub capture escape": `local big = string.rep("a", 2^18):gsub("(a+)", string.rep("%1", 300))`,
		"string.format": `local s = string.rep("a", 2^20); local t = {}
			for i = 1, 100 do t[i] = s end
			local big = string.format(string.rep("%s", 100), unpack(t))`,
	} {
		sc, err := Load(write(t, "big.lua", wrapBuild(body)), time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = runAll(t, sc, time.Minute, limit)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "--max-memory") {
			t.Errorf("%s: %v, want the memory limit", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > limit {
			t.Errorf("%s: the run allocated %d MiB under a %d MiB limit", name, n>>20, limit>>20)
		}
	}
}

// A Lua loop that schedules two million events stops at the first one the
// full queue refuses, with an error naming the line and --max-queue; before,
// the loop ran to its end and the run failed only after it (issue 18, Low 8).
func TestScheduleLoopStopsAtMaxQueue(t *testing.T) {
	sc, err := Load(write(t, "q.lua", wrapBuild(`for i = 1, 2000000 do sim:schedule(1, function() end) end`)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	e := sc.Experiment(context.Background(), 0, 1)
	e.MaxQueue = 1000
	err = e.Run(context.Background(), func(engine.RepResult) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "--max-queue") || !strings.Contains(err.Error(), "q.lua:4:") {
		t.Fatalf("got %v, want the queue limit raised at q.lua:4", err)
	}
}
