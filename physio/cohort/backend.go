package cohort

import (
	"fmt"
	"sort"
	"sync"
)

// Batch is a structure-of-arrays batch of subjects of a PK model with a depot
// and up to three disposition compartments: one slice per parameter, and
// the concentrations at the output grid, subject-major (Conc[i*len(Times)+k]).
type Batch struct {
	IDs                        []uint64
	KA, CL, V1, Q2, V2, Q3, V3 []float64
	NCmt                       int
	// Doses in mg into the depot at these times (hours, on the output grid).
	DoseTimes []float64
	DoseAmt   float64
	Times     []float64 // output grid, hours, evenly spaced from 0
	Conc      []float64
	// VMax and KM (mg/h and mg/L), when set, add Michaelis–Menten elimination
	// from the central compartment to every subject (CL may then be 0): the
	// batch is nonlinear and takes the ODE path.
	VMax, KM []float64
}

// Nonlinear reports whether the batch has Michaelis–Menten elimination.
func (b *Batch) Nonlinear() bool { return b.VMax != nil }

// Len returns the number of subjects.
func (b *Batch) Len() int { return len(b.IDs) }

// Backend simulates batches. Implementations register themselves by name.
type Backend interface {
	Name() string
	// Simulate fills b.Conc.
	Simulate(b *Batch) error
}

var (
	mu       sync.Mutex
	backends = map[string]Backend{}
)

// Register adds a backend (the database/sql pattern); a duplicate name panics.
func Register(b Backend) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := backends[b.Name()]; ok {
		panic("cohort: backend " + b.Name() + " registered twice")
	}
	backends[b.Name()] = b
}

// Prober is a backend that may be unable to run on this machine (one that
// needs a device, a driver or a helper program). Get("auto") prefers a ready
// Prober to the CPU; a plain Backend is chosen only by its name.
type Prober interface {
	Backend
	// Probe returns nil when the backend can run here, or why it cannot.
	Probe() error
}

// Auto returns the backend that "auto" names: the first registered Prober
// (in name order) whose Probe succeeds, else "cpu". Skipped lists, one error
// each, the Probers that could not run and why, for the caller to say so.
func Auto() (b Backend, skipped []error) {
	mu.Lock()
	var probers []Prober
	for _, n := range names() {
		if p, ok := backends[n].(Prober); ok {
			probers = append(probers, p)
		}
	}
	cpu := backends["cpu"]
	mu.Unlock()
	// probe outside the lock: a probe may start a helper process
	for _, p := range probers {
		err := p.Probe()
		if err == nil {
			return p, skipped
		}
		skipped = append(skipped, fmt.Errorf("backend %s: %w", p.Name(), err))
	}
	return cpu, skipped
}

// Get returns a backend by name ("cpu" is always there; "auto" is Auto's
// choice). A Prober asked for by name is probed: one that cannot run here is
// an error that says why.
func Get(name string) (Backend, error) {
	if name == "auto" {
		b, _ := Auto()
		return b, nil
	}
	mu.Lock()
	b, ok := backends[name]
	all := names()
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("cohort: no backend %q (built in: %v)", name, all)
	}
	if p, ok := b.(Prober); ok {
		if err := p.Probe(); err != nil {
			return nil, fmt.Errorf("cohort: backend %s cannot run here: %w", name, err)
		}
	}
	return b, nil
}

// names returns the registered names, sorted (mu held).
func names() []string {
	var out []string
	for n := range backends {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
