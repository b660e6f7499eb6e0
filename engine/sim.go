package engine

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
)

// Event priorities: at equal times, lower values fire first. Resource grants and
// roster changes use PriorityUrgent so that they take effect before ordinary
// events scheduled for the same instant (as SimPy's URGENT).
const (
	PriorityUrgent = -1
	PriorityNormal = 0
)

// Options configure one replication of a simulation.
type Options struct {
	// Seed and Replication name the random streams: every stream is derived from
	// (Seed, Replication, name, id).
	Seed        uint64
	Replication int
	// MaxQueue caps the number of pending events; 0 means 50 million. A model that
	// schedules more stops with ErrQueueFull instead of exhausting memory.
	MaxQueue int
	// Trace records resource events (arrive, grant, release, renege, balk, block, preempt)
	// in the event log.
	Trace bool
	// Context, when set, stops Run (with the context's cause) within
	// stopCheckEvery events of its end, whatever the events are: a model whose
	// events are all Go code honours a time limit, a memory watchdog or a signal.
	Context context.Context
}

// stopCheckEvery is how often (in events, a power of two) Run looks at
// Options.Context: about every 10 µs at a million events per second, and cheap
// enough not to show in BenchmarkMMc.
const stopCheckEvery = 1024

// ErrQueueFull is returned by Run when the event queue exceeds Options.MaxQueue.
var ErrQueueFull = errors.New("engine: the event queue is full (its limit is medtwin's --max-queue, default 50 million pending events); the model schedules events faster than it consumes them")

// Sim is one replication of a discrete-event simulation. It is not safe for
// concurrent use: replications run in parallel, each on its own Sim.
type Sim struct {
	now      float64
	q        queue
	seq      uint64
	firing   uint64 // key of the event being fired
	fired    uint64 // events fired so far
	maxQueue int
	err      error
	running  bool
	done     <-chan struct{} // Options.Context.Done(), nil when none

	opts       Options
	streams    map[string]*rng.Stream // by name, beyond streamsLinear of them
	streamList []namedStream          // up to streamsLinear

	active  *Proc               // process whose coroutine is running, nil in kernel context
	pending map[*Waiter][]error // interrupts kept for the next wait of a process that was running
	pool    []*worker           // parked coroutines ready to run a new process body
	workers []*worker           // every coroutine made, to stop them at the end
	nextID  uint64
	live    int // processes started and not finished

	kpis       []*KPI
	kpiByName  map[string]*KPI // made beyond kpiLinear KPIs
	kpiMem     []KPI           // the block new KPIs are taken from (newKPI)
	resources  []*Resource
	levels     []*stats.TimeWeighted // store and container levels
	warmup     float64
	statsFrom  float64 // when statistics started: 0, or the end of warm-up
	log        []EventRow
	series     []SeriesRow
	flow       []FlowRow
	waits      []WaitRow
	onFinalize []func()
	onClose    []func()
}

// New returns an empty simulation at time 0.
func New(o Options) *Sim {
	if o.MaxQueue <= 0 {
		o.MaxQueue = 50_000_000
	}
	s := &Sim{opts: o, maxQueue: o.MaxQueue} // streams and kpiByName are made on first use: an empty map costs an allocation
	if o.Context != nil {
		s.done = o.Context.Done()
	}
	return s
}

// Now returns the current simulation time in seconds.
func (s *Sim) Now() float64 { return s.now }

// Seed returns the seed of the run.
func (s *Sim) Seed() uint64 { return s.opts.Seed }

// Replication returns the replication index of this Sim.
func (s *Sim) Replication() int { return s.opts.Replication }

// StatsFrom returns the time statistics started: 0, or the end of warm-up once
// it has passed.
func (s *Sim) StatsFrom() float64 { return s.statsFrom }

// Fired returns the number of events fired so far (for events/s figures).
func (s *Sim) Fired() uint64 { return s.fired }

// Pending returns the number of events waiting in the queue.
func (s *Sim) Pending() int { return s.q.len() }

// RNG returns the named random stream of this replication, creating it on first
// use. Streams are independent of one another and of the order they are created
// in (common random numbers across variants).
func (s *Sim) RNG(name string) *rng.Stream { return s.RNGIn(name, nil) }

