package verify

import (
	"context"
	"math"
	"testing"
)

// Erlang C for c=1 reduces to M/M/1: P(wait) = rho, Wq = rho/(mu-lambda).
func TestErlangCReducesToMM1(t *testing.T) {
	p, wq := ErlangC(1, 0.7, 1)
	if math.Abs(p-0.7) > 1e-12 || math.Abs(wq-0.7/0.3) > 1e-12 {
		t.Fatalf("P(wait) %v Wq %v", p, wq)
	}
	// Published value for c=10, rho=0.9, mu=1 (the reference figure).
	if _, wq := ErlangC(10, 9, 1); math.Abs(wq-0.668732) > 5e-7 {
		t.Fatalf("Wq %v", wq)
	}
}

func TestQueueingChecksPass(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, r := range Run(context.Background(), []string{"queueing"}, false) {
		if !r.Pass || r.Err != "" {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
}

// The recursion against Erlang's definition B = (a^c/c!) / Σ_{k<=c} a^k/k!, and
// the limiting cases of the other formulas.
func TestErlangBAgainstDefinition(t *testing.T) {
	a, c := 8.0, 10
	term, sum := 1.0, 1.0
	for k := 1; k <= c; k++ {
		term *= a / float64(k)
		sum += term
	}
	if b := ErlangB(c, a); math.Abs(b-term/sum) > 1e-12 {
		t.Fatalf("ErlangB %v, definition %v", b, term/sum)
	}
	// M/M/1/K with K -> infinity tends to rho/(1-rho)
	if l := MM1KL(0.5, 200); math.Abs(l-1) > 1e-12 {
		t.Fatalf("MM1KL %v", l)
	}
	// Cobham with one class is Pollaczek-Khinchine
	if w := Cobham([]float64{0.8}, []float64{1}, []float64{2})[0]; math.Abs(w-PollaczekKhinchine(0.8, 1, 2)) > 1e-12 {
		t.Fatalf("Cobham %v", w)
	}
}
