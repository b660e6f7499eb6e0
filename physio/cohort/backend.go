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

// Get returns a backend by name ("cpu" is always there; "auto" picks the best
// registered one: cuda when present).
func Get(name string) (Backend, error) {
	mu.Lock()
	defer mu.Unlock()
	if name == "auto" {
		if b, ok := backends["cuda"]; ok {
			return b, nil
		}
		name = "cpu"
	}
	b, ok := backends[name]
	if !ok {
		var names []string
		for n := range backends {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("cohort: no backend %q (built in: %v)", name, names)
	}
	return b, nil
}
