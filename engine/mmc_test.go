package engine

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine/stats"
)

// erlangC returns the mean wait in queue of M/M/c by the Erlang C formula
// (Kleinrock 1975, Queueing Systems vol. 1, eq. 3.40), computed here
// independently of the simulation: P(wait) = (a^c/c!)/(1-ρ) / (Σ_{k<c} a^k/k! +
// (a^c/c!)/(1-ρ)) with a = λ/μ, ρ = a/c, and Wq = P(wait)/(cμ - λ).
func erlangC(c int, lambda, mu float64) (pWait, wq float64) {
	a := lambda / mu
	rho := a / float64(c)
	term, sum := 1.0, 0.0
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term / (1 - rho)
	pWait = top / (sum + top)
	return pWait, pWait / (float64(c)*mu - lambda)
}

func TestErlangCFunction(t *testing.T) {
	// The figure for c=10, rho=0.9, mu=1.
	if _, wq := erlangC(10, 9, 1); math.Abs(wq-0.668732) > 1e-6 {
		t.Fatalf("Erlang C Wq = %v, want 0.668732", wq)
	}
}

func runMMc(t *testing.T, m MMc, reps int) stats.Summary {
	t.Helper()
	waits := make([]float64, reps)
	for r := 0; r < reps; r++ {
		s := New(Options{Seed: 2024, Replication: r})
		if err := m.Build(s); err != nil {
			t.Fatal(err)
		}
		if err := s.Run(math.Inf(1)); err != nil {
			t.Fatal(err)
		}
		res := s.Results()
		for _, k := range res {
			if k.Name == "wait_q" {
				waits[r] = k.Value
				if k.N != int64(m.Customers) {
					t.Fatalf("replication %d served %d customers, want %d", r, k.N, m.Customers)
				}
			}
		}
		s.Close()
	}
	return stats.Summarize(waits, 0.95)
}

// Acceptance: M/M/c (c=10, rho=0.9, mu=1), 20 replications of 200k customers:
// the 95% CI of the mean wait in queue contains the Erlang C value.
func TestMMcErlangC(t *testing.T) {
	_, want := erlangC(10, 9, 1)
	for _, proc := range []bool{false, true} {
		s := runMMc(t, MMc{C: 10, Lambda: 9, Mu: 1, Customers: 200_000, Process: proc}, 20)
		t.Logf("process=%v: Wq = %.5f ± %.5f (Erlang C %.6f)", proc, s.Mean, s.HalfWidth, want)
		if !s.Contains(want) {
			t.Errorf("process=%v: CI [%v, %v] misses Erlang C %v", proc, s.Low, s.High, want)
		}
	}
}

// Both styles draw the same numbers in the same order, so they must agree
// customer for customer: same mean wait to rounding.
func TestMMcStylesAgree(t *testing.T) {
	a := runMMc(t, MMc{C: 3, Lambda: 2.5, Mu: 1, Customers: 5000}, 2)
	b := runMMc(t, MMc{C: 3, Lambda: 2.5, Mu: 1, Customers: 5000, Process: true}, 2)
	if math.Abs(a.Mean-b.Mean) > 1e-9*a.Mean {
		t.Fatalf("callback %v vs process %v", a.Mean, b.Mean)
	}
}
