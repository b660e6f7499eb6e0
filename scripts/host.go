package scripts

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"unsafe"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
	lua "github.com/yuin/gopher-lua"
)

// host binds one replication's Sim to its Lua state.
type host struct {
	L        *lua.LState
	sim      *engine.Sim
	sc       *Scenario
	simUD    *lua.LUserData
	types    map[string]*lua.LTable // metatables by type name
	workerFn *lua.LFunction
	threads  *[]*lua.LState // idle worker threads, kept by hostTypes
	ht       *hostTypes
	holding  []*luaProc // processes holding a thread (suspended), see reclaimThreads
	err      error
	empirics map[empiricalKey]*empirical
	procs    uint64
	starting string   // with auto_flow: the source of the process being started
	running  *luaProc // the process whose thread runs now (nil: the main state)
	// with auto_flow: the entities of sources whose process has not ended, by
	// process id (the in_system rows at the end)
	inSystem map[uint64]*entityFlow
	waitRows []engine.WaitRow // scratch for an entity's waits.arrow rows
	condFree []*condWait      // the waits of proc:any_of/all_of done with (see condWait)
	// the simulation time nowBox holds, boxed as a Lua value (see now)
	nowAt  float64
	nowBox lua.LValue
	// the KPIs last used by name (see kpi), and the metatables wrap uses most
	kpiCache          [16]kpiSlot
	procMT, requestMT *lua.LTable
}

// now returns the simulation time as a Lua value. A process reads it several
// times at one instant (on waking, and after a wait granted at once), and
// boxing the number allocates: the box of the last instant is kept.
func (h *host) now() lua.LValue {
	if h.sim.Now() == h.nowAt && h.nowBox != nil { // inlined
		return h.nowBox
	}
	return h.newNow()
}

// newNow boxes the time of a new instant for now.
func (h *host) newNow() lua.LValue {
	h.nowAt = h.sim.Now()
	h.nowBox = h.L.NumberValue(lua.LNumber(h.nowAt))
	return h.nowBox
}

// hostTypes are the metatables of the userdata types of one Lua state, made
// once and shared by the hosts of the replications that reuse the state: their
// methods reach the host of the replication running now through cur. Each
// metatable has a __metatable field, so that getmetatable cannot reach (and a
// script cannot change) them: they are the same in every replication.
//
// The idle worker threads are kept here too, so that a replication reuses the
// threads of the ones before it instead of making new ones (a new thread is a
// new registry and call stack). A parked thread holds nothing of a
// replication: it waits in the prelude's worker loop for its next body's
// function, proc and argument, which replace the last ones.
type hostTypes struct {
	cur     *host
	types   map[string]*lua.LTable // metatables by type name
	threads []*lua.LState          // idle worker threads
	fresh   []*lua.LState          // threads reset to not started (resetThread)
	// spare is the host of the last replication bound, which the next one
	// reuses (see bind); workerFn is the prelude's worker loop
	spare    *host
	workerFn *lua.LFunction
	// the metatables bind and wrap use most, looked up once
	simMT, procMT, requestMT, rngMT, resourceMT, eventMT *lua.LTable
	// the rest of the slab newProc takes the next process from (zeroed
	// memory), kept across replications: a slab per replication cost a
	// replication of a dozen processes 20% more bytes. The processes of
	// the replication before that share its slab stay reachable (with what
	// they refer to) until the slab's last process ends, at most 7
	// processes later.
	procMem []luaProc
}

func newHostTypes(L *lua.LState) *hostTypes {
	ht := &hostTypes{types: map[string]*lua.LTable{}}
	ht.define(L, "sim", simMethods)
	ht.define(L, "proc", procMethods)
	ht.define(L, "resource", resourceMethods)
	ht.define(L, "request", requestMethods)
	ht.define(L, "rng", rngMethods)
	ht.define(L, "event", eventMethods)
	ht.define(L, "store", storeMethods)
	ht.define(L, "container", containerMethods)
	ht.define(L, "patient", patientMethods)
	// proc:use is written in Lua (see the prelude)
	ht.types["proc"].RawGetString("__index").(*lua.LTable).RawSetString("use", hook(L, "__medtwin_use"))
	ht.simMT, ht.procMT, ht.requestMT = ht.types["sim"], ht.types["proc"], ht.types["request"]
	ht.rngMT, ht.resourceMT, ht.eventMT = ht.types["rng"], ht.types["resource"], ht.types["event"]
	return ht
}

