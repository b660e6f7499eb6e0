package engine

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/stats"
)

// waiter is a process or a callback waiting on a store or container.
type waiter struct {
	wt     *Waiter // the waiting process; nil for a callback or once served
	amount float64
	item   any
	filter func(any) bool
	onGet  func(any)
	onPut  func()
	gone   bool
}

func (w *waiter) abandon(*Waiter) { w.gone = true }

// Store holds discrete items (specimens, units of blood, patient files) up to a
// capacity; Get takes the oldest item (or the oldest that matches a filter) and
// waits while none is there; Put waits while the store is full (SimPy's Store and
// FilterStore).
type Store struct {
	sim      *Sim
	Name     string
	capacity int
	items    []any
	getters  []*waiter
	putters  []*waiter
	busy     bool
	level    stats.TimeWeighted
}

// NewStore creates a store holding at most capacity items (capacity >= 1; use
// math.MaxInt for unbounded).
func (s *Sim) NewStore(name string, capacity int) (*Store, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("engine: NewStore %q: capacity must be at least 1, got %d", name, capacity)
	}
	st := &Store{sim: s, Name: name, capacity: capacity, level: stats.NewTimeWeighted(s.now, 0)}
	s.levels = append(s.levels, &st.level)
	return st, nil
}

// Len returns the number of items in the store.
func (st *Store) Len() int { return len(st.items) }

// LevelMean returns the time-average number of items since the start (or the
// end of warm-up).
func (st *Store) LevelMean() float64 { return st.level.Mean(st.sim.now) }

// Put adds item, calling onPut (may be nil) when it is in; callback style.
func (st *Store) Put(item any, onPut func()) {
	st.putters = append(st.putters, &waiter{item: item, onPut: onPut})
	st.settle()
}

// Get takes the oldest item matching filter (nil: any) and passes it to onGet
// when there is one; callback style.
func (st *Store) Get(filter func(any) bool, onGet func(any)) {
	if onGet == nil {
		panic("engine: Store.Get: nil callback")
	}
	st.getters = append(st.getters, &waiter{filter: filter, onGet: onGet})
	st.settle()
}

// Put waits until there is room and adds item.
func (p *Proc) Put(st *Store, item any) error {
	if err := p.wt.Interrupted(); err != nil {
		return err
	}
	w := &waiter{item: item, wt: &p.wt}
	st.putters = append(st.putters, w)
	st.settle()
	if w.wt == nil { // done at once
		return nil
	}
	p.wt.on = w
	return p.park()
}

// Get waits for the oldest item matching filter (nil: any) and returns it.
func (p *Proc) Get(st *Store, filter func(any) bool) (any, error) {
	if err := p.wt.Interrupted(); err != nil {
		return nil, err
	}
	w := &waiter{filter: filter, wt: &p.wt}
	st.getters = append(st.getters, w)
	st.settle()
	if w.wt == nil {
		return w.item, nil
	}
	p.wt.on = w
	if err := p.park(); err != nil {
		return nil, err
	}
	return w.item, nil
}

// finish completes a waiter: a process that has not parked yet (satisfied in
// its own call) just sees w.wt cleared; a parked one is woken.
func (w *waiter) finish(s *Sim) {
	wt := w.wt
	if wt == nil {
		return
	}
	w.wt = nil
	if !wt.parked {
		return // satisfied before it parked
	}
	wt.on = nil
	wt.Wake(nil)
}

// settle serves putters and getters in arrival order until neither can move.
func (st *Store) settle() {
	if st.busy {
		return
	}
	st.busy = true
	defer func() { st.busy = false }()
	for moved := true; moved; {
		moved = false
		for len(st.putters) > 0 && (st.putters[0].gone || len(st.items) < st.capacity) {
			w := st.putters[0]
			st.putters = st.putters[1:]
			if w.gone {
				continue
			}
			st.items = append(st.items, w.item)
			st.level.Set(st.sim.now, float64(len(st.items)))
			moved = true
			w.finish(st.sim)
			if w.onPut != nil {
				w.onPut()
			}
		}
		for i := 0; i < len(st.getters); i++ {
			w := st.getters[i]
			if w.gone {
				st.getters = append(st.getters[:i], st.getters[i+1:]...)
				i--
				continue
			}
			j := st.match(w.filter)
			if j < 0 {
				if w.filter == nil {
					break // FIFO: later getters wait behind an unserved one
				}
				continue
			}
			w.item = st.items[j]
			st.items = append(st.items[:j], st.items[j+1:]...)
			st.level.Set(st.sim.now, float64(len(st.items)))
			st.getters = append(st.getters[:i], st.getters[i+1:]...)
			i--
			moved = true
			w.finish(st.sim)
			if w.onGet != nil {
				w.onGet(w.item)
			}
		}
	}
}

