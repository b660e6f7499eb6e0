package scripts

import (
	"context"
	"sync"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// luaWorker is one Lua state set up once (sandbox, libraries, prelude, the
// scenario's declaration functions, the metatables of medtwin's types) and
// reused by the replications one worker runs, one after another. Each
// replication starts from the same state: reset puts back every table a script
// can reach without a model (the globals, the string, table and math
// libraries, their metatables and the string metatable) as the snapshot taken
// after set-up has it, and the scenario chunk runs again from its compiled
// prototype, so that its top-level locals, its scenario table and the module
// cache of require are new too. What a replication writes into a global or a
// library table is therefore gone in the next one. (Functions are immutable in
// a sandbox without the debug library, the prelude keeps only functions in its
// upvalues, and the metatables of medtwin's userdata are hidden from
// getmetatable: see hostTypes.)
type luaWorker struct {
	sc   *Scenario
	ctx  context.Context
	L    *lua.LState
	ht   *hostTypes
	snap []tableSnap
	// indices into snap of the globals and the string metatable (-1: none)
	global, strMT int
	require       lua.LGFunction // this replication's require, with its module cache
	broken        bool           // a replication failed: the state is not reused
	// pure: the chunk cannot change or read anything a replication can change
	// (see chunkIsPure), so its table is kept (chunk) and reused while the
	// globals are the table it was made with (chunkG: its functions' _ENV)
	pure          bool
	chunk, chunkG *lua.LTable
	params        paramsSnap
	// builtin: a value of each type whose metatable is one for all its values
	// (numbers, booleans, strings, functions, threads) and that metatable as
	// set up; setmetatable(0, mt) changes it. keepsBuiltinMT: the scenario
	// cannot (see newLuaWorker), and reset need not put them back
	builtin        []lua.LValue
	builtinMT      []lua.LValue
	keepsBuiltinMT bool
	// outOfReach: no code of the scenario can reach a table of the snapshot
	// (see snapshotOutOfReach), so reset need not compare them
	outOfReach bool
	// h is the host of the replication running on w; release gives w back
	// to its pool when that replication's Sim is closed (see workerPool.build)
	h       *host
	release func()
}

// paramsSnap is the p table the last replication's build got, kept while
// every parameter is a number, boolean or string: the next replication gets
// the same table if it still holds exactly those values and its metatable
// (see luaWorker.paramTable). A table-valued parameter (a list) could be
// changed in place, so such a p is made anew each time.
type paramsSnap struct {
	p, mt  *lua.LTable
	keys   []string
	values []lua.LValue
	raw    int // rawKeys of p
	mtIdx  lua.LValue
	mtRaw  int // rawKeys of mt
}

// paramTable returns the p for this replication's build(sim, p).
func (w *luaWorker) paramTable() *lua.LTable {
	ps := &w.params
	if ps.p != nil && ps.unchanged() {
		return ps.p
	}
	p := w.sc.paramTable(w.L)
	*ps = paramsSnap{}
	mt, _ := p.Metatable.(*lua.LTable)
	for _, prm := range w.sc.Params {
		v := p.RawGetString(prm.Name)
		if _, ok := v.(*lua.LTable); ok || mt == nil {
			return p
		}
		ps.keys, ps.values = append(ps.keys, prm.Name), append(ps.values, v)
	}
	ps.p, ps.mt, ps.raw, ps.mtIdx, ps.mtRaw = p, mt, rawKeys(p), mt.RawGetString("__index"), rawKeys(mt)
	return p
}

func (ps *paramsSnap) unchanged() bool {
	if rawKeys(ps.p) != ps.raw || ps.p.Metatable != ps.mt || rawKeys(ps.mt) != ps.mtRaw ||
		ps.mt.Metatable != lua.LNil || ps.mt.RawGetString("__index") != ps.mtIdx {
		return false
	}
	for i, k := range ps.keys {
		if ps.p.RawGetString(k) != ps.values[i] {
			return false
		}
	}
	return true
}

// tableSnap is one table's entries as set up, in iteration order. cur is the
// table in use now: the original, or a copy made when a replication changed it.
// A value that is itself a table of the snapshot is followed by its index (refs),
// so that a copy points at the copies in use.
type tableSnap struct {
	cur    *lua.LTable
	keys   []lua.LValue
	values []lua.LValue
	refs   []int // per value: the snapshot index of a table value, or -1
	meta   int   // snapshot index of the metatable, or -1 for one kept as is
	mt     lua.LValue
	raw    int // length of the table's key list, deleted keys included
}

// newLuaWorker makes the state and takes its snapshot.
func newLuaWorker(ctx context.Context, sc *Scenario) (*luaWorker, error) {
	L, err := sc.newState(ctx)
	if err != nil {
		return nil, err
	}
	// The kernel checks the run's context every 1,024 events (the Sim of an
	// Experiment's replication has the ctx the experiment was made with), and
	// each event enters Lua at most once or twice (a process resumed, a
	// callback): the entries need not check it again before their first
	// instruction; a script that runs on is still stopped by the VM's own
	// check every 1,024 jumps and calls (gopher-lua patches 21e and 25).
	L.SetEntryContextCheck(false)
	w := &luaWorker{sc: sc, ctx: ctx, L: L, ht: newHostTypes(L), strMT: -1, pure: chunkIsPure(sc.proto)}
	w.require = requireFn(sc.Dir)
	L.SetGlobal("require", L.NewFunction(func(L *lua.LState) int { return w.require(L) }))
	index := map[*lua.LTable]int{}
	var visit func(t *lua.LTable) int
	visit = func(t *lua.LTable) int {
		if i, ok := index[t]; ok {
			return i
		}
		i := len(w.snap)
		index[t] = i
		w.snap = append(w.snap, tableSnap{cur: t, meta: -1, mt: t.Metatable})
		var keys, values []lua.LValue
		// next's order (ForEach walks a Go map in random order): the copy reset
		// makes visits its keys in the order the table set up does
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			keys, values = append(keys, k), append(values, v)
		}
		refs := make([]int, len(values))
		for j, v := range values {
			refs[j] = -1
			if vt, ok := v.(*lua.LTable); ok {
				refs[j] = visit(vt)
			}
		}
		meta := -1
		if mt, ok := t.Metatable.(*lua.LTable); ok {
			meta = visit(mt)
		}
		w.snap[i].keys, w.snap[i].values, w.snap[i].refs, w.snap[i].meta = keys, values, refs, meta
		return i
	}
	w.global = visit(L.G.Global)
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		w.strMT = visit(mt)
	}
	for i := range w.snap {
		w.snap[i].raw = rawKeys(w.snap[i].cur)
	}
	w.outOfReach = snapshotOutOfReach(sc.proto, L.G.Global)
	// only setmetatable changes the metatable of a number, boolean, string,
	// function or thread (there is no debug library); a scenario whose code
	// cannot reach the globals table nor a module (outOfReach) can call it only
	// by its global name
	w.keepsBuiltinMT = w.outOfReach && !readsGlobal(sc.proto, "setmetatable")
	w.builtin = []lua.LValue{lua.LNumber(0), lua.LFalse, lua.LString(""), L.NewFunction(paramFn), L}
	for _, v := range w.builtin {
		w.builtinMT = append(w.builtinMT, L.GetMetatable(v))
	}
	return w, nil
}