// bind makes the host of a replication that runs s in L. The replications
// that reuse a Lua state (see luaWorker) one after another reuse its host too:
// the struct, the sim userdata and the memory of its maps and scratch slice,
// but every field is set anew, as a new host has it (the maps emptied), so
// that nothing of the replication before is seen: only allocations are saved.
// The host is reused once the replication it was bound for is closed (the
// worker then takes the next), and nothing of a closed replication runs again.
func (ht *hostTypes) bind(L *lua.LState, s *engine.Sim, sc *Scenario) *host {
	h := ht.spare
	if h == nil {
		h = &host{simUD: new(lua.LUserData), empirics: map[empiricalKey]*empirical{}}
		ht.spare = h
		ht.workerFn = hook(L, "__medtwin_worker")
	}
	ud, empirics, inSystem, waitRows, holding, condFree := h.simUD, h.empirics, h.inSystem, h.waitRows[:0], h.holding[:0], h.condFree
	clear(empirics)
	clear(inSystem)
	*h = host{L: L, sim: s, sc: sc, types: ht.types, threads: &ht.threads, ht: ht, empirics: empirics, waitRows: waitRows, holding: holding, condFree: condFree}
	h.procMT, h.requestMT = ht.procMT, ht.requestMT
	h.workerFn = ht.workerFn
	ht.cur = h
	h.simUD = h.wrapIn(ud, "sim", h)
	if sc.AutoFlow {
		if inSystem == nil {
			inSystem = map[uint64]*entityFlow{}
		}
		h.inSystem = inSystem
		s.OnFinalize(h.flowInSystem)
	}
	return h
}

// method is a Lua method implemented in Go; it receives the host.
type method func(h *host, L *lua.LState) int

// define makes the metatable for a userdata type: __index is the method
// table, and a missing method is an error that suggests the nearest name.
func (ht *hostTypes) define(L *lua.LState, name string, methods map[string]method) {
	mt := L.NewTable()
	idx := L.NewTable()
	names := sortedKeys(methods)
	if name == "proc" {
		names = append(names, "use")
	}
	for n, m := range methods {
		m := m
		if name == "sim" {
			// sim methods reach the host through the closure: check the receiver
			// like every other type's methods do
			idx.RawSetString(n, L.NewFunction(func(L *lua.LState) int {
				if ud, ok := L.Arg(1).(*lua.LUserData); !ok || ud.Value != ht.cur {
					L.RaiseError("expected the sim before ':' (call it as sim:%s(...)), got %s", n, L.Get(1).Type())
				}
				return m(ht.cur, L)
			}))
			continue
		}
		idx.RawSetString(n, L.NewFunction(func(L *lua.LState) int { return m(ht.cur, L) }))
	}
	miss := L.NewTable()
	miss.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		k := L.CheckAny(2).String()
		L.RaiseError("%s has no method '%s'%s", name, k, suggestDoc(name, k, names))
		return 0
	}))
	L.SetMetatable(idx, miss)
	mt.RawSetString("__index", idx)
	mt.RawSetString("__name", lua.LString(name))
	mt.RawSetString("__metatable", lua.LString(name))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("%s: %p", name, L.CheckUserData(1).Value)))
		return 1
	}))
	ht.types[name] = mt
}

func (h *host) wrap(typ string, v any) *lua.LUserData {
	return h.wrapIn(new(lua.LUserData), typ, v)
}

// wrapIn is wrap in memory the caller owns (a part of the Go value wrapped:
// one allocation for both). ud is set as NewUserData would.
func (h *host) wrapIn(ud *lua.LUserData, typ string, v any) *lua.LUserData {
	var mt *lua.LTable
	switch typ {
	case "proc":
		mt = h.procMT
	case "request":
		mt = h.requestMT
	case "sim":
		mt = h.ht.simMT
	case "rng":
		mt = h.ht.rngMT
	case "resource":
		mt = h.ht.resourceMT
	case "event":
		mt = h.ht.eventMT
	default:
		mt = h.types[typ]
	}
	*ud = lua.LUserData{Value: v, Env: h.L.Env, Metatable: mt}
	return ud
}

