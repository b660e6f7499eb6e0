package scripts

import (
	"context"
	"sync"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// luaWorker is one Lua state set up once (sandbox, libraries, prelude, the
// scenario's declaration functions) and reused by the replications one worker
// runs, one after another. Each replication starts from the same state: reset
// gives it fresh copies of every table the scenario can reach without a model
// (the globals, the string, table and math libraries, their metatables and the
// string metatable), taken from a snapshot of the state as set up, and the
// scenario chunk is run again from its compiled prototype, so that its
// top-level locals, its scenario table and the module cache of require are new
// too. What a replication writes into a global or a library table is therefore
// gone in the next one. (Functions are immutable in a sandbox without the
// debug library, and the prelude keeps only functions in its upvalues.)
type luaWorker struct {
	sc   *Scenario
	ctx  context.Context
	L    *lua.LState
	snap []tableSnap
	// indices into snap of the globals, their metatable and the string metatable
	global, strMT int
	broken        bool // a replication failed: the state is not reused
}

// tableSnap is one table's entries as set up, in iteration order; meta is the
// index in the snapshot of its metatable, or -1 for a metatable kept as is.
type tableSnap struct {
	t      *lua.LTable
	keys   []lua.LValue
	values []lua.LValue
	meta   int
}

// newLuaWorker makes the state and takes its snapshot.
func newLuaWorker(ctx context.Context, sc *Scenario) (*luaWorker, error) {
	L, err := sc.newState(ctx)
	if err != nil {
		return nil, err
	}
	w := &luaWorker{sc: sc, ctx: ctx, L: L}
	index := map[*lua.LTable]int{}
	var visit func(t *lua.LTable) int
	visit = func(t *lua.LTable) int {
		if i, ok := index[t]; ok {
			return i
		}
		i := len(w.snap)
		index[t] = i
		w.snap = append(w.snap, tableSnap{t: t, meta: -1})
		var keys, values []lua.LValue
		t.ForEach(func(k, v lua.LValue) { keys, values = append(keys, k), append(values, v) })
		w.snap[i].keys, w.snap[i].values = keys, values
		for _, v := range values {
			if vt, ok := v.(*lua.LTable); ok {
				visit(vt)
			}
		}
		if mt, ok := t.Metatable.(*lua.LTable); ok {
			w.snap[i].meta = visit(mt)
		}
		return i
	}
	w.global = visit(L.G.Global)
	w.strMT = -1
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		w.strMT = visit(mt)
	}
	return w, nil
}

// reset installs fresh copies of the snapshot's tables as the state's globals
// and string metatable.
func (w *luaWorker) reset() {
	copies := make([]*lua.LTable, len(w.snap))
	for i, s := range w.snap {
		copies[i] = w.L.CreateTable(0, len(s.keys))
	}
	byTable := make(map[*lua.LTable]*lua.LTable, len(w.snap))
	for i, s := range w.snap {
		byTable[s.t] = copies[i]
	}
	for i, s := range w.snap {
		c := copies[i]
		for j, k := range s.keys {
			v := s.values[j]
			if vt, ok := v.(*lua.LTable); ok {
				v = byTable[vt]
			}
			c.RawSet(k, v)
		}
		if s.meta >= 0 {
			c.Metatable = copies[s.meta]
		} else {
			c.Metatable = s.t.Metatable
		}
	}
	g := copies[w.global]
	w.L.G.Global, w.L.Env = g, g
	if w.strMT >= 0 {
		w.L.SetMetatable(lua.LString(""), copies[w.strMT])
	}
	// a new module cache: require runs a module again in every replication
	g.RawSetString("require", w.L.NewFunction(requireFn(w.sc.Dir)))
}

// build resets the state, runs the scenario chunk and calls its build(sim, p)
// to put the model into s.
func (w *luaWorker) build(s *engine.Sim) (*host, error) {
	w.reset()
	t, err := w.sc.runChunk(w.ctx, w.L)
	if err != nil {
		w.broken = true
		return nil, err
	}
	h, err := w.sc.buildModel(w.ctx, w.L, t, s)
	if err != nil {
		w.broken = true
	}
	return h, err
}

// workerPool hands each replication of an experiment a reusable Lua state: at
// most one per replication running at once, so one per engine worker.
type workerPool struct {
	sc   *Scenario
	ctx  context.Context
	mu   sync.Mutex
	free []*luaWorker
}

// build is the experiment's Build: it takes a free state (or makes one), and
// gives it back when the Sim is closed unless the replication failed.
func (p *workerPool) build(s *engine.Sim) error {
	p.mu.Lock()
	var w *luaWorker
	if n := len(p.free); n > 0 {
		w = p.free[n-1]
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	if w == nil {
		var err error
		if w, err = newLuaWorker(p.ctx, p.sc); err != nil {
			return err
		}
	}
	h, err := w.build(s)
	s.OnClose(func() {
		if w.broken || h == nil || h.err != nil {
			w.L.Close()
			return
		}
		p.mu.Lock()
		p.free = append(p.free, w)
		p.mu.Unlock()
	})
	return err
}
