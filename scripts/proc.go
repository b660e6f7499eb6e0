package scripts

import (
	"errors"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// luaProc is a Lua process: a Lua function running on a pooled Lua thread that
// waits by yielding to the kernel. It implements engine.Action: the kernel fires
// it to resume the process.
type luaProc struct {
	h        *host
	th       *lua.LState
	ud       *lua.LUserData
	id       uint64
	waitKey  uint64
	waking   bool
	wakeVals []lua.LValue
	cancel   func()          // withdraws the process from what it waits for
	holding  *engine.Request // set while proc:use holds a unit
	pending  [][]lua.LValue  // interrupts that arrived while it ran, for its next waits
	byIntr   bool            // the scheduled wake-up delivers an interrupt
	ended    bool
	running  bool
	doneEv   *engine.Event
}

// start runs fn(proc, arg) as a new process now.
func (h *host) start(fn *lua.LFunction, arg lua.LValue) *luaProc {
	h.procs++
	p := &luaProc{h: h, id: h.procs}
	p.ud = h.wrap("proc", p)
	h.sim.AddLive(1)
	var th *lua.LState
	first := false
	if n := len(h.threads); n > 0 {
		th = h.threads[n-1]
		h.threads = h.threads[:n-1]
	} else {
		th, _ = h.L.NewThread()
		first = true
	}
	p.th = th
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
// code that starts a process) calls it, never a Lua thread on behalf of another,
// so Lua threads never nest.
func (p *luaProc) resume(fn *lua.LFunction, args ...lua.LValue) {
	h := p.h
	if fn == nil {
		fn = h.workerFn
	}
	p.running = true
	st, err, _ := h.L.Resume(p.th, fn, args...)
	p.running = false
	switch {
	case err != nil:
		h.fail(luaError(err, h.sc.Path, h.L.Context()))
		p.th = nil
		p.finish()
	case st == lua.ResumeOK:
		p.th = nil // the worker returned; cannot happen with the prelude's loop
		p.finish()
	case p.ended:
		h.threads = append(h.threads, p.th)
		p.th = nil
		p.finish()
	}
}

func (p *luaProc) finish() {
	if p.doneEv != nil && !p.doneEv.Triggered() {
		p.doneEv.Succeed(p.ud)
	}
	p.ended = true
	p.h.sim.AddLive(-1)
}

// Fire resumes the process if the firing event is the wake-up it waits for.
func (p *luaProc) Fire() {
	if !p.waking || p.h.sim.FiringKey() != p.waitKey || p.ended {
		return
	}
	p.waking = false
	p.cancel = nil
	vals := p.wakeVals
	p.wakeVals = nil
	p.resume(nil, vals...)
}

// wake schedules the process to resume now with vals as the results of its wait.
func (p *luaProc) wake(vals ...lua.LValue) {
	p.cancel = nil
	p.byIntr = false
	p.wakeVals = vals
	k, _ := p.h.sim.ScheduleAction(0, engine.PriorityUrgent, p)
	p.waitKey, p.waking = k, true
}

// wait yields the running process's thread; the Go function calling it must
// return its result. An interrupt that arrived while the process ran ends the
// wait at once: what it waited for is withdrawn.
func (p *luaProc) wait(L *lua.LState) int {
	if L != p.th {
		L.RaiseError("a process can only wait inside its own body (proc belongs to another process)")
	}
	if len(p.pending) > 0 {
		if c := p.cancel; c != nil {
			p.cancel = nil
			c()
		}
		p.waking, p.wakeVals = false, nil
		n, _ := p.interrupted(L)
		return n
	}
	return L.Yield()
}

// interrupted pushes the oldest interrupt that arrived while the process ran and
// reports true; its waits call it first, so that it is returned at once (SimPy
// delivers it at the process's next yield).
func (p *luaProc) interrupted(L *lua.LState) (int, bool) {
	if len(p.pending) == 0 {
		return 0, false
	}
	vals := p.pending[0]
	p.pending = p.pending[1:]
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals), true
}

func self(L *lua.LState) *luaProc {
	p := check[*luaProc](L, 1, "proc")
	if p.ended {
		L.RaiseError("the process has finished")
	}
	return p
}

var (
	strInterrupted = lua.LString("interrupted")
	strReneged     = lua.LString("reneged")
	strBalked      = lua.LString("balked")
	strPreempted   = lua.LString("preempted")
)

var procMethods = map[string]method{
	"now": func(h *host, L *lua.LState) int { L.Push(lua.LNumber(h.sim.Now())); return 1 },
	"id":  func(h *host, L *lua.LState) int { L.Push(lua.LNumber(check[*luaProc](L, 1, "proc").id)); return 1 },
	"timeout": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		dt := nonneg(L, 2, "delay")
		k, _ := h.sim.ScheduleAction(dt, engine.PriorityNormal, p)
		p.waitKey, p.waking, p.wakeVals = k, true, []lua.LValue{lua.LTrue}
		p.cancel = func() {}
		return p.wait(L)
	},
	"request": func(h *host, L *lua.LState) int {
		p := self(L)
		if n, ok := p.interrupted(L); ok {
			return n
		}
		r := check[*engine.Resource](L, 2, "resource")
		o := requestOpts(L, 3)
		if o.Entity == 0 {
			o.Entity = int64(p.id)
		}
		var ud *lua.LUserData
		immediate := true
		q, err := r.Claim(o, func(q *engine.Request) {
			if !immediate {
				p.wake(ud)
				// until the process runs, an interrupt withdraws the grant
				p.cancel = func() {
					if q.State() == engine.Granted {
						r.Release(q)
					}
				}
			}
		})
		immediate = false
		if errors.Is(err, engine.ErrBalked) {
			L.Push(lua.LNil)
			L.Push(strBalked)
			return 2
		} else if err != nil {
			raise(L, err)
		}
		ud = h.wrap("request", q)
		q.OnPreempt = func(*engine.Request) { p.interrupt(strPreempted, lua.LNil) }
		if q.State() == engine.Granted {
			L.Push(ud)
			return 1
		}
		q.OnRenege = func(*engine.Request) { p.wake(lua.LNil, strReneged) }
		p.cancel = func() { q.Cancel() }
		return p.wait(L)
	},
	"release": func(h *host, L *lua.LState) int {
		self(L)
		q := check[*engine.Request](L, 2, "request")
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
		q, err := r.Acquire(o, func(q *engine.Request) { r.ReleaseAfter(q, service) })
		if errors.Is(err, engine.ErrBalked) {
			L.Push(lua.LFalse)
			L.Push(strBalked)
			return 2
		} else if err != nil {
			raise(L, err)
		}
		// the kernel resumes or restarts the service after a preemption; the
		// process sleeps until the unit is released
		q.OnRelease = func(*engine.Request) {
			p.holding = nil
			p.cancel = nil
			p.resume(nil, lua.LTrue)
		}
		q.OnRenege = func(*engine.Request) { p.wake(lua.LFalse, strReneged) }
		p.holding = q
		p.cancel = func() {
			p.holding = nil
			if q.State() == engine.Granted {
				r.Release(q)
			} else if q.State() == engine.Queued {
				q.Cancel()
			}
		}
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
				p.wake(lua.LNil, lua.LString(ev.Err.Error()))
			} else {
				p.wake(eventValue(ev))
			}
		})
		p.cancel = func() { live = false }
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
				if !p.running {
					p.wake(lua.LTrue)
				}
			}
		})
		if done {
			L.Push(lua.LTrue)
			return 1
		}
		p.cancel = func() { live = false }
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
				if !p.running {
					p.wake(got)
				}
			}
		})
		if done {
			L.Push(got)
			return 1
		}
		p.cancel = func() { live = false }
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
		p.interrupt(strInterrupted, L.Get(2))
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