// check returns argument n as a *T, raising a clear error otherwise. Its calls
// are not inlined (a generic function's are made through its shape's
// dictionary): the methods that run per event inline userValue and an
// assertion to their type, and call check only to raise the error.
func check[T any](L *lua.LState, n int, typ string) T {
	if ud, ok := L.Arg(n).(*lua.LUserData); ok {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	badArg(L, n, typ)
	var zero T
	return zero
}

// badArg raises check's error: argument n is not a typ.
func badArg(L *lua.LState, n int, typ string) {
	ud, ok := L.Get(n).(*lua.LUserData)
	got := L.Get(n).Type().String()
	if ok {
		if mt, ok := ud.Metatable.(*lua.LTable); ok {
			got = lua.LVAsString(mt.RawGetString("__name"))
		}
	}
	if n == 1 {
		L.RaiseError("expected a %s before ':' (call it as x:method(...)), got %s", typ, got)
	}
	L.ArgError(n, fmt.Sprintf("%s expected, got %s", typ, got))
}

// fail records the first model error and stops the run.
func (h *host) fail(err error) {
	if h.err == nil {
		h.err = err
	}
	h.sim.Fail(err)
}

// call runs a Lua function from kernel context (a callback), with protection.
func (h *host) call(fn *lua.LFunction, nret int, args ...lua.LValue) bool {
	// CallByParam's steps (its P by value, Push calls), written out
	L := h.L
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		h.fail(luaError(err, h.sc.Path, h.L.Context()))
		return false
	}
	return true
}

// userValue returns the Go value of userdata argument n, nil if it is not a
// userdata: the common case of check, inlined at the calls that run per
// event (check is generic, and its calls are not inlined).
func userValue(L *lua.LState, n int) any {
	if ud, ok := L.Arg(n).(*lua.LUserData); ok {
		return ud.Value
	}
	return nil
}

// number is L.CheckNumber(n) with its common case (a number) inlined.
func number(L *lua.LState, n int) float64 {
	if v, ok := L.Arg(n).(lua.LNumber); ok {
		return float64(v)
	}
	return float64(L.CheckNumber(n))
}

// number, nonneg: argument checks with Lua-style messages.
func nonneg(L *lua.LState, n int, what string) float64 {
	v := number(L, n)
	if math.IsNaN(v) || v < 0 {
		L.ArgError(n, fmt.Sprintf("%s must be >= 0, got %v", what, v))
	}
	return v
}

func positive(L *lua.LState, n int, what string) float64 {
	v := number(L, n)
	if math.IsNaN(v) || v <= 0 || math.IsInf(v, 0) {
		L.ArgError(n, fmt.Sprintf("%s must be a positive number, got %v", what, v))
	}
	return v
}

// raise turns an engine error into a Lua error at the script's line.
func raise(L *lua.LState, err error) {
	L.RaiseError("%s", err.Error())
}

// optsTable reads a request options table {priority=, preempt=, patience=, balk_at=}.
func requestOpts(L *lua.LState, n int) engine.RequestOpts {
	var o engine.RequestOpts
	v := L.Arg(n)
	t, ok := v.(*lua.LTable)
	if !ok {
		if !isNil(v) {
			L.ArgError(n, "options table expected ({priority=, preempt=, patience=, balk_at=})")
		}
		return o
	}
	eachOption(L, n, t, "request", requestOptions, func(k string, v lua.LValue) {
		switch k {
		case "priority":
			o.Priority = intValue(L, v, "priority")
		case "preempt":
			o.Preempt = lua.LVAsBool(v)
		case "patience":
			o.Patience = float64(lua.LVAsNumber(v))
			if o.Patience < 0 || math.IsNaN(o.Patience) {
				L.ArgError(n, fmt.Sprintf("patience must be >= 0 seconds, got %v", v))
			}
		case "balk_at":
			o.BalkAt = intValue(L, v, "balk_at")
		case "entity":
			o.Entity = int64(intValue(L, v, "entity"))
		case "wait":
			o.NoWait = !lua.LVAsBool(v)
		}
	})
	return o
}

// The options of a request, a resource and a source.
var (
	requestOptions  = []string{"priority", "preempt", "patience", "balk_at", "entity", "wait"}
	resourceOptions = []string{"preempt_mode", "shrink"}
	sourceOptions   = []string{"limit", "start"}
)

// ---- sim ----

