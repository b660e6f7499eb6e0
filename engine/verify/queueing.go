package verify

import (
	"context"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// ErlangC returns P(wait) and the mean wait in queue Wq of an M/M/c queue with
// arrival rate lambda and service rate mu per server (Kleinrock 1975, Queueing
// Systems vol. 1, eq. 3.39–3.40). It needs lambda < c*mu.
func ErlangC(c int, lambda, mu float64) (pWait, wq float64) {
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

// replicate runs reps replications of an M/M/c and returns the given KPI's values.
func replicate(ctx context.Context, m engine.MMc, reps int, kpis ...string) (map[string][]float64, error) {
	e := engine.Experiment{Seed: 20240601, From: 0, To: reps, Horizon: math.Inf(1), Build: m.Build}
	out := map[string][]float64{}
	err := e.Run(ctx, func(r engine.RepResult) error {
		for _, k := range r.KPIs {
			for _, want := range kpis {
				if k.Name == want {
					out[want] = append(out[want], k.Value)
				}
			}
		}
		return nil
	})
	return out, err
}

func statCheck(expected float64, xs []float64, source string) Result {
	sum := summarize(xs)
	rel := sum.HalfWidth / math.Abs(expected)
	return Result{Expected: expected, Measured: sum.Mean, Low: sum.Low, High: sum.High,
		Tolerance: "95% CI contains it, half-width < 2%", Source: source, Pass: sum.Contains(expected) && rel < 0.02,
		Detail: fmt.Sprintf("%d replications, half-width %.2f%% of the value", sum.N, 100*rel)}
}

// ErlangB returns the blocking probability of M/M/c/c with offered load a = λ/μ
// by the recursion B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1)) (Jagerman 1974).
func ErlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// MM1KL returns the mean number in an M/M/1/K system at load rho ≠ 1
// (Gross & Harris 1998, Fundamentals of Queueing Theory, eq. 2.33).
func MM1KL(rho float64, k int) float64 {
	rk1 := math.Pow(rho, float64(k+1))
	return rho/(1-rho) - float64(k+1)*rk1/(1-rk1)
}

// PollaczekKhinchine returns the mean wait in queue of M/G/1: λ·E[S²]/(2(1−ρ)).
func PollaczekKhinchine(lambda, meanS, secondMomentS float64) float64 {
	return lambda * secondMomentS / (2 * (1 - lambda*meanS))
}

// Cobham returns the mean waits in queue of a non-preemptive priority M/G/1 with
// classes in priority order (Cobham 1954, J Oper Res Soc Am 2:70):
// Wq_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), W0 = Σ λ_i·E[S_i²]/2, σ_k = Σ_{i≤k} ρ_i.
func Cobham(lambda, meanS, secondS []float64) []float64 {
	w0 := 0.0
	for i := range lambda {
		w0 += lambda[i] * secondS[i] / 2
	}
	out := make([]float64, len(lambda))
	sigma := 0.0
	for k := range lambda {
		prev := sigma
		sigma += lambda[k] * meanS[k]
		out[k] = w0 / ((1 - prev) * (1 - sigma))
	}
	return out
}

// collect runs an experiment and returns the per-replication values of kpi.
func collect(ctx context.Context, e engine.Experiment, f func(r engine.RepResult) float64) ([]float64, error) {
	var out []float64
	err := e.Run(ctx, func(r engine.RepResult) error { out = append(out, f(r)); return nil })
	return out, err
}

func kpiOf(r engine.RepResult, name string) float64 {
	for _, k := range r.KPIs {
		if k.Name == name {
			return k.Value
		}
	}
	return math.NaN()
}

func waitCheck(name, source string, m engine.MMc, reps int, want float64) Check {
	return Check{Suite: "queueing", Name: name, Run: func(ctx context.Context, full bool) Result {
		r := reps
		if full {
			r *= 4
		}
		v, err := replicate(ctx, m, r, "wait_q")
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(want, v["wait_q"], source)
	}}
}

func init() {
	_, wq := ErlangC(10, 9, 1)
	Register(waitCheck("M/M/c Erlang C mean wait (c=10, rho=0.9)", "Erlang C, Kleinrock 1975 eq. 3.40",
		engine.MMc{C: 10, Lambda: 9, Mu: 1, Customers: 500_000}, 40, wq))
	Register(waitCheck("M/M/1 mean wait (rho=0.8)", "M/M/1, Kleinrock 1975 eq. 3.25",
		engine.MMc{C: 1, Lambda: 0.8, Mu: 1, Customers: 1_000_000}, 40, 0.8/(1-0.8)))
	Register(waitCheck("M/D/1 mean wait (rho=0.8)", "Pollaczek-Khinchine, E[S^2] = 1 (Kleinrock 1975 eq. 5.105)",
		engine.MMc{C: 1, Lambda: 0.8, Mu: 1, Customers: 1_000_000, Service: func(*rng.Stream) float64 { return 1 }},
		40, PollaczekKhinchine(0.8, 1, 1)))
	Register(waitCheck("M/G/1 gamma(2) service mean wait (rho=0.8)", "Pollaczek-Khinchine, E[S^2] = 1.5 for gamma shape 2, mean 1",
		engine.MMc{C: 1, Lambda: 0.8, Mu: 1, Customers: 1_000_000, Service: func(s *rng.Stream) float64 { return s.Gamma(2, 2) }},
		40, PollaczekKhinchine(0.8, 1, 1.5)))
	Register(Check{Suite: "queueing", Name: "M/M/c/c Erlang B blocking (c=10, a=8)", Run: func(ctx context.Context, full bool) Result {
		e := engine.Experiment{Seed: 31, From: 0, To: 30, Horizon: math.Inf(1), Build: engine.MMc{C: 10, Lambda: 8, Mu: 1, K: 10, Customers: 300_000}.Build}
		v, err := collect(ctx, e, func(r engine.RepResult) float64 { return kpiOf(r, "servers.blocked") / kpiOf(r, "servers.arrivals") })
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(ErlangB(10, 8), v, "Erlang B (Jagerman 1974 recursion)")
	}})
	Register(Check{Suite: "queueing", Name: "M/M/1/K mean number in system (rho=0.9, K=10)", Run: func(ctx context.Context, full bool) Result {
		e := engine.Experiment{Seed: 32, From: 0, To: 30, Horizon: 400_000, Warmup: 1000, Build: engine.MMc{C: 1, Lambda: 0.9, Mu: 1, K: 10}.Build}
		v, err := collect(ctx, e, func(r engine.RepResult) float64 {
			return kpiOf(r, "servers.system_mean")
		})
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(MM1KL(0.9, 10), v, "Gross & Harris 1998, eq. 2.33")
	}})
	for class, name := range []string{"urgent", "routine"} {
		class, name := class, name
		Register(Check{Suite: "queueing", Name: "non-preemptive priority M/M/1, " + name + " class wait (Cobham)", Run: func(ctx context.Context, full bool) Result {
			want := Cobham([]float64{0.3, 0.5}, []float64{1, 1}, []float64{2, 2})[class]
			e := engine.Experiment{Seed: 33, From: 0, To: 40, Horizon: 1_000_000, Warmup: 1000, Build: priorityMM1}
			v, err := collect(ctx, e, func(r engine.RepResult) float64 { return kpiOf(r, fmt.Sprintf("wait_class%d", class+1)) })
			if err != nil {
				return Result{Err: err.Error()}
			}
			return statCheck(want, v, "Cobham 1954: Wq_k = W0/((1-sigma_{k-1})(1-sigma_k))")
		}})
	}
}

// priorityMM1 is an M/M/1 with two Poisson classes (rates 0.3 and 0.5, service
// rate 1) served non-preemptively in priority order.
func priorityMM1(s *engine.Sim) error {
	srv, err := s.NewResource("server", 1)
	if err != nil {
		return err
	}
	svc := s.RNG("service")
	for c, lambda := range []float64{0.3, 0.5} {
		c, lambda := c, lambda
		arr := s.RNG(fmt.Sprintf("arrivals%d", c+1))
		w, _ := s.KPI(fmt.Sprintf("wait_class%d", c+1), engine.KindTally)
		onGrant := func(q *engine.Request) {
			w.Add(s.Now() - q.ArrivedAt)
			srv.ReleaseAfter(q, svc.Exp(1))
		}
		var next func()
		next = func() {
			srv.Acquire(engine.RequestOpts{Priority: c}, onGrant)
			s.Schedule(arr.Exp(lambda), next)
		}
		s.Schedule(arr.Exp(lambda), next)
	}
	return nil
}