func (st *Store) match(f func(any) bool) int {
	for j, it := range st.items {
		if f == nil || f(it) {
			return j
		}
	}
	return -1
}

// Container holds a continuous amount (litres of oxygen, doses of a drug) between
// 0 and a capacity; Get waits until the amount is there, Put until there is room
// (SimPy's Container). Requests are served in arrival order.
type Container struct {
	sim      *Sim
	Name     string
	capacity float64
	lvl      float64
	getters  []*waiter
	putters  []*waiter
	busy     bool
	level    stats.TimeWeighted
}

// NewContainer creates a container with the given capacity (> 0, may be +Inf)
// and initial level in [0, capacity].
func (s *Sim) NewContainer(name string, capacity, initial float64) (*Container, error) {
	if !(capacity > 0) {
		return nil, fmt.Errorf("engine: NewContainer %q: capacity must be positive, got %g", name, capacity)
	}
	if !(initial >= 0 && initial <= capacity) {
		return nil, fmt.Errorf("engine: NewContainer %q: initial level %g is outside [0, %g]", name, initial, capacity)
	}
	c := &Container{sim: s, Name: name, capacity: capacity, lvl: initial, level: stats.NewTimeWeighted(s.now, initial)}
	s.levels = append(s.levels, &c.level)
	return c, nil
}

// Level returns the current amount.
func (c *Container) Level() float64 { return c.lvl }

// LevelMean returns the time-average amount since the start (or the end of
// warm-up).
func (c *Container) LevelMean() float64 { return c.level.Mean(c.sim.now) }

func checkAmount(call string, c *Container, x float64) error {
	if math.IsNaN(x) || x <= 0 || x > c.capacity {
		return fmt.Errorf("engine: %s on %s: amount must be in (0, %g], got %g", call, c.Name, c.capacity, x)
	}
	return nil
}

// PutAmount waits until there is room and adds x.
func (p *Proc) PutAmount(c *Container, x float64) error {
	if err := p.wt.Interrupted(); err != nil {
		return err
	}
	if err := checkAmount("PutAmount", c, x); err != nil {
		return err
	}
	w := &waiter{amount: x, wt: &p.wt}
	c.putters = append(c.putters, w)
	c.settle()
	if w.wt == nil {
		return nil
	}
	p.wt.on = w
	return p.park()
}

// GetAmount waits until x is available and takes it.
func (p *Proc) GetAmount(c *Container, x float64) error {
	if err := p.wt.Interrupted(); err != nil {
		return err
	}
	if err := checkAmount("GetAmount", c, x); err != nil {
		return err
	}
	w := &waiter{amount: x, wt: &p.wt}
	c.getters = append(c.getters, w)
	c.settle()
	if w.wt == nil {
		return nil
	}
	p.wt.on = w
	return p.park()
}

// Put adds x when there is room and then calls onPut (may be nil).
func (c *Container) Put(x float64, onPut func()) error {
	if err := checkAmount("Put", c, x); err != nil {
		return err
	}
	c.putters = append(c.putters, &waiter{amount: x, onPut: onPut})
	c.settle()
	return nil
}

// Get takes x when available and then calls onGet (may be nil).
func (c *Container) Get(x float64, onGet func()) error {
	if err := checkAmount("Get", c, x); err != nil {
		return err
	}
	c.getters = append(c.getters, &waiter{amount: x, onPut: onGet})
	c.settle()
	return nil
}

func (c *Container) settle() {
	if c.busy {
		return
	}
	c.busy = true
	defer func() { c.busy = false }()
	for moved := true; moved; {
		moved = false
		for len(c.putters) > 0 && (c.putters[0].gone || c.lvl+c.putters[0].amount <= c.capacity) {
			w := c.putters[0]
			c.putters = c.putters[1:]
			if w.gone {
				continue
			}
			c.lvl += w.amount
			c.level.Set(c.sim.now, c.lvl)
			moved = true
			w.finish(c.sim)
			if w.onPut != nil {
				w.onPut()
			}
		}
		for len(c.getters) > 0 && (c.getters[0].gone || c.getters[0].amount <= c.lvl) {
			w := c.getters[0]
			c.getters = c.getters[1:]
			if w.gone {
				continue
			}
			c.lvl -= w.amount
			c.level.Set(c.sim.now, c.lvl)
			moved = true
			w.finish(c.sim)
			if w.onPut != nil {
				w.onPut()
			}
		}
	}
}