var simMethods = map[string]method{
	"now":         func(h *host, L *lua.LState) int { L.Push(h.now()); return 1 },
	"replication": func(h *host, L *lua.LState) int { L.PushNumber(lua.LNumber(h.sim.Replication())); return 1 },
	"seed":        func(h *host, L *lua.LState) int { L.PushNumber(lua.LNumber(h.sim.Seed())); return 1 },
	"resource": func(h *host, L *lua.LState) int {
		check[*host](L, 1, "sim")
		name := L.CheckString(2)
		r, err := h.sim.NewResource(name, intArg(L, 3, "capacity"))
		if err != nil {
			raise(L, err)
		}
		if t, ok := L.Get(4).(*lua.LTable); ok {
			eachOption(L, 4, t, "resource", resourceOptions, func(k string, v lua.LValue) {
				switch k {
				case "preempt_mode":
					switch v.String() {
					case "resume":
						r.Mode = engine.PreemptResume
					case "restart":
						r.Mode = engine.PreemptRestart
					default:
						L.ArgError(4, "preempt_mode is \"resume\" or \"restart\", got "+v.String())
					}
				case "shrink":
					switch v.String() {
					case "finish":
						r.Shrink = engine.ShrinkFinish
					case "preempt":
						r.Shrink = engine.ShrinkPreempt
					default:
						L.ArgError(4, "shrink is \"finish\" or \"preempt\", got "+v.String())
					}
				}
			})
		}
		L.Push(h.wrap("resource", r))
		return 1
	},
	"patient": func(h *host, L *lua.LState) int { return simPatient(h, L) },
	"store": func(h *host, L *lua.LState) int {
		c := optIntArg(L, 3, "capacity", math.MaxInt)
		st, err := h.sim.NewStore(L.CheckString(2), c)
		if err != nil {
			raise(L, err)
		}
		L.Push(h.wrap("store", st))
		return 1
	},
	"container": func(h *host, L *lua.LState) int {
		c, err := h.sim.NewContainer(L.CheckString(2), float64(L.CheckNumber(3)), float64(L.OptNumber(4, 0)))
		if err != nil {
			raise(L, err)
		}
		L.Push(h.wrap("container", c))
		return 1
	},
	"rng": func(h *host, L *lua.LState) int {
		ls := new(luaStream)
		if s := h.sim.RNGIn(L.CheckString(2), &ls.s); s != &ls.s {
			L.Push(h.wrap("rng", s)) // a stream made before: ls is unused
		} else {
			L.Push(h.wrapIn(&ls.ud, "rng", s))
		}
		return 1
	},
	"entity_rng": func(h *host, L *lua.LState) int {
		L.Push(h.wrap("rng", h.sim.EntityRNG(L.CheckString(2), uint64(L.CheckNumber(3)))))
		return 1
	},
	"schedule": func(h *host, L *lua.LState) int {
		dt := nonneg(L, 2, "delay")
		fn := L.CheckFunction(3)
		if err := h.sim.Schedule(dt, func() { h.call(fn, 0) }); err != nil {
			raise(L, err) // the queue is full (--max-queue): stop the loop that fills it
		}
		return 0
	},
	"schedule_at": func(h *host, L *lua.LState) int {
		t := float64(L.CheckNumber(2))
		fn := L.CheckFunction(3)
		if err := h.sim.ScheduleAt(t, func() { h.call(fn, 0) }); err != nil {
			raise(L, err)
		}
		return 0
	},
	"process": func(h *host, L *lua.LState) int {
		fn := L.CheckFunction(2)
		p := h.start(fn, L.Get(3))
		L.Push(p.ud)
		return 1
	},
	"source": func(h *host, L *lua.LState) int {
		name := L.CheckString(2)
		gap := L.CheckFunction(3)
		body := L.CheckFunction(4)
		limit, start := math.MaxInt, -1.0
		if t, ok := L.Get(5).(*lua.LTable); ok {
			eachOption(L, 5, t, "source", sourceOptions, func(k string, v lua.LValue) {
				switch k {
				case "limit":
					limit = intValue(L, v, "limit")
				case "start":
					start = float64(lua.LVAsNumber(v))
				}
			})
		}
		h.source(name, gap, body, limit, start)
		return 0
	},
	"record": func(h *host, L *lua.LState) int {
		h.kpi(L, engine.KindTally).Add(number(L, 3))
		return 0
	},
	"count": func(h *host, L *lua.LState) int {
		k := h.kpi(L, engine.KindCounter)
		switch n := L.Get(3).(type) {
		case lua.LNumber:
			k.Add(float64(n))
		case *lua.LNilType:
			k.Add(1)
		default:
			k.Add(float64(L.OptNumber(3, 1))) // a type error
		}
		return 0
	},
	"gauge": func(h *host, L *lua.LState) int {
		h.kpi(L, engine.KindGauge).Set(number(L, 3))
		return 0
	},
	"set": func(h *host, L *lua.LState) int {
		h.kpi(L, engine.KindValue).Set(number(L, 3))
		return 0
	},
	"log": func(h *host, L *lua.LState) int {
		h.sim.Log(L.CheckString(2), int64(optIntArg(L, 3, "entity", 0)), L.OptString(5, ""), float64(L.OptNumber(4, 0)))
		return 0
	},
	"flow": luaFlow,
	"observe": func(h *host, L *lua.LState) int {
		h.sim.Observe(L.CheckString(2), float64(L.CheckNumber(3)))
		return 0
	},
	"event": func(h *host, L *lua.LState) int {
		e := new(luaEvent)
		h.sim.InitEvent(&e.ev)
		L.Push(h.wrapIn(&e.ud, "event", &e.ev))
		return 1
	},
	"timeout": func(h *host, L *lua.LState) int {
		ev, err := h.sim.Timeout(nonneg(L, 2, "delay"))
		if err != nil {
			raise(L, err)
		}
		L.Push(h.wrap("event", ev))
		return 1
	},
	"any_of": func(h *host, L *lua.LState) int { return h.condition(L, false) },
	"all_of": func(h *host, L *lua.LState) int { return h.condition(L, true) },
	"fail": func(h *host, L *lua.LState) int {
		L.RaiseError("%s", L.CheckString(2))
		return 0
	},
}

