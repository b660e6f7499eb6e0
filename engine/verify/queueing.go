package verify

import (
	"context"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine"
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
	return Result{Expected: expected, Measured: sum.Mean, Low: sum.Low, High: sum.High,
		Tolerance: "95% CI contains the expected value", Source: source, Pass: sum.Contains(expected),
		Detail: fmt.Sprintf("%d replications, half-width %.3g%% of the value", sum.N, 100*sum.HalfWidth/math.Abs(expected))}
}

func init() {
	Register(Check{Suite: "queueing", Name: "M/M/c Erlang C mean wait (c=10, rho=0.9)", Run: func(ctx context.Context, full bool) Result {
		reps, n := 20, 200_000
		if full {
			reps = 100
		}
		_, want := ErlangC(10, 9, 1)
		v, err := replicate(ctx, engine.MMc{C: 10, Lambda: 9, Mu: 1, Customers: n}, reps, "wait_q")
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(want, v["wait_q"], "Erlang C, Kleinrock 1975 eq. 3.40")
	}})
	Register(Check{Suite: "queueing", Name: "M/M/1 mean wait (rho=0.8)", Run: func(ctx context.Context, full bool) Result {
		reps := 20
		if full {
			reps = 100
		}
		// Wq = rho / (mu - lambda) for M/M/1 (Kleinrock 1975, eq. 3.25).
		want := 0.8 / (1 - 0.8)
		v, err := replicate(ctx, engine.MMc{C: 1, Lambda: 0.8, Mu: 1, Customers: 200_000}, reps, "wait_q")
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(want, v["wait_q"], "M/M/1, Kleinrock 1975 eq. 3.25")
	}})
	Register(Check{Suite: "queueing", Name: "Little's law Lq = lambda Wq on M/M/c", Run: func(ctx context.Context, full bool) Result {
		// Over a fixed horizon the time-average queue length equals the arrival
		// rate times the mean wait (Little 1961), up to end effects.
		e := engine.Experiment{Seed: 7, From: 0, To: 20, Horizon: 200_000, Warmup: 1000,
			Build: engine.MMc{C: 5, Lambda: 4, Mu: 1}.Build}
		var diffs []float64
		err := e.Run(ctx, func(r engine.RepResult) error {
			var lq, wq, arr float64
			for _, k := range r.KPIs {
				switch k.Name {
				case "servers.queue_mean":
					lq = k.Value
				case "servers.wait_mean_s":
					wq = k.Value
				case "servers.served":
					arr = k.Value
				}
			}
			diffs = append(diffs, lq-arr/(200_000-1000)*wq)
			return nil
		})
		if err != nil {
			return Result{Err: err.Error()}
		}
		return statCheck(0, diffs, "Little 1961: L = lambda W (difference expected 0)")
	}})
}
