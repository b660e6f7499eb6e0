// Package verify is medtwin's verification and validation suite (ASME V&V 40 in
// practice): checks that compare the code with analytic solutions, published
// tables and reference implementations. Each check states the expected value,
// the measured value, the tolerance and the source of the expectation.
//
// Packages register their checks in init() (the database/sql pattern); `medtwin
// verify` runs every registered check.
package verify

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// Result is the outcome of one check.
type Result struct {
	Suite    string  `json:"suite"`
	Name     string  `json:"name"`
	Expected float64 `json:"expected"`
	Measured float64 `json:"measured"`
	// Low and High bound the measured value's confidence interval where the check
	// is statistical; Tolerance says what passing means in words.
	Low       float64 `json:"ci_low,omitempty"`
	High      float64 `json:"ci_high,omitempty"`
	Tolerance string  `json:"tolerance"`
	Source    string  `json:"source"`
	Pass      bool    `json:"pass"`
	Detail    string  `json:"detail,omitempty"`
	Err       string  `json:"error,omitempty"`
}

// Check is a registered verification check. Full asks for the long version
// (more replications, tighter tolerances) of `medtwin verify --full`.
type Check struct {
	Suite string
	Name  string
	Run   func(ctx context.Context, full bool) Result
}

var (
	mu       sync.Mutex
	registry []Check
)

// Register adds a check; it panics on a duplicate name (a programmer error).
func Register(c Check) {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range registry {
		if r.Suite == c.Suite && r.Name == c.Name {
			panic(fmt.Sprintf("verify: check %s/%s registered twice", c.Suite, c.Name))
		}
	}
	registry = append(registry, c)
}

// Checks returns the registered checks, sorted by suite and name.
func Checks() []Check {
	mu.Lock()
	defer mu.Unlock()
	out := append([]Check(nil), registry...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Suite != out[j].Suite {
			return out[i].Suite < out[j].Suite
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Run runs the checks whose suite is in suites (all if empty) and returns the
// results in order; a check that panics fails with the panic as its error.
func Run(ctx context.Context, suites []string, full bool) []Result {
	want := map[string]bool{}
	for _, s := range suites {
		want[s] = true
	}
	var out []Result
	for _, c := range Checks() {
		if len(want) > 0 && !want[c.Suite] {
			continue
		}
		out = append(out, runOne(ctx, c, full))
	}
	return out
}

func runOne(ctx context.Context, c Check, full bool) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Suite: c.Suite, Name: c.Name, Err: fmt.Sprint(p)}
		}
		r.Suite, r.Name = c.Suite, c.Name
	}()
	return c.Run(ctx, full)
}