// kpi returns the KPI named by argument 2 (made on first use), of kind.
func (h *host) kpi(L *lua.LState, kind engine.KPIKind) *engine.KPI {
	var name string
	if s, ok := L.Arg(2).(lua.LString); ok {
		name = string(s)
	} else {
		name = L.CheckString(2) // a number is converted, anything else an error
	}
	// A name written in the script is one string constant, the same bytes at
	// every call: the slot chosen by their address remembers its KPI, so
	// that sim:record and sim:count skip hashing the name into the Sim's map.
	// A name built at run time ("wait_" .. class) misses and takes the map.
	c := &h.kpiCache[uintptr(unsafe.Pointer(unsafe.StringData(name)))>>3%uintptr(len(h.kpiCache))]
	if c.k != nil && c.kind == kind && c.name == name {
		return c.k
	}
	k, err := h.sim.KPI(name, kind)
	if err != nil {
		raise(L, err)
	}
	*c = kpiSlot{name: name, kind: kind, k: k}
	return k
}

// kpiSlot is an entry of host.kpiCache.
type kpiSlot struct {
	name string
	kind engine.KPIKind
	k    *engine.KPI
}

// condition makes sim:any_of / sim:all_of of the events given after the sim.
// Its value, once it has happened, is the list of the events that had happened
// (as proc:any_of returns), not the kernel's []*engine.Event, which Lua cannot
// read: proc:wait on it returned nil (issue 17).
func (h *host) condition(L *lua.LState, all bool) int {
	evs := h.events(L, 2)
	vals := luaValues(L, 2, len(evs))
	var c *engine.Event
	if all {
		c = h.sim.AllOf(evs...)
	} else {
		c = h.sim.AnyOf(evs...)
	}
	// the first callback: it runs before any waiter reads the value
	c.OnDone(func(c *engine.Event) {
		if fired, ok := c.Value.([]*engine.Event); ok {
			c.Value = firedTable(h.L, evs, vals, fired)
		}
	})
	L.Push(h.wrap("event", c))
	return 1
}

// luaValues returns the n Lua values on the stack from position from: those
// of the events a condition waits for.
func luaValues(L *lua.LState, from, n int) []lua.LValue {
	return luaValuesInto(make([]lua.LValue, 0, n), L, from, n)
}

// luaValuesInto is luaValues appending to vals (memory the caller may own).
func luaValuesInto(vals []lua.LValue, L *lua.LState, from, n int) []lua.LValue {
	for i := range n {
		vals = append(vals, L.Get(from+i))
	}
	return vals
}

// firedTable returns the list of the Lua values (vals[i] that of evs[i]) of
// the events of a condition that fired. They come in the order evs gives them
// (AnyOf and AllOf keep it), so one walk along evs finds them.
func firedTable(L *lua.LState, evs []*engine.Event, vals []lua.LValue, fired []*engine.Event) *lua.LTable {
	t := L.CreateTable(len(fired), 0) // NewTable would reserve 32 slots and a map
	j := 0
	for _, ev := range fired {
		for j < len(evs) && evs[j] != ev {
			j++
		}
		if j == len(evs) { // not in order after all: look it up
			j = slices.Index(evs, ev)
		}
		t.Append(vals[j])
		j++
	}
	return t
}

