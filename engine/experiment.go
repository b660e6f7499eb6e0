package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/medtwin/medtwin/engine/stats"
)

// Experiment runs replications of a model. Each replication gets a fresh Sim
// whose random streams are derived from (Seed, replication index, name), so a
// replication's result depends on nothing but its index: not on the number of
// workers, not on GOMAXPROCS, not on how the replications were split into shards.
type Experiment struct {
	Seed uint64
	// Replications to run: indices From (inclusive) to To (exclusive). To == 0
	// means From+1.
	From, To int
	// Horizon ends each replication (seconds); +Inf runs until no event is left.
	Horizon float64
	// Warmup discards statistics before this time (seconds).
	Warmup float64
	// Workers is the number of replications run at once; 0 means GOMAXPROCS.
	Workers int
	// Trace logs resource events; SampleEvery (> 0) samples time series.
	Trace       bool
	SampleEvery float64
	// MaxQueue caps the event queue (see Options).
	MaxQueue int
	// Build puts the model into a new Sim.
	Build func(s *Sim) error
}

// RepResult is everything one replication produced.
type RepResult struct {
	Replication int
	KPIs        []KPIValue
	Events      []EventRow
	Series      []SeriesRow
	Flow        []FlowRow // one row per entity that left (flow.arrow)
	Waits       []WaitRow // one row per request of a tracked entity (waits.arrow)
	// EndTime is the simulation time at which the replication stopped.
	EndTime float64
}

// Range returns the replication indices [From, To).
func (e Experiment) Range() (int, int) {
	to := e.To
	if to == 0 {
		to = e.From + 1
	}
	return e.From, to
}

// RunOne runs replication rep and returns its result.
func (e Experiment) RunOne(rep int) (res RepResult, err error) {
	return e.runOne(context.Background(), rep)
}

// runOne runs replication rep; the end of ctx stops it between events.
func (e Experiment) runOne(ctx context.Context, rep int) (res RepResult, err error) {
	if e.Build == nil {
		return res, fmt.Errorf("engine: Experiment has no Build function")
	}
	s := New(Options{Seed: e.Seed, Replication: rep, Trace: e.Trace, MaxQueue: e.MaxQueue, Context: ctx})
	defer s.Close()
	if e.Warmup > 0 {
		if err := s.Warmup(e.Warmup); err != nil {
			return res, err
		}
	}
	horizon := e.Horizon
	if horizon == 0 {
		horizon = math.Inf(1)
	}
	if e.SampleEvery > 0 {
		if err := s.SampleEvery(e.SampleEvery, horizon); err != nil {
			return res, err
		}
	}
	if err := e.Build(s); err != nil {
		return res, fmt.Errorf("replication %d: %w", rep, err)
	}
	if err := s.Run(horizon); err != nil {
		return res, fmt.Errorf("replication %d at t=%g s: %w", rep, s.Now(), err)
	}
	kpis := s.Results() // runs the finalizers, which may still log and record flow
	return RepResult{Replication: rep, KPIs: kpis, Events: s.log, Series: s.series, Flow: s.flow, Waits: s.waits, EndTime: s.Now()}, nil
}