// interrupt wakes a waiting process with (false, why, cause), withdrawing it
// from what it waited for (a unit granted that it has not seen yet is given
// back). A running process (it started the process that interrupts it), or one
// already being woken by an interrupt, gets it from its next wait.
func (p *luaProc) interrupt(why lua.LString, cause lua.LValue) {
	if p.ended {
		return
	}
	if p.running || p.waking && p.byIntr {
		p.pending = append(p.pending, []lua.LValue{lua.LFalse, why, cause})
		return
	}
	if p.cancel != nil {
		c := p.cancel
		p.cancel = nil
		c()
	}
	p.wake(lua.LFalse, why, cause)
	p.byIntr = true
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
			if !p.running {
				p.wake(lua.LTrue)
			}
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
	p.cancel = func() { live = false }
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
	evs := h.events(L, 2)
	uds := make(map[*engine.Event]lua.LValue, len(evs))
	for i, ev := range evs {
		uds[ev] = L.Get(i + 2)
	}
	var cond *engine.Event
	if all {
		cond = h.sim.AllOf(evs...)
	} else {
		cond = h.sim.AnyOf(evs...)
	}
	live := true
	cond.OnDone(func(c *engine.Event) {
		if !live {
			return
		}
		live = false
		if c.Err != nil {
			p.wake(lua.LNil, lua.LString(c.Err.Error()))
			return
		}
		t := h.L.NewTable()
		for _, ev := range c.Value.([]*engine.Event) {
			t.Append(uds[ev])
		}
		p.wake(t)
	})
	p.cancel = func() { live = false }
	return p.wait(L)
}
