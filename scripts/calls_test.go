package scripts

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestKPIByNameCachedPerString: sim:record and sim:count find a KPI by the
// address of its name (host.kpi's cache); the same name written as a constant
// and built at run time is one KPI, a name reused with another kind is still
// refused, and two names in one cache slot do not mix. Expected values are
// the sums of the values recorded, worked out by hand.
func TestKPIByNameCachedPerString(t *testing.T) {
	sc, err := Load(write(t, "k.lua", wrapBuild(`
    for i = 1, 3 do
      sim:record("w", i)                -- a constant
      sim:record("w" .. "", 10 * i)     -- the same name, built
      sim:count("n")
      sim:count("n" .. string.rep("x", 0), 2)
    end
    for i = 1, 40 do sim:count("c" .. (i % 20)) end  -- more names than slots
`)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := kpi(res[0], "w")
	if w.N != 6 || w.Value != (1+2+3+10+20+30)/6.0 {
		t.Errorf("w: n %d mean %v, want 6 and %v", w.N, w.Value, 66/6.0)
	}
	if n, _ := kpi(res[0], "n"); n.Value != 9 {
		t.Errorf("n = %v, want 3 + 3*2 = 9", n.Value)
	}
	for i := 0; i < 20; i++ {
		name := "c" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		if i < 10 {
			name = "c" + string(rune('0'+i))
		}
		if c, ok := kpi(res[0], name); !ok || c.Value != 2 {
			t.Errorf("%s = %v (found %v), want 2", name, c.Value, ok)
		}
	}

	sc, err = Load(write(t, "kind.lua", wrapBuild(`
    sim:record("w", 1)
    sim:record("w", 2)
    sim:count("w")
`)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runAll(t, sc, time.Minute, 0); err == nil || !strings.Contains(err.Error(), `"w" is a`) {
		t.Errorf("a tally counted: err %v, want the KPI's kind named", err)
	}
}

// TestLuaProcessAllocations bounds the heap allocations per customer of
// scenarios/mmc.lua in Lua processes. What a customer needs: its process (one
// allocation with its userdata and waiter), its request (one, with its
// userdata), gopher-lua's result slice per resume (3), and boxed numbers (the
// arrival number, two exponential draws, the time once per instant). 15.5
// before the process and request were allocated whole; 9.5 after. Since then
// the result slices went (ResumeDiscard), numbers are boxed in blocks of 32,
// and the process with its request is one allocation (1.25 per customer);
// processes now come in slabs of 8 (0.46).
func TestLuaProcessAllocations(t *testing.T) {
	if _, err := MMcThroughput("../scenarios/mmc.lua", 2000); err != nil {
		t.Fatal(err)
	}
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	const n = 50_000
	if _, err := MMcThroughput("../scenarios/mmc.lua", n); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&b)
	per := float64(b.Mallocs-a.Mallocs) / n
	t.Logf("%.2f allocations per customer", per)
	if per > 0.75 {
		t.Errorf("%.2f allocations per customer, want at most 0.75", per)
	}
}