// rawKeys packs the lengths of t's key list (deleted keys stay in it, in their
// place, and come back there) and array part, which a replication that added
// a key changes (lua.LTable.KeyCounts, a method of the carried gopher-lua).
func rawKeys(t *lua.LTable) int {
	keys, array := t.KeyCounts()
	return keys<<20 | array
}

// unchanged reports whether table i holds exactly its snapshot: the same
// values under the same keys, no key added or deleted, the same metatable.
func (w *luaWorker) unchanged(i int) bool {
	s := &w.snap[i]
	// the key list keeps deleted keys in their place, so a replication that
	// sets a key deleted before the snapshot (dofile, the prelude's hooks)
	// leaves rawKeys as it was: the count of fields that hold a value tells
	if rawKeys(s.cur) != s.raw || s.cur.Entries() != len(s.keys) {
		return false
	}
	for j, k := range s.keys {
		want := s.values[j]
		if r := s.refs[j]; r >= 0 {
			want = w.snap[r].cur
		}
		if s.cur.RawGet(k) != want {
			return false
		}
	}
	if s.meta >= 0 {
		return s.cur.Metatable == w.snap[s.meta].cur
	}
	return s.cur.Metatable == s.mt
}

// reset puts the snapshot back: a table a replication changed is replaced by a
// new copy of its snapshot (a copy, not repairs in place, so that the order in
// which pairs visits its keys is the snapshot's too), the state's globals
// and string metatable are the tables in use, and the metatables of numbers,
// booleans, functions and threads are as set up (unless the scenario cannot
// change them: keepsBuiltinMT). When the scenario cannot reach those tables
// (outOfReach) they are as set up and are not compared: the comparison was
// most of the fixed cost of a replication of an empty scenario.
func (w *luaWorker) reset() {
	if !w.keepsBuiltinMT {
		for i, v := range w.builtin {
			w.L.SetMetatable(v, w.builtinMT[i]) // none is protected by __metatable at set-up
		}
	}
	if w.outOfReach {
		return // nor can it call require: no module cache to renew
	}
	var changed []int
	for i := range w.snap {
		if !w.unchanged(i) {
			changed = append(changed, i)
		}
	}
	if len(changed) > 0 {
		isNew := make([]bool, len(w.snap))
		for _, i := range changed {
			w.snap[i].cur = w.L.CreateTable(0, len(w.snap[i].keys))
			isNew[i] = true
		}
		for i := range w.snap {
			s := &w.snap[i]
			for j, k := range s.keys {
				if r := s.refs[j]; isNew[i] {
					v := s.values[j]
					if r >= 0 {
						v = w.snap[r].cur
					}
					s.cur.RawSet(k, v)
				} else if r >= 0 && isNew[r] {
					s.cur.RawSet(k, w.snap[r].cur) // an existing key: its place is kept
				}
			}
			if s.meta >= 0 {
				s.cur.Metatable = w.snap[s.meta].cur
			} else {
				s.cur.Metatable = s.mt
			}
		}
	}
	g := w.snap[w.global].cur
	w.L.G.Global, w.L.Env = g, g
	if w.strMT >= 0 {
		w.L.SetMetatable(lua.LString(""), w.snap[w.strMT].cur)
	}
	w.require = requireFn(w.sc.Dir) // a new module cache: modules run again
}

