package scripts

import (
	"errors"
	"sync/atomic"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// luaProc is a Lua process: a Lua function running on a pooled Lua thread that
// waits by yielding to the kernel. Its waiting state is the kernel's
// engine.Waiter, the same as a Go process's: interrupts, grants, preemption and
// reneging are handled there, once for both.
type luaProc struct {
	h       *host
	th      *lua.LState
	ud      *lua.LUserData
	id      uint64
	w       *engine.Waiter
	okVals  []lua.LValue    // what the current wait returns if it succeeds
	holding *engine.Request // set while proc:use holds a unit
	ended   bool
	reqUsed bool // reqMem holds a request (beside ended: no padding)
	slot    int  // index in h.holding while th is set
	doneEv  *engine.Event
	// with auto_flow, for an entity of a source: its source, arrival and
	// requests (autoflow.go)
	flow *entityFlow
	// the memory of ud, w and a queued request's okVals, kept here so that a
	// process is one allocation
	udMem lua.LUserData
	wMem  engine.Waiter
	one   [1]lua.LValue
	// the memory of the first request the process makes (proc:request, or
	// resource:acquire in its body), used once, never again: Lua may keep the
	// request, and the GC keeps it with the process. 512 bytes in all, one
	// allocation where the process and its request made two.
	reqMem luaAcquired
}

// newRequest returns memory for a request the process makes: reqMem the first
// time, a new luaAcquired after.
func (p *luaProc) newRequest() *luaAcquired {
	if p.reqUsed {
		return new(luaAcquired)
	}
	p.reqUsed = true
	return &p.reqMem
}

// luaRequest is a request of a Lua process with its userdata: one allocation
// (256 bytes).
type luaRequest struct {
	q  engine.Request
	ud lua.LUserData
}

// luaAcquired is a request of resource:acquire: a luaRequest with its grant
// callback, whose engine.GrantHandler it is (no closure).
type luaAcquired struct {
	luaRequest
	h  *host
	fn *lua.LFunction
}

// Granted calls resource:acquire's function with the request.
func (lq *luaAcquired) Granted(*engine.Request) { lq.h.call(lq.fn, 0, &lq.ud) }

// threadsMade counts the worker threads made (NewThread) in this process.
var threadsMade atomic.Int64

// threadRegistrySize is the registry size (Lua stack slots) a new worker
// thread starts with.
const threadRegistrySize = 128

// procSlab is how many processes newProc allocates at once: 8 luaProcs
// (504 bytes each) fill a 4 KiB size class.
const procSlab = 8

// newProc returns zeroed memory for a new process, taken from a slab of
// procSlab made in one allocation. An allocation per process cost about 370
// instructions (most of them writing the heap bitmap of a 504-byte object
// with pointers, which a slab, an object of more than 512 bytes, does not
// have). A process's memory cannot be reused when it ends: Lua may keep its
// proc and its request. The trade-off: a slab stays allocated while any of
// its processes is reachable (at most 4 KiB for one kept process, where it
// was 512 bytes).
func (ht *hostTypes) newProc() *luaProc {
	if len(ht.procMem) == 0 {
		ht.procMem = make([]luaProc, procSlab)
	}
	p := &ht.procMem[0]
	ht.procMem = ht.procMem[1:]
	return p
}

// start runs fn(proc, arg) as a new process now.
func (h *host) start(fn *lua.LFunction, arg lua.LValue) *luaProc {
	h.procs++
	p := h.ht.newProc()
	p.h, p.id = h, h.procs
	p.w = &p.wMem
	h.sim.InitWaiter(p.w, p)
	p.ud = h.wrapIn(&p.udMem, "proc", p)
	if h.starting != "" {
		p.flow = &entityFlow{source: h.starting, arrival: h.sim.Now()}
		h.inSystem[p.id] = p.flow
		h.starting = ""
	}
	h.sim.AddLive(1)
	var th *lua.LState
	first := false
	if n := len(*h.threads); n > 0 {
		th = (*h.threads)[n-1]
		*h.threads = (*h.threads)[:n-1]
	} else if n := len(h.ht.fresh); n > 0 {
		th = h.ht.fresh[n-1]
		h.ht.fresh = h.ht.fresh[:n-1]
		first = true
	} else {
		// a thread's registry starts small and grows as its main state's does
		// (RegistryGrowStep, up to the same RegistryMaxSize): most bodies need
		// a few dozen slots, and the 1024 of the main state cost a 16 KB
		// cleared allocation for each new thread
		//
		// The thread runs under the main state's context itself: NewThread
		// would give it a child context (context.WithCancel), whose entry in
		// the run's context stayed there until the run ended, one per thread
		// left waiting at a replication's end.
		opts := h.L.Options
		h.L.Options.RegistrySize = threadRegistrySize
		ctx := h.L.RemoveContext()
		th, _ = h.L.NewThread()
		if ctx != nil {
			h.L.SetContext(ctx)
			th.SetContext(ctx)
		}
		h.L.Options = opts
		threadsMade.Add(1)
		first = true
	}
	p.th = th
	p.slot = len(h.holding)
	h.holding = append(h.holding, p)
	if first {
		p.resume(h.workerFn, fn, p.ud, arg)
	} else {
		p.resume(nil, fn, p.ud, arg)
	}
	return p
}

// parkFn ends a process body: called by the worker loop, it yields the thread
// back to the kernel, which returns it to the pool.
func parkFn(L *lua.LState) int {
	p := L.CheckUserData(1).Value.(*luaProc)
	p.ended = true
	return L.Yield()
}

// resume runs the process until it waits or ends. Only the kernel loop (or the
// code that starts a process) calls it.
func (p *luaProc) resume(fn *lua.LFunction, args ...lua.LValue) {
	h := p.h
	if fn == nil {
		fn = h.workerFn
	}
	prev := h.running
	h.running = p
	st, err := h.L.ResumeDiscard(p.th, fn, args...) // its values are not used: no slice of them
	h.running = prev
	switch {
	case err != nil:
		h.fail(luaError(err, h.sc.Path, h.L.Context()))
		p.dropThread()
		p.finish()
	case st == lua.ResumeOK:
		p.dropThread() // the worker returned; cannot happen with the prelude's loop
		p.finish()
	case p.ended:
		*h.threads = append(*h.threads, p.th)
		p.dropThread()
		p.finish()
	}
}

// dropThread takes the thread from the process (and the process from
// h.holding).
func (p *luaProc) dropThread() {
	r := p.h.holding
	last := r[len(r)-1]
	r[p.slot], last.slot = last, p.slot
	p.h.holding = r[:len(r)-1]
	p.th = nil
}

// reclaimThreads, at the end of a replication that ended well, resets the
// threads of the processes still waiting (resetThread) for the replications
// that follow.
func (h *host) reclaimThreads() {
	for _, p := range h.holding {
		if resetThread(p.th) {
			h.ht.fresh = append(h.ht.fresh, p.th)
		}
		p.th = nil
	}
	h.holding = nil
}

func (p *luaProc) finish() {
	if p.doneEv != nil && !p.doneEv.Triggered() {
		p.doneEv.Succeed(p.ud)
	}
	p.ended = true
	p.w.End()
	p.h.sim.AddLive(-1)
	if p.flow != nil {
		delete(p.h.inSystem, p.id)
		p.flow.record(p.h, int64(p.id), false)
	}
}

// Continue continues the process after a wake-up with the results of its
// wait (p is its Waiter's engine.Continuer).
func (p *luaProc) Continue() {
	p.resume(nil, p.results(p.w.Resumed())...)
}

// wake schedules the process to continue now, its wait returning vals (nothing
// happens if it is running: its wait was satisfied at once).
func (p *luaProc) wake(vals []lua.LValue) {
	p.okVals = vals
	p.w.Wake(nil)
}

// results turns a wait's outcome into what the Lua call returns: its values, or
// false|nil followed by why ("interrupted" with the cause, "preempted",
// "reneged").
func (p *luaProc) results(err error) []lua.LValue {
	if err == nil {
		return p.okVals
	}
	return failedWait(err)
}

// failedWait is what a wait that failed with err returns (see results); apart,
// so that the targets of errors.As, which go to the heap, cost nothing on a
// wait that succeeded.
//
// The kernel's errors come unwrapped: the common ones are told by a compare,
// and their values are shared (the Lua call gets copies on its stack), where
// errors.As and a new slice cost three allocations and about 1,500
// instructions for each reneging customer.
func failedWait(err error) []lua.LValue {
	switch e := err.(type) {
	case *engine.Interrupt:
		return interruptedVals(e)
	case *engine.Preemption:
		return preemptedVals
	}
	if err == engine.ErrReneged {
		return renegedVals
	}
	return failedWrapped(err)
}

// failedWrapped is failedWait of an error that is not one of the kernel's
// own: it may wrap one.
func failedWrapped(err error) []lua.LValue {
	var in *engine.Interrupt
	var pe *engine.Preemption
	switch {
	case errors.As(err, &in):
		return interruptedVals(in)
	case errors.As(err, &pe):
		return preemptedVals
	case errors.Is(err, engine.ErrReneged):
		return renegedVals
	}
	return []lua.LValue{lua.LNil, lua.LString(err.Error())}
}

// interruptedVals is what a wait ended by in returns: false, "interrupted"
// and its cause.
func interruptedVals(in *engine.Interrupt) []lua.LValue {
	cause, _ := in.Cause.(lua.LValue)
	if cause == nil {
		cause = lua.LNil
	}
	return []lua.LValue{lua.LFalse, strInterrupted, cause}
}

func push(L *lua.LState, vals []lua.LValue) int {
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}

// wait suspends the running process's thread; the Go function calling it must
// return its result. An interrupt that came while the process ran ends the wait
// at once: what it waited for is withdrawn.
func (p *luaProc) wait(L *lua.LState) int {
	if L != p.th {
		L.RaiseError("a process can only wait inside its own body (proc belongs to another process)")
	}
	if L.InProtectedCall() {
		// the thread cannot be suspended across pcall's Go frame (gopher-lua
		// patch 20): the run stops here, named at the line of the wait, and
		// not at the pcall's caller, which would catch a Lua error and run on
		msg := L.Where(1) + " a process cannot wait inside pcall or xpcall (Lua cannot suspend it there): wait outside the protected call"
		p.h.fail(luaError(errors.New(msg), p.h.sc.Path, L.Context()))
		L.RaiseError("%s", msg)
	}
	if err := p.w.Suspend(); err != nil {
		return push(L, p.results(err))
	}
	return L.Yield()
}

// interrupted pushes the oldest interrupt that came while the process ran and
// reports true; its waits call it first, so that it is returned at once (SimPy
// delivers it at the process's next yield).
func (p *luaProc) interrupted(L *lua.LState) (int, bool) {
	if !p.w.HasInterrupt() { // inlined: the common case costs a load
		return 0, false
	}
	return p.pushInterrupt(L), true
}

// pushInterrupt pushes what a wait returns for the interrupt that came while
// the process ran (interrupted's uncommon case).
func (p *luaProc) pushInterrupt(L *lua.LState) int {
	return push(L, p.results(p.w.Interrupted()))
}

func self(L *lua.LState) *luaProc {
	p, ok := userValue(L, 1).(*luaProc)
	if !ok {
		p = check[*luaProc](L, 1, "proc")
	}
	if p.ended {
		L.RaiseError("the process has finished")
	}
	return p
}

var (
	trueVals       = []lua.LValue{lua.LTrue}
	strInterrupted = lua.LString("interrupted")
	strReneged     = lua.LString("reneged")
	strBalked      = lua.LString("balked")
	strBlocked     = lua.LString("blocked")
	strPreempted   = lua.LString("preempted")
	// what a wait returns when it ends by preemption or reneging, shared
	// (only read: pushed or given to a resume as its values)
	preemptedVals = []lua.LValue{lua.LFalse, strPreempted, lua.LNil}
	renegedVals   = []lua.LValue{lua.LNil, strReneged}
	// what proc:use_for returns when its request reneges
	usedRenegedVals = []lua.LValue{lua.LFalse, strReneged}
)

// refusal is the reason a Lua wait returns for a request refused at once:
// "balked" (balk_at: it chose not to join the queue) or "blocked" (wait=false
// or no room to wait).
func refusal(err error) (lua.LString, bool) {
	switch {
	case errors.Is(err, engine.ErrBalked):
		return strBalked, true
	case errors.Is(err, engine.ErrBlocked):
		return strBlocked, true
	}
	return "", false
}

var procMethods = map[string]method{
	"now": func(h *host, L *lua.LState) int { L.Push(h.now()); return 1 },
	"id": func(h *host, L *lua.LState) int {
		L.PushNumber(lua.LNumber(check[*luaProc](L, 1, "proc").id))
		return 1
	},
	"timeout": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		dt := nonneg(L, 2, "delay")
		p.okVals = trueVals
		p.w.Sleep(dt)
		return p.wait(L)
	},
	"request": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		r, ok := userValue(L, 2).(*engine.Resource) // inlined: per request
		if !ok {
			r = check[*engine.Resource](L, 2, "resource")
		}
		o := requestOpts(L, 3)
		if o.Entity == 0 {
			o.Entity = int64(p.id)
		}
		lq := p.newRequest()
		q, err := r.RequestForIn(p.w, o, &lq.q)
		if p.flow != nil && q != nil {
			p.flow.track(q, r.Name, q.ArrivedAt)
		}
		if err != nil { // (refusal only after an error: errors.Is costs)
			if why, ok := refusal(err); ok {
				L.Push(lua.LNil)
				L.Push(why)
				return 2
			}
			raise(L, err)
		}
		ud := h.wrapIn(&lq.ud, "request", q)
		if q.State() == engine.Granted {
			L.Push(ud)
			return 1
		}
		p.one[0] = ud
		p.okVals = p.one[:]
		p.w.WaitIn(q)
		return p.wait(L)
	},
	"release": func(h *host, L *lua.LState) int {
		self(L)
		q, ok := userValue(L, 2).(*engine.Request) // inlined: per release
		if !ok {
			q = check[*engine.Request](L, 2, "request")
		}
		if err := q.Resource().Release(q); err != nil {
			raise(L, err)
		}
		return 0
	},
	"use_for": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		r := check[*engine.Resource](L, 2, "resource")
		service := nonneg(L, 3, "service time")
		o := requestOpts(L, 4)
		if o.Entity == 0 {
			o.Entity = int64(p.id)
		}
		var v *visit
		if p.flow != nil {
			v = p.flow.track(nil, r.Name, h.sim.Now())
		}
		q, err := r.Acquire(o, func(q *engine.Request) {
			if v != nil {
				v.q = q
				v.granted(h.sim.Now())
			}
			r.ReleaseAfter(q, service)
		})
		if v != nil && err == nil {
			v.q = q
		}
		if why, ok := refusal(err); ok {
			L.Push(lua.LFalse)
			L.Push(why)
			return 2
		} else if err != nil {
			raise(L, err)
		}
		// the kernel resumes or restarts the service after a preemption; the
		// process sleeps until the unit is released
		q.OnRelease = func(*engine.Request) {
			if v != nil {
				v.ended(engine.Released, h.sim.Now())
			}
			p.holding = nil
			p.okVals = trueVals
			p.w.WakeNow()
		}
		q.OnRenege = func(*engine.Request) {
			if v != nil {
				v.ended(engine.Reneged, h.sim.Now())
			}
			p.wake(usedRenegedVals)
		}
		p.holding = q
		p.w.OnWithdraw(func() {
			p.holding = nil
			switch q.State() {
			case engine.Granted:
				if v != nil {
					v.ended(engine.Released, h.sim.Now()) // before the kernel recycles q
				}
				r.Release(q)
			case engine.Queued:
				if v != nil {
					v.ended(engine.Cancelled, h.sim.Now())
				}
				q.Cancel()
			}
		})
		return p.wait(L)
	},
	"wait": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		ev := check[*engine.Event](L, 2, "event")
		if ev.Processed() {
			return pushEvent(L, ev)
		}
		live := true
		ev.OnDone(func(ev *engine.Event) {
			if !live {
				return
			}
			live = false
			if ev.Err != nil {
				p.wake([]lua.LValue{lua.LNil, lua.LString(ev.Err.Error())})
			} else {
				p.one[0] = eventValue(ev) // p.one: the values of its one wait
				p.wake(p.one[:])
			}
		})
		p.w.OnWithdraw(func() { live = false })
		return p.wait(L)
	},
	"any_of": func(h *host, L *lua.LState) int { return waitCondition(h, L, false) },
	"all_of": func(h *host, L *lua.LState) int { return waitCondition(h, L, true) },
	"put": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		st := check[*engine.Store](L, 2, "store")
		live, done := true, false
		st.Put(L.CheckAny(3), func() {
			if live {
				done = true
				p.wake(trueVals) // ignored while it runs: done at once
			}
		})
		if done {
			L.Push(lua.LTrue)
			return 1
		}
		p.w.OnWithdraw(func() { live = false })
		return p.wait(L)
	},
	"get": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		st := check[*engine.Store](L, 2, "store")
		var got lua.LValue
		live, done := true, false
		var filter func(any) bool
		if fn, ok := L.Get(3).(*lua.LFunction); ok {
			filter = func(v any) bool {
				if err := h.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, v.(lua.LValue)); err != nil {
					h.fail(luaError(err, h.sc.Path, h.L.Context()))
					return false
				}
				ok := lua.LVAsBool(h.L.Get(-1))
				h.L.Pop(1)
				return ok
			}
		}
		st.Get(filter, func(v any) {
			if live {
				got, done = v.(lua.LValue), true
				p.one[0] = got
				p.wake(p.one[:]) // ignored while it runs: done at once
			}
		})
		if done {
			L.Push(got)
			return 1
		}
		p.w.OnWithdraw(func() { live = false })
		return p.wait(L)
	},
	"put_amount": func(h *host, L *lua.LState) int { return containerWait(h, L, true) },
	"get_amount": func(h *host, L *lua.LState) int { return containerWait(h, L, false) },
	"interrupt": func(h *host, L *lua.LState) int {
		p := check[*luaProc](L, 1, "proc")
		if p.ended {
			L.RaiseError("cannot interrupt a process that has finished")
		}
		if L == p.th {
			L.RaiseError("a process cannot interrupt itself")
		}
		p.w.Interrupt(L.Get(2))
		return 0
	},
	"done": func(h *host, L *lua.LState) int {
		p := check[*luaProc](L, 1, "proc")
		if p.doneEv == nil {
			p.doneEv = h.sim.NewEvent()
			if p.ended {
				p.doneEv.Succeed(p.ud)
			}
		}
		L.Push(h.wrap("event", p.doneEv))
		return 1
	},
	"ended": func(h *host, L *lua.LState) int { L.Push(lua.LBool(check[*luaProc](L, 1, "proc").ended)); return 1 },
}

