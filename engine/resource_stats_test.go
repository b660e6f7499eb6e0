package engine

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine/stats"
)

// mmcMeans runs reps replications of m and returns the replication values of
// the KPIs servers.system_mean (L) and servers.queue_mean (Lq).
func mmcMeans(t *testing.T, m MMc, reps int) (l, lq stats.Summary) {
	t.Helper()
	ls, lqs := make([]float64, reps), make([]float64, reps)
	for r := 0; r < reps; r++ {
		s := New(Options{Seed: 24, Replication: r})
		if err := m.Build(s); err != nil {
			t.Fatal(err)
		}
		if err := s.Run(math.Inf(1)); err != nil {
			t.Fatal(err)
		}
		ls[r], lqs[r] = math.NaN(), math.NaN()
		for _, k := range s.Results() {
			switch k.Name {
			case "servers.system_mean":
				ls[r] = k.Value
			case "servers.queue_mean":
				lqs[r] = k.Value
			}
		}
		s.Close()
	}
	return stats.Summarize(ls, 0.95), stats.Summarize(lqs, 0.95)
}

// checkCI fails unless the 95% CI s contains want and is narrower than 3% of
// it (so that a wrong statistic cannot pass on a wide interval).
func checkCI(t *testing.T, what string, s stats.Summary, want float64) {
	t.Helper()
	t.Logf("%s = %.5f ± %.5f (closed form %.6f)", what, s.Mean, s.HalfWidth, want)
	if !s.Contains(want) || s.HalfWidth > 0.03*want {
		t.Errorf("%s: 95%% CI [%.5f, %.5f] (half-width %.2f%%) should contain %.6f within 3%%",
			what, s.Low, s.High, 100*s.HalfWidth/want, want)
	}
}

// Issue 24: the time-average number in system L of M/M/1 is ρ/(1−ρ) and the
// number in queue Lq is ρ²/(1−ρ) (Gross & Harris 1998, Fundamentals of
// Queueing Theory, 3rd ed., eqs. 2.11 and 2.13). ρ = 0.5: L = 1, Lq = 0.5.
func TestSystemMeanMM1(t *testing.T) {
	const rho = 0.5
	l, lq := mmcMeans(t, MMc{C: 1, Lambda: rho, Mu: 1, Customers: 100_000}, 10)
	checkCI(t, "M/M/1 L", l, rho/(1-rho))
	checkCI(t, "M/M/1 Lq", lq, rho*rho/(1-rho))
}

// M/M/c: Lq = λ·Wq with Wq from Erlang C (Gross & Harris 1998, eqs. 2.27–2.28;
// Kleinrock 1975 eq. 3.40), and L = Lq + λ/μ (eq. 2.29). c = 3, λ = 2.4, μ = 1.
func TestSystemMeanMMcErlangC(t *testing.T) {
	const c, lambda, mu = 3, 2.4, 1.0
	_, wq := erlangC(c, lambda, mu)
	l, lq := mmcMeans(t, MMc{C: c, Lambda: lambda, Mu: mu, Customers: 100_000, Process: true}, 10)
	checkCI(t, "M/M/3 Lq", lq, lambda*wq)
	checkCI(t, "M/M/3 L", l, lambda*wq+lambda/mu)
}

// Little's law holds exactly on one simulated path that starts and ends empty:
// the area under the number in system is the sum of the customers' times in
// system, so L = λ·W with λ = n/T and W the mean time in system; the same for
// the queue (Lq = λ·Wq). Some customers balk (balk_at) or are blocked (a full
// waiting room) and count with a time in system of 0.
func TestLittlesLawOnThePath(t *testing.T) {
	s := New(Options{Seed: 7})
	r := mustRes(t, s, "servers", 2)
	r.SetQueueLimit(5)
	arrivals, service := s.RNG("arrivals"), s.RNG("service")
	var n int
	var sojourn, waited float64
	var arrive func()
	arrive = func() {
		n++
		if n < 20_000 {
			s.Schedule(arrivals.Exp(2.2), arrive)
		}
		balkAt := 2 * (n % 2) // every other customer balks at 2 waiting
		s.Process("customer", func(p *Proc) {
			t0 := p.Now()
			q, err := p.RequestWith(r, RequestOpts{BalkAt: balkAt})
			if err != nil {
				return
			}
			waited += p.Now() - t0
			p.Timeout(service.Exp(1))
			p.Release(q)
			sojourn += p.Now() - t0
		})
	}
	s.Schedule(0, arrive)
	if err := s.Run(math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	T := s.Now()
	if r.balked == 0 || r.blocked == 0 {
		t.Fatalf("want some balked and some blocked customers, got %v and %v", r.balked, r.blocked)
	}
	lambda := float64(n) / T
	if l, want := r.SystemMean(), lambda*sojourn/float64(n); math.Abs(l-want) > 1e-9*want {
		t.Errorf("L = %.12g, λW = %.12g", l, want)
	}
	if lq, want := r.QueueMean(), lambda*waited/float64(n); math.Abs(lq-want) > 1e-9*want {
		t.Errorf("Lq = %.12g, λWq = %.12g", lq, want)
	}
}
