package pk

// Infusions are the infusions running in a simulation, by an id that each
// one's start and end events share, and the application of NONMEM's
// steady-state records to the state (this package's Simulate and
// physio/modlang's): SS = 1 resets the amounts to the steady state and ends
// the infusions running, whose end events then change nothing; SS = 2 adds
// the steady state to the amounts. The zero value is ready.
type Infusions struct{ running, ended map[int]bool }

// Start records infusion id as running.
func (f *Infusions) Start(id int) {
	if f.running == nil {
		f.running = map[int]bool{}
	}
	f.running[id] = true
}

// End reports whether infusion id's end event takes its rate off: false
// when a reset ended it already.
func (f *Infusions) End(id int) bool {
	if f.ended[id] {
		delete(f.ended, id)
		return false
	}
	delete(f.running, id)
	return true
}

// SteadyState applies a steady-state record (flag SS = 1 or 2) whose state
// is ss to the amounts a and the infusion rates r.
func (f *Infusions) SteadyState(flag int, ss, a, r []float64) {
	if flag != 1 {
		for i := range a {
			a[i] += ss[i]
		}
		return
	}
	copy(a, ss)
	clear(r) // a reset ends the infusions running
	for id := range f.running {
		if f.ended == nil {
			f.ended = map[int]bool{}
		}
		f.ended[id] = true
	}
	clear(f.running)
}