func (h *host) events(L *lua.LState, from int) []*engine.Event {
	return h.eventsInto(make([]*engine.Event, 0, max(L.GetTop()-from+1, 0)), L, from)
}

// eventsInto is events appending to evs (memory the caller may own).
func (h *host) eventsInto(evs []*engine.Event, L *lua.LState, from int) []*engine.Event {
	for i := from; i <= L.GetTop(); i++ {
		evs = append(evs, check[*engine.Event](L, i, "event"))
	}
	return evs
}

// source starts a process running body for each arrival; gap() returns the time
// to the next arrival (seconds).
func (h *host) source(name string, gap, body *lua.LFunction, limit int, start float64) {
	src := &arrivals{h: h, name: name, gap: gap, body: body, limit: limit}
	if start >= 0 {
		h.sim.ScheduleAt(start, src.Fire)
		return
	}
	src.next()
}

// arrivals is a running sim:source: one value, which the kernel fires at each
// arrival (an engine.Action), instead of a closure per step and a counter.
type arrivals struct {
	h         *host
	name      string
	gap, body *lua.LFunction
	n, limit  int // arrivals so far, and at most
}

// next schedules the next arrival, gap() seconds from now.
func (a *arrivals) next() {
	h := a.h
	if a.n >= a.limit {
		return
	}
	if !h.call(a.gap, 1) {
		return
	}
	v := h.L.Get(-1)
	h.L.Pop(1) // (SetTop(-2) cost twice as much)
	d, ok := v.(lua.LNumber)
	if !ok || math.IsNaN(float64(d)) || d < 0 {
		h.fail(fmt.Errorf("%s: source %q: the inter-arrival function returned %s, want a number of seconds >= 0", h.sc.Path, a.name, v))
		return
	}
	h.sim.ScheduleAction(float64(d), engine.PriorityNormal, a) // as Schedule does; a full queue fails the run
}

// Fire is an arrival: it starts a process running body and schedules the next.
func (a *arrivals) Fire() {
	a.n++
	if a.h.sc.AutoFlow {
		a.h.starting = a.name
	}
	a.h.start(a.body, a.h.L.NumberValue(lua.LNumber(a.n)))
	a.next()
}

// ---- rng ----

var rngMethods = map[string]method{
	"exp": func(h *host, L *lua.LState) int {
		s, ok := userValue(L, 1).(*rng.Stream) // inlined: per draw
		if !ok {
			s = check[*rng.Stream](L, 1, "rng")
		}
		L.PushNumber(lua.LNumber(s.Exp(positive(L, 2, "rate"))))
		return 1
	},
	"normal": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Normal(float64(L.CheckNumber(2)), nonneg(L, 3, "sd"))))
		return 1
	},
	"lognormal": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.LogNormal(float64(L.CheckNumber(2)), nonneg(L, 3, "sigma"))))
		return 1
	},
	"gamma": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Gamma(positive(L, 2, "shape"), positive(L, 3, "rate"))))
		return 1
	},
	"triangular": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		a, b, c := float64(L.CheckNumber(2)), float64(L.CheckNumber(3)), float64(L.CheckNumber(4))
		if !(a <= c && c <= b && a < b) {
			L.RaiseError("triangular(min, max, mode) needs min <= mode <= max and min < max, got %v, %v, %v", a, b, c)
		}
		L.PushNumber(lua.LNumber(s.Triangular(a, b, c)))
		return 1
	},
	"uniform": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Uniform(float64(L.OptNumber(2, 0)), float64(L.OptNumber(3, 1)))))
		return 1
	},
	"weibull": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Weibull(positive(L, 2, "shape"), positive(L, 3, "scale"))))
		return 1
	},
	"bernoulli": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		p := float64(L.CheckNumber(2))
		if !(p >= 0 && p <= 1) {
			L.ArgError(2, fmt.Sprintf("probability must be in [0, 1], got %v", p))
		}
		L.Push(lua.LBool(s.Bernoulli(p)))
		return 1
	},
	"poisson": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Poisson(nonneg(L, 2, "mean"))))
		return 1
	},
	"int": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		lo, hi := intArg(L, 2, "lo"), intArg(L, 3, "hi")
		if hi < lo {
			L.RaiseError("int(lo, hi) needs lo <= hi, got %d, %d", lo, hi)
		}
		L.PushNumber(lua.LNumber(lo + s.IntN(hi-lo+1)))
		return 1
	},
	"empirical": func(h *host, L *lua.LState) int {
		s := check[*rng.Stream](L, 1, "rng")
		L.PushNumber(lua.LNumber(s.Draw(h.empirical(L, L.CheckTable(2), L.CheckTable(3)))))
		return 1
	},
}

