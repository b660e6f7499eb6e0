package plan

import (
	"context"
	"math"
	"strconv"
)

// Evaluate sets the named parameters of m to x (an integer parameter rounded
// to the nearest integer), runs replication 0 and returns the KPI's value: one
// point of a sensitivity analysis (common random numbers across points).
func Evaluate(ctx context.Context, m Model, names []string, x []float64, kpi string) (float64, error) {
	d := m.Describe()
	for i, name := range names {
		v := x[i]
		if p := d.Param(name); p != nil && p.Integer {
			v = math.Round(v)
		}
		var err error
		if m, err = m.With(name, strconv.FormatFloat(v, 'g', -1, 64)); err != nil {
			return 0, err
		}
	}
	reps, err := Replicate(ctx, m, 0, 1, 1)
	if err != nil {
		return 0, err
	}
	vals, _ := Values(reps)
	k, ok := vals[kpi]
	if !ok {
		return 0, &UnknownKPIError{Who: "evaluate", Name: kpi, Known: kpiNames(vals)}
	}
	return k[0], nil
}