func containerWait(h *host, L *lua.LState, put bool) int {
	p := self(L)
	if n, ok := p.interrupted(L); ok {
		return n
	}
	c := check[*engine.Container](L, 2, "container")
	x := float64(L.CheckNumber(3))
	live, done := true, false
	cb := func() {
		if live {
			done = true
			p.wake(trueVals) // ignored while it runs: done at once
		}
	}
	var err error
	if put {
		err = c.Put(x, cb)
	} else {
		err = c.Get(x, cb)
	}
	if err != nil {
		raise(L, err)
	}
	if done {
		L.Push(lua.LTrue)
		return 1
	}
	p.w.OnWithdraw(func() { live = false })
	return p.wait(L)
}

func pushEvent(L *lua.LState, ev *engine.Event) int {
	if ev.Err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(ev.Err.Error()))
		return 2
	}
	L.Push(eventValue(ev))
	return 1
}

// waitCondition waits for any (or all) of the events given after proc and
// returns a list of the events that had happened by then.
func waitCondition(h *host, L *lua.LState, all bool) int {
	p := self(L)
	if n, ok := p.interrupted(L); ok {
		return n
	}
	cw := h.condWait(p)
	cw.evs = h.eventsInto(cw.evBuf[:0], L, 2)
	cw.vals = luaValuesInto(cw.valBuf[:0], L, 2, len(cw.evs))
	var cond *engine.Event
	if all {
		cond = h.sim.AllOf(cw.evs...)
	} else {
		cond = h.sim.AnyOf(cw.evs...)
	}
	cond.OnDoneBy(cw)
	p.w.OnWithdraw(cw.withdrawFn)
	return p.wait(L)
}