// ---- resource, request ----

var resourceMethods = map[string]method{
	"name": func(h *host, L *lua.LState) int {
		L.Push(lua.LString(check[*engine.Resource](L, 1, "resource").Name))
		return 1
	},
	"capacity": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Resource](L, 1, "resource").Capacity()))
		return 1
	},
	"in_use": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Resource](L, 1, "resource").InUse()))
		return 1
	},
	"queue_length": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Resource](L, 1, "resource").QueueLen()))
		return 1
	},
	"utilisation": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Resource](L, 1, "resource").Utilisation()))
		return 1
	},
	"set_capacity": func(h *host, L *lua.LState) int {
		if err := check[*engine.Resource](L, 1, "resource").SetCapacity(intArg(L, 2, "capacity")); err != nil {
			raise(L, err)
		}
		return 0
	},
	"roster": func(h *host, L *lua.LState) int {
		r := check[*engine.Resource](L, 1, "resource")
		t := L.CheckTable(2)
		period := float64(L.OptNumber(3, 0))
		var ch []engine.CapacityChange
		for i := 1; i <= t.Len(); i++ {
			e, ok := t.RawGetInt(i).(*lua.LTable)
			if !ok {
				L.ArgError(2, fmt.Sprintf("entry %d must be {at = seconds, capacity = n}", i))
			}
			at, c := e.RawGetString("at"), e.RawGetString("capacity")
			if at.Type() != lua.LTNumber || c.Type() != lua.LTNumber {
				L.ArgError(2, fmt.Sprintf("entry %d must be {at = seconds, capacity = n}", i))
			}
			ch = append(ch, engine.CapacityChange{At: float64(at.(lua.LNumber)), Capacity: intValue(L, c, fmt.Sprintf("roster entry %d: capacity", i))})
		}
		if err := r.Roster(ch, period); err != nil {
			raise(L, err)
		}
		return 0
	},
	"acquire": func(h *host, L *lua.LState) int {
		r := check[*engine.Resource](L, 1, "resource")
		o := requestOpts(L, 2)
		fn := L.CheckFunction(3)
		// the request and its userdata in one allocation, never recycled by
		// the kernel: the script keeps it (TestLuaAcquireDoubleRelease...)
		// (the userdata is made first: a unit free now is granted, and fn
		// called with it, before AcquireIn returns)
		// (the request is its own grant callback: no closure)
		var lq *luaAcquired
		if p := h.running; p != nil { // in a process's body: maybe its reqMem
			lq = p.newRequest()
		} else {
			lq = new(luaAcquired)
		}
		lq.h, lq.fn = h, fn
		ud := h.wrapIn(&lq.ud, "request", &lq.q)
		if _, err := r.AcquireByIn(o, lq, &lq.q); err != nil {
			if why, ok := refusal(err); ok {
				L.Push(lua.LNil)
				L.Push(why)
				return 2
			}
			raise(L, err)
		}
		L.Push(ud)
		return 1
	},
	"release": func(h *host, L *lua.LState) int {
		r := check[*engine.Resource](L, 1, "resource")
		if err := r.Release(check[*engine.Request](L, 2, "request")); err != nil {
			raise(L, err)
		}
		return 0
	},
	"release_after": func(h *host, L *lua.LState) int {
		r := check[*engine.Resource](L, 1, "resource")
		q := check[*engine.Request](L, 2, "request")
		dt := nonneg(L, 3, "service time")
		if fn, ok := L.Get(4).(*lua.LFunction); ok {
			ud := L.Get(2)
			q.OnRelease = func(*engine.Request) { h.call(fn, 0, ud) }
		}
		if err := r.ReleaseAfter(q, dt); err != nil {
			raise(L, err)
		}
		return 0
	},
}

