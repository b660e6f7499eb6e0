package plan

import (
	"context"

	"github.com/medtwin/medtwin/engine"
)

// Replicate runs replications [from, to) of m with its seed (on all cores
// unless workers > 0) and returns their results (KPIs only).
func Replicate(ctx context.Context, m Model, from, to, workers int) ([]engine.RepResult, error) {
	return replicate(ctx, m, m.Describe().Seed, from, to, workers)
}

func replicate(ctx context.Context, m Model, seed uint64, from, to, workers int) ([]engine.RepResult, error) {
	e := m.NewExperiment(ctx, seed, from, to)
	e.Workers = workers
	e.Trace, e.SampleEvery = false, 0
	var out []engine.RepResult
	tick := progressOf(ctx)
	err := e.Run(ctx, func(r engine.RepResult) error {
		tick()
		out = append(out, engine.RepResult{Replication: r.Replication, KPIs: r.KPIs})
		return nil
	})
	return out, err
}

// Values returns the per-replication values of each KPI, by name, in
// replication order, and the KPI names in order of first appearance. A counter
// missing from a replication is 0 there (engine.CompleteCounters).
func Values(reps []engine.RepResult) (map[string][]float64, []string) {
	reps = engine.CompleteCounters(reps)
	vals := map[string][]float64{}
	var order []string
	for _, r := range reps {
		for _, k := range r.KPIs {
			if _, ok := vals[k.Name]; !ok {
				order = append(order, k.Name)
			}
			vals[k.Name] = append(vals[k.Name], k.Value)
		}
	}
	return vals, order
}