// RNGIn is RNG with the memory of a new stream given by the caller (nil: RNG
// allocates it): a stream of name made before is returned as it is, and
// otherwise *mem becomes the new stream (a Lua host keeps the stream and its
// userdata in one allocation). Compare the result with mem to tell which.
func (s *Sim) RNGIn(name string, mem *rng.Stream) *rng.Stream {
	if s.streams != nil {
		if st, ok := s.streams[name]; ok {
			return st
		}
	} else {
		for _, n := range s.streamList {
			if n.name == name {
				return n.st
			}
		}
	}
	st := mem
	if st == nil {
		st = new(rng.Stream)
	}
	st.Init(s.opts.Seed, s.opts.Replication, name, 0) // rng.New in st
	switch {
	case s.streams != nil:
		s.streams[name] = st
	case len(s.streamList) < streamsLinear:
		if s.streamList == nil {
			s.streamList = make([]namedStream, 0, streamsLinear)
		}
		s.streamList = append(s.streamList, namedStream{name, st})
	default:
		s.streams = make(map[string]*rng.Stream, 2*streamsLinear)
		for _, n := range s.streamList {
			s.streams[n.name] = n.st
		}
		s.streams[name] = st
		s.streamList = nil
	}
	return st
}

// streamsLinear is how many streams a Sim finds by name with a walk along a
// list; one with more makes a map (most models have a few streams, and a map
// cost more than the walks).
const streamsLinear = 8

// namedStream is a stream of Sim.RNG with its name.
type namedStream struct {
	name string
	st   *rng.Stream
}

// EntityRNG returns a fresh stream for (name, id), e.g. one per patient, so that
// an entity's own draws do not depend on what other entities drew.
func (s *Sim) EntityRNG(name string, id uint64) *rng.Stream {
	return rng.New(s.opts.Seed, s.opts.Replication, name, id)
}

// InitEntityRNG makes *st the stream EntityRNG(name, id) returns, in memory the
// caller owns (an entity's record).
func (s *Sim) InitEntityRNG(st *rng.Stream, name string, id uint64) {
	st.Init(s.opts.Seed, s.opts.Replication, name, id)
}

func checkDelay(call string, dt float64) error {
	if dt >= 0 { // small enough to inline: the error paths are in delayError
		return nil
	}
	return delayError(call, dt)
}

func delayError(call string, dt float64) error {
	if math.IsNaN(dt) {
		return fmt.Errorf("engine: %s: delay is NaN", call)
	}
	if dt < 0 {
		return fmt.Errorf("engine: %s: negative delay %g s (an event cannot be scheduled in the past)", call, dt)
	}
	return nil // unreachable: dt >= 0 is not NaN nor negative
}

// push queues a at time t with priority prio and returns its key. The caller has
// validated t. An event at +Inf is never reached and is not queued, and one
// refused by a full queue is not either: push returns 0 for both (no event
// fires with key 0).
func (s *Sim) push(t float64, prio int, a Action) uint64 {
	if math.IsInf(t, 1) {
		return 0
	}
	s.seq++
	if prio < -32768 {
		prio = -32768
	} else if prio > 32767 {
		prio = 32767
	}
	key := uint64(prio+32768)<<seqBits | s.seq
	if s.q.len() >= s.maxQueue {
		// the run fails at the end of this event; queueing no more keeps a
		// model that schedules millions of events in one event bounded
		if s.err == nil {
			s.err = ErrQueueFull
		}
		return 0
	}
	// in its lane if it is at the lanes' time with a lane's priority, else in
	// the heap: into the hole a pop left, or at the end (written here, not in
	// queue methods, so that each is one call less)
	q := &s.q
	switch e := (entry{t: t, key: key, act: a}); {
	case t == q.at && q.toLane(e):
	case q.hole:
		q.hole = false
		q.siftDown(0, e)
	default:
		q.a = append(q.a, e)
		q.siftUp(len(q.a)-1, e)
	}
	return key
}

// Schedule runs fn after dt seconds. It returns an error for a negative or NaN
// delay and leaves the queue unchanged. When the queue holds MaxQueue events
// it returns ErrQueueFull (and the run fails at the end of this event), so
// that a loop scheduling millions of events stops at the first one refused.
func (s *Sim) Schedule(dt float64, fn func()) error {
	if err := checkDelay("Schedule", dt); err != nil {
		return err
	}
	if fn == nil {
		panic("engine: Schedule: nil callback")
	}
	return s.pushFunc(s.now+dt, fn)
}

// pushFunc queues fn at t and says whether the queue was full.
func (s *Sim) pushFunc(t float64, fn func()) error {
	if s.push(t, PriorityNormal, Func(fn)) == 0 && s.err == ErrQueueFull {
		return ErrQueueFull
	}
	return nil
}

// ScheduleAt runs fn at absolute time t (seconds), which must not be in the
// past. Like Schedule it returns ErrQueueFull when the queue is full.
func (s *Sim) ScheduleAt(t float64, fn func()) error {
	if math.IsNaN(t) || t < s.now {
		return fmt.Errorf("engine: ScheduleAt: time %g s is before now (%g s)", t, s.now)
	}
	if fn == nil {
		panic("engine: ScheduleAt: nil callback")
	}
	return s.pushFunc(t, fn)
}