var requestMethods = map[string]method{
	"state": func(h *host, L *lua.LState) int {
		L.Push(lua.LString(check[*engine.Request](L, 1, "request").State().String()))
		return 1
	},
	"cancel": func(h *host, L *lua.LState) int {
		if err := check[*engine.Request](L, 1, "request").Cancel(); err != nil {
			raise(L, err)
		}
		return 0
	},
	"waited": func(h *host, L *lua.LState) int {
		q := check[*engine.Request](L, 1, "request")
		L.PushNumber(lua.LNumber(q.GrantedAt - q.ArrivedAt))
		return 1
	},
}

// ---- event ----

var eventMethods = map[string]method{
	"succeed": func(h *host, L *lua.LState) int {
		ev := check[*engine.Event](L, 1, "event")
		if err := ev.Succeed(L.Get(2)); err != nil {
			raise(L, err)
		}
		return 0
	},
	"fail": func(h *host, L *lua.LState) int {
		ev := check[*engine.Event](L, 1, "event")
		if err := ev.Fail(errors.New(L.CheckString(2))); err != nil {
			raise(L, err)
		}
		return 0
	},
	"triggered": func(h *host, L *lua.LState) int {
		L.Push(lua.LBool(check[*engine.Event](L, 1, "event").Triggered()))
		return 1
	},
	"processed": func(h *host, L *lua.LState) int {
		L.Push(lua.LBool(check[*engine.Event](L, 1, "event").Processed()))
		return 1
	},
	"value": func(h *host, L *lua.LState) int {
		L.Push(eventValue(check[*engine.Event](L, 1, "event")))
		return 1
	},
	"on_done": func(h *host, L *lua.LState) int {
		ev := check[*engine.Event](L, 1, "event")
		fn := L.CheckFunction(2)
		ud := L.Get(1)
		ev.OnDone(func(*engine.Event) { h.call(fn, 0, ud) })
		return 0
	},
}

// luaStream is a random stream made by sim:rng with its userdata: one
// allocation.
type luaStream struct {
	s  rng.Stream
	ud lua.LUserData
}

// luaEvent is an event made by sim:event() with its userdata: one allocation.
type luaEvent struct {
	ev engine.Event
	ud lua.LUserData
}

func eventValue(ev *engine.Event) lua.LValue {
	if v, ok := ev.Value.(lua.LValue); ok {
		return v
	}
	return lua.LNil
}

// ---- store, container (callback style; processes use proc:put/get) ----

var storeMethods = map[string]method{
	"len": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Store](L, 1, "store").Len()))
		return 1
	},
	"put": func(h *host, L *lua.LState) int {
		st := check[*engine.Store](L, 1, "store")
		item := L.CheckAny(2)
		var cb func()
		if fn, ok := L.Get(3).(*lua.LFunction); ok {
			cb = func() { h.call(fn, 0) }
		}
		st.Put(item, cb)
		return 0
	},
	"get": func(h *host, L *lua.LState) int {
		st := check[*engine.Store](L, 1, "store")
		fn := L.CheckFunction(2)
		st.Get(nil, func(v any) { h.call(fn, 0, v.(lua.LValue)) })
		return 0
	},
}

var containerMethods = map[string]method{
	"level": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*engine.Container](L, 1, "container").Level()))
		return 1
	},
	"put": func(h *host, L *lua.LState) int {
		c := check[*engine.Container](L, 1, "container")
		var cb func()
		if fn, ok := L.Get(3).(*lua.LFunction); ok {
			cb = func() { h.call(fn, 0) }
		}
		if err := c.Put(float64(L.CheckNumber(2)), cb); err != nil {
			raise(L, err)
		}
		return 0
	},
	"get": func(h *host, L *lua.LState) int {
		c := check[*engine.Container](L, 1, "container")
		var cb func()
		if fn, ok := L.Get(3).(*lua.LFunction); ok {
			cb = func() { h.call(fn, 0) }
		}
		if err := c.Get(float64(L.CheckNumber(2)), cb); err != nil {
			raise(L, err)
		}
		return 0
	},
}

// methodNames lists the methods of a type (for tests).
func methodNames(typ string) []string {
	m := map[string]map[string]method{"sim": simMethods, "proc": procMethods, "resource": resourceMethods,
		"request": requestMethods, "rng": rngMethods, "event": eventMethods, "store": storeMethods, "container": containerMethods,
		"patient": patientMethods}[typ]
	names := sortedKeys(m)
	sort.Strings(names)
	return names
}