// condWait returns a condWait for p's next wait: one that served a wait before
// (see EventDone) or a new one.
func (h *host) condWait(p *luaProc) *condWait {
	var cw *condWait
	if n := len(h.condFree); n > 0 {
		cw = h.condFree[n-1]
		h.condFree = h.condFree[:n-1]
	} else {
		cw = new(condWait)
		cw.withdrawFn = cw.withdraw // made once: the method value allocates
	}
	cw.p, cw.live = p, true
	return cw
}

// condWait is a process's wait for any_of or all_of: the events, their Lua
// values (the first few in the struct itself) and whether it still waits;
// where slices and captured variables made seven allocations. Lua never sees
// it, and once its condition has fired it is reused (host.condFree): no
// allocation at all in the steady state.
type condWait struct {
	p          *luaProc
	evs        []*engine.Event
	vals       []lua.LValue
	live       bool
	withdrawFn func() // cw.withdraw, the process's Waiter.OnWithdraw
	evBuf      [4]*engine.Event
	valBuf     [4]lua.LValue
}

// EventDone wakes the process with the list of the fired events' values, or
// nil and the error of a failed condition; then cw serves another wait.
func (cw *condWait) EventDone(c *engine.Event) {
	p := cw.p
	h := p.h
	if cw.live {
		cw.live = false
		if c.Err != nil {
			p.wake([]lua.LValue{lua.LNil, lua.LString(c.Err.Error())})
		} else {
			p.one[0] = firedTable(h.L, cw.evs, cw.vals, c.Value.([]*engine.Event))
			p.wake(p.one[:])
		}
	}
	// Nothing refers to cw now: the condition fired once and dropped its
	// callbacks, and the process's Waiter dropped withdrawFn when the wait
	// ended (wake above: a live wait is a parked process, whose Wake clears
	// it; or the withdrawal that ended it earlier).
	*cw = condWait{withdrawFn: cw.withdrawFn}
	h.condFree = append(h.condFree, cw)
}

// withdraw is called when the wait ends another way (an interrupt).
func (cw *condWait) withdraw() { cw.live = false }