// Run runs the replications on Workers goroutines and calls emit with each
// result in replication order, one call at a time: the worker that finishes
// the next result to emit emits it, and any that follow it and are ready
// (the calling goroutine only waits, so that no goroutine has to be woken
// per replication: that hand-off cost about a tenth of the CPU of a run of
// small replications). At most about two results per worker wait in memory
// for their turn. The first error (from a replication or from emit) stops the
// run; replications in flight finish first.
func (e Experiment) Run(ctx context.Context, emit func(RepResult) error) error {
	from, to := e.Range()
	if to <= from {
		return fmt.Errorf("engine: Experiment: empty replication range [%d, %d)", from, to)
	}
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > to-from {
		workers = to - from
	}
	window := 2 * workers

	type done struct {
		res RepResult
		err error
	}
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu) // workers waiting for the window
		waiting  int                 // how many
		ready    = map[int]done{}
		next     = from // next replication to hand out
		emitted  = from // next replication to emit
		emitting bool   // a worker is emitting
		stop     bool
		firstErr error
		panicked any // what emit panicked with: raised again on the calling goroutine
		wg       sync.WaitGroup
	)
	// drain emits the ready results in order; mu is held, and released
	// while emit runs.
	drain := func() {
		emitting = true
		for !stop {
			d, ok := ready[emitted]
			if !ok {
				break
			}
			delete(ready, emitted)
			mu.Unlock()
			err := d.err
			if err == nil {
				err = emitSafely(emit, d.res, &panicked)
			}
			mu.Lock()
			if err != nil {
				firstErr, stop = err, true
				cond.Broadcast()
				break
			}
			emitted++
			if waiting > 0 {
				cond.Broadcast()
			}
		}
		emitting = false
	}
	work := func() {
		defer wg.Done()
		mu.Lock()
		defer mu.Unlock()
		for {
			for !stop && next < to && next >= emitted+window {
				waiting++
				cond.Wait()
				waiting--
			}
			if stop || next >= to {
				return
			}
			rep := next
			next++
			mu.Unlock()
			var d done
			if ctx.Err() != nil {
				d.err = ctx.Err()
			} else {
				d.res, d.err = e.runProtected(ctx, rep)
			}
			mu.Lock()
			ready[rep] = d
			if !emitting {
				drain()
			}
		}
	}
	wg.Add(workers)
	for i := 0; i < workers; i++ {
		go work()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	return firstErr
}

// errEmitPanicked stops a run whose emit panicked (Run then panics with the
// same value on the calling goroutine, where emit used to run).
var errEmitPanicked = errors.New("engine: emit panicked")

// emitSafely calls emit, turning a panic into errEmitPanicked and keeping
// its value in *panicked.
func emitSafely(emit func(RepResult) error, r RepResult, panicked *any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			*panicked, err = p, errEmitPanicked
		}
	}()
	return emit(r)
}

// runProtected turns a panic in model code into an error naming the replication,
// so one bad replication does not take down the process with half-written files.
func (e Experiment) runProtected(ctx context.Context, rep int) (res RepResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("replication %d: model panicked: %v", rep, r)
		}
	}()
	return e.runOne(ctx, rep)
}

// KPISummary is one KPI summarised across replications.
type KPISummary struct {
	Name string
	Kind KPIKind
	stats.Summary
}

// Summaries summarises every KPI across the given replications (95% Student-t
// intervals), in the order the KPIs first appear. A counter missing from a
// replication counts 0 there (CompleteCounters).
func Summaries(reps []RepResult, level float64) []KPISummary {
	reps = CompleteCounters(reps)
	var order []string
	kinds := map[string]KPIKind{}
	index := map[string]int{} // into order and vals
	var vals [][]float64
	// replications mostly report their KPIs in the same order: at position j
	// the KPI of the previous replication's position j is tried first
	var last []int
	for _, r := range reps {
		for j, k := range r.KPIs {
			i := -1
			if j < len(last) && order[last[j]] == k.Name {
				i = last[j]
			} else if x, ok := index[k.Name]; ok {
				i = x
			} else {
				i = len(order)
				index[k.Name] = i
				order = append(order, k.Name)
				kinds[k.Name] = k.Kind
				vals = append(vals, make([]float64, 0, len(reps))) // nearly every KPI is in every replication
			}
			if j < len(last) {
				last[j] = i
			} else {
				last = append(last, i)
			}
			vals[i] = append(vals[i], k.Value)
		}
	}
	out := make([]KPISummary, len(order))
	for i, n := range order {
		out[i] = KPISummary{Name: n, Kind: kinds[n], Summary: stats.Summarize(vals[i], level)}
	}
	return out
}
