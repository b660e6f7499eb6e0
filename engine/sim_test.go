package engine

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
)

func TestEventOrderTimePrioritySequence(t *testing.T) {
	s := New(Options{})
	var got []string
	add := func(name string) func() { return func() { got = append(got, name) } }
	s.Schedule(2, add("t2-first"))
	s.Schedule(1, add("t1"))
	s.Schedule(2, add("t2-second"))
	s.ScheduleAction(2, PriorityUrgent, Func(add("t2-urgent")))
	if err := s.Run(math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	want := "t1 t2-urgent t2-first t2-second"
	if strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestRunStopsAtHorizon(t *testing.T) {
	s := New(Options{})
	fired := 0
	var tick func()
	tick = func() { fired++; s.Schedule(1, tick) }
	s.Schedule(0, tick)
	if err := s.Run(10.5); err != nil {
		t.Fatal(err)
	}
	// Ticks at 0,1,...,10: eleven firings; the one at 11 stays queued.
	if fired != 11 || s.Now() != 10.5 || s.Pending() != 1 {
		t.Fatalf("fired %d, now %v, pending %d", fired, s.Now(), s.Pending())
	}
}

func TestBadScheduling(t *testing.T) {
	s := New(Options{})
	s.Schedule(5, func() {})
	s.Run(3)
	for name, err := range map[string]error{
		"negative": s.Schedule(-1, func() {}),
		"nan":      s.Schedule(math.NaN(), func() {}),
		"past":     s.ScheduleAt(2, func() {}),
		"horizon":  s.Run(1),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if s.Pending() != 1 {
		t.Fatalf("bad calls changed the queue: %d pending", s.Pending())
	}
	if err := s.Run(10); err != nil || s.Now() != 10 {
		t.Fatalf("the run should go on after rejected calls: %v at %v", err, s.Now())
	}
}

func TestQueueCap(t *testing.T) {
	s := New(Options{MaxQueue: 100})
	var grow func()
	grow = func() { s.Schedule(1, grow); s.Schedule(1, grow) }
	s.Schedule(0, grow)
	if err := s.Run(math.Inf(1)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("got %v, want ErrQueueFull", err)
	}
}

func TestTimerCancel(t *testing.T) {
	s := New(Options{})
	fired := false
	tm, _ := s.After(5, func() { fired = true })
	s.Schedule(2, func() {
		if !tm.Cancel() {
			t.Error("cancel of a pending timer reported false")
		}
	})
	s.Run(math.Inf(1))
	if fired {
		t.Fatal("cancelled timer fired")
	}
}

func TestWarmupDeletion(t *testing.T) {
	s := New(Options{})
	s.Warmup(10)
	s.Schedule(5, func() { s.Record("x", 100) })
	s.Schedule(15, func() { s.Record("x", 1) })
	s.Schedule(16, func() { s.Record("x", 3) })
	s.Run(20)
	for _, k := range s.Results() {
		if k.Name == "x" && (k.Value != 2 || k.N != 2) {
			t.Fatalf("x = %v over %d observations, want 2 over 2 (the one before warm-up dropped)", k.Value, k.N)
		}
	}
}

func TestGaugeTimeAverage(t *testing.T) {
	s := New(Options{})
	s.Schedule(2, func() { s.SetGauge("beds", 4) })
	s.Schedule(7, func() { s.SetGauge("beds", 1) })
	s.Run(10)
	// 0 on [0,2), 4 on [2,7), 1 on [7,10): (20 + 3) / 10.
	for _, k := range s.Results() {
		if k.Name == "beds" && math.Abs(k.Value-2.3) > 1e-12 {
			t.Fatalf("beds = %v, want 2.3", k.Value)
		}
	}
}

// Events at exactly the horizon do not run, as in SimPy's run(until=T); the
// clock stands at the horizon and a later Run fires them.
func TestRunStopsBeforeHorizonEvents(t *testing.T) {
	s := New(Options{})
	var at []float64
	for _, d := range []float64{5, 10, 15} {
		s.Schedule(d, func() { at = append(at, s.Now()) })
	}
	s.Run(10)
	if len(at) != 1 || at[0] != 5 || s.Now() != 10 {
		t.Fatalf("Run(10) fired events at %v and left the clock at %v; want [5] and 10", at, s.Now())
	}
	s.Run(20)
	if len(at) != 3 || at[1] != 10 || at[2] != 15 {
		t.Fatalf("Run(20) fired events at %v; want [5 10 15]", at)
	}
}

// Samples are taken at 0, dt, 2dt, ... before the horizon: as SimPy's monitoring
// loop (sample; yield timeout(dt)) under run(until=T), no sample at T itself.
func TestSampleEveryStopsBeforeHorizon(t *testing.T) {
	s := New(Options{})
	s.NewResource("bed", 1)
	s.SampleEvery(25, 100)
	s.Run(100)
	var at []float64
	for _, row := range s.Series() {
		if row.Series == "bed.in_use" {
			at = append(at, row.Time)
		}
	}
	if len(at) != 4 || at[0] != 0 || at[3] != 75 {
		t.Fatalf("samples at %v, want [0 25 50 75]", at)
	}
}

// Sim.RNG finds a stream by name with a walk up to streamsLinear of them and
// by a map beyond: each name gives one stream, the same at every call, whose
// draws are those of rng.New for (seed, replication, name) whatever the order
// the streams were asked for in.
func TestRNGStreamsByNameBeyondTheWalk(t *testing.T) {
	s := New(Options{Seed: 7, Replication: 3})
	n := 3*streamsLinear + 1
	got := map[string]*rng.Stream{}
	for i := n - 1; i >= 0; i-- { // asked for in reverse order
		name := fmt.Sprintf("s%d", i)
		got[name] = s.RNG(name)
		for m, st := range got {
			if s.RNG(m) != st {
				t.Fatalf("after %d streams, %s is another stream", n-i, m)
			}
		}
	}
	for i := range n {
		name := fmt.Sprintf("s%d", i)
		ref := rng.New(7, 3, name, 0)
		if a, b := got[name].Float64(), ref.Float64(); a != b {
			t.Errorf("%s draws %v, rng.New's stream %v", name, a, b)
		}
	}
}

// RNGIn makes a new stream in the caller's memory, the same sequence as
// rng.New's for that name, and returns a stream of a name made before as it is
// (not the memory given): one stream per name, however it was asked for.
func TestRNGInMemoryOfCaller(t *testing.T) {
	s := New(Options{Seed: 7, Replication: 3})
	var mem, mem2 rng.Stream
	a := s.RNGIn("arrivals", &mem)
	if a != &mem {
		t.Fatalf("a new stream is not in the memory given")
	}
	if b := s.RNGIn("arrivals", &mem2); b != a {
		t.Errorf("RNGIn of a name made before returned another stream")
	}
	if b := s.RNG("arrivals"); b != a {
		t.Errorf("RNG of a name made by RNGIn returned another stream")
	}
	ref := rng.New(7, 3, "arrivals", 0)
	for i := range 5 {
		if x, y := a.Float64(), ref.Float64(); x != y {
			t.Fatalf("draw %d: %v, rng.New's stream gives %v", i, x, y)
		}
	}
}