// ScheduleAction fires a after dt seconds with the given priority (lower first at
// equal times). It returns the event's key (0 if a full queue refused it: the
// run then fails), which the action can compare with FiringKey to tell a
// current wake-up from a superseded one.
func (s *Sim) ScheduleAction(dt float64, prio int, a Action) (uint64, error) {
	if err := checkDelay("ScheduleAction", dt); err != nil {
		return 0, err
	}
	if a == nil {
		panic("engine: ScheduleAction: nil action")
	}
	return s.push(s.now+dt, prio, a), nil
}

// FiringKey returns the key of the event being fired (0 outside an event).
func (s *Sim) FiringKey() uint64 { return s.firing }

// Fail stops the run at the end of the current event; Run returns err.
func (s *Sim) Fail(err error) {
	if s.err == nil && err != nil {
		s.err = err
	}
}

// Run fires events in order until the queue is empty or the next event is at or
// after until; the clock then stands at until (if finite). Events scheduled for
// exactly until do not run (SimPy's run(until=T)); a later Run fires them. It
// returns the first error a model reported with Fail, or ErrQueueFull.
func (s *Sim) Run(until float64) error {
	if math.IsNaN(until) || until < s.now {
		return fmt.Errorf("engine: Run: horizon %g s is before now (%g s)", until, s.now)
	}
	if s.running {
		panic("engine: Run: called from inside a running simulation")
	}
	s.running = true
	defer func() { s.running = false; s.firing = 0 }()
	for s.err == nil {
		e, ok := s.q.next(until)
		if !ok {
			break
		}
		s.now = e.t
		s.firing = e.key
		s.fired++
		e.act.Fire()
		if s.fired&(stopCheckEvery-1) == 0 && s.done != nil {
			s.checkStop()
		}
	}
	if s.err != nil {
		return s.err
	}
	if !math.IsInf(until, 1) {
		s.now = until
	}
	return nil
}

// checkStop fails the run when Options.Context has ended.
func (s *Sim) checkStop() {
	select {
	case <-s.done:
		s.Fail(fmt.Errorf("stopped: %w", context.Cause(s.opts.Context)))
	default:
	}
}

// Warmup discards statistics collected before time t (warm-up period deletion):
// at t every KPI, resource statistic and store or container level average
// restarts (time-weighted averages then cover [t, now]).
func (s *Sim) Warmup(t float64) error {
	if math.IsNaN(t) || t < s.now {
		return fmt.Errorf("engine: Warmup: time %g s is before now (%g s)", t, s.now)
	}
	s.warmup = t
	if t == 0 {
		return nil
	}
	s.push(t, PriorityUrgent, Func(s.resetStats))
	return nil
}

func (s *Sim) resetStats() {
	s.statsFrom = s.now
	for _, k := range s.kpis {
		k.reset(s.now)
	}
	for _, r := range s.resources {
		r.resetStats()
	}
	for _, l := range s.levels {
		l.Reset(s.now)
	}
}

// OnFinalize registers fn to run when the replication's KPIs are collected, after
// the last event: models use it to report entities still in the system.
func (s *Sim) OnFinalize(fn func()) { s.onFinalize = append(s.onFinalize, fn) }

// OnClose registers fn to run when the Sim is closed (to free what a model
// holds, such as a Lua state).
func (s *Sim) OnClose(fn func()) { s.onClose = append(s.onClose, fn) }

// Close stops every parked or waiting process coroutine and runs the OnClose
// functions. Results must be collected (Results) before Close; a Sim is not
// usable afterwards.
func (s *Sim) Close() {
	// a parked coroutine (in s.pool, between bodies) is kept for other
	// simulations, and so is one whose body still waits, once it is unwound
	for _, w := range s.workers {
		if w.proc != nil && w.unwind() {
			s.pool = append(s.pool, w)
		}
	}
	idle.put(s.pool)
	s.workers, s.pool = nil, nil
	for _, f := range s.onClose {
		f()
	}
	s.onClose = nil
}

// AddLive changes the count of entities in the system by d, for process
// implementations outside the engine (Lua processes).
func (s *Sim) AddLive(d int) { s.live += d }

// Live returns the number of processes started that have not finished: entities
// still in the system.
func (s *Sim) Live() int { return s.live }

// Stats exposes the stats package types for models that collect their own.
type (
	// Tally is an alias of stats.Tally.
	Tally = stats.Tally
	// TimeWeighted is an alias of stats.TimeWeighted.
	TimeWeighted = stats.TimeWeighted
)