// pureGlobals are the globals a pure chunk may read: scenario and param, and
// the prelude's unit helpers (minutes(x) is x * 60, and so on), whose results
// depend on their argument alone. They are the prelude's functions as long as
// the globals are the table the chunk was run with (see luaWorker.build).
var pureGlobals = map[string]bool{"scenario": true, "param": true,
	"seconds": true, "minutes": true, "hours": true, "days": true, "weeks": true}

// chunkIsPure reports whether running the scenario chunk again would give a
// table equal to the last run's in every way a replication can see, so that the
// last one can be used instead: the chunk reads no global but pureGlobals
// (so it calls nothing else: no require, no math.random, no model),
// writes no global, and no function it makes captures one of its locals (a
// replication could change such a local, or a table it holds; with none, the
// chunk's tables are out of a replication's reach: build gets sim and a new p).
// Its functions' environment is the globals table they were made in: the table
// is reused only while reset keeps that table (see luaWorker.build).
func chunkIsPure(proto *lua.FunctionProto) bool {
	for _, child := range proto.FunctionPrototypes {
		if child.NumUpvalues != 0 {
			return false
		}
	}
	for _, inst := range proto.Code {
		switch int(inst >> 26) { // gopher-lua's opcode field
		case lua.OP_SETGLOBAL:
			return false
		case lua.OP_GETGLOBAL:
			k, _ := proto.Constants[int(inst&0x3ffff)].(lua.LString) // Bx: the name's constant
			if !pureGlobals[string(k)] {
				return false
			}
		}
	}
	return true
}

// build resets the state, runs the scenario chunk (or reuses its table, see
// chunkIsPure) and calls its build(sim, p) to put the model into s.
func (w *luaWorker) build(s *engine.Sim) (*host, error) {
	w.reset()
	t := w.chunk
	if g := w.L.G.Global; t == nil || w.chunkG != g {
		var err error
		if t, err = w.sc.runChunk(w.ctx, w.L); err != nil {
			w.broken = true
			return nil, err
		}
		if w.pure {
			w.chunk, w.chunkG = t, g
		}
	}
	h, err := w.sc.buildModel(w.ctx, w.L, w.ht, t, s, w.paramTable())
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
	var err error
	w.h, err = w.build(s)
	if w.release == nil {
		w.release = func() { p.release(w) } // made once per worker, not per replication
	}
	s.OnClose(w.release)
	return err
}

// release, when the Sim of w's replication is closed, gives w back to the pool
// unless the replication failed.
func (p *workerPool) release(w *luaWorker) {
	h := w.h
	w.h = nil
	if w.broken || h == nil || h.err != nil {
		w.L.Close()
		return
	}
	held := h.holding
	h.reclaimThreads()
	clear(held)
	h.holding = held[:0] // its memory, for the next replication's host (bind)
	p.mu.Lock()
	p.free = append(p.free, w)
	p.mu.Unlock()
}
