package scripts

import (
	"context"
	"fmt"
	"sort"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/scripts/plan"
	lua "github.com/yuin/gopher-lua"
)

// A Scenario is a plan.Model: compare, sweep, optimize and sensitivity take it
// through that interface only.
var _ plan.Model = (*Scenario)(nil)

// Describe returns the scenario's declarations as a plan.Description.
func (sc *Scenario) Describe() plan.Description {
	d := plan.Description{Name: sc.Name, Source: sc.Path, SHA256: sc.SHA256, Seed: sc.Seed, Replications: sc.Replications,
		KPIs: append([]plan.KPI(nil), sc.KPIs...), Horizon: sc.Horizon, Warmup: sc.Warmup}
	for _, p := range sc.Params {
		d.Params = append(d.Params, plan.Param{Name: p.Name, Kind: p.Kind.String(), Default: FormatValue(p.Default),
			Value: FormatValue(p.Value), Min: p.Min, Max: p.Max, Integer: p.Integer, Unit: p.Unit})
	}
	return d
}

// With returns a copy of the scenario with one parameter set (see Set).
func (sc *Scenario) With(name, value string) (plan.Model, error) {
	c := sc.Clone()
	if err := c.Set(name + "=" + value); err != nil {
		return nil, err
	}
	return c, nil
}

// NewExperiment is Experiment with the given seed.
func (sc *Scenario) NewExperiment(ctx context.Context, seed uint64, from, to int) engine.Experiment {
	e := sc.Experiment(ctx, from, to)
	e.Seed = seed
	return e
}

// parseKPIs reads the scenario's kpis = { name = { better = "lower"|"higher",
// unit = "..." }, ... } into sc.KPIs, sorted by name.
func (sc *Scenario) parseKPIs(v lua.LValue) error {
	sc.KPIs = nil
	if v == lua.LNil {
		return nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return fmt.Errorf("%s: kpis must be a table, e.g. kpis = { wait_h = { better = \"lower\" } }", sc.where)
	}
	var bad error
	t.ForEach(func(k, v lua.LValue) {
		if bad != nil {
			return
		}
		name := k.String()
		kt, ok := v.(*lua.LTable)
		if !ok {
			bad = fmt.Errorf("%s: kpis.%s must be a table such as { better = \"lower\" }, got %s", sc.where, name, v.Type())
			return
		}
		b, ok := plan.ParseBetter(lua.LVAsString(kt.RawGetString("better")))
		if !ok {
			bad = fmt.Errorf("%s: kpis.%s.better must be \"lower\" or \"higher\", got %s", sc.where, name, kt.RawGetString("better"))
			return
		}
		kt.ForEach(func(f, _ lua.LValue) {
			if s := f.String(); bad == nil && s != "better" && s != "unit" {
				bad = fmt.Errorf("%s: kpis.%s: unknown field '%s' (want better, unit)", sc.where, name, s)
			}
		})
		sc.KPIs = append(sc.KPIs, plan.KPI{Name: name, Better: b, Unit: lua.LVAsString(kt.RawGetString("unit"))})
	})
	sort.Slice(sc.KPIs, func(i, j int) bool { return sc.KPIs[i].Name < sc.KPIs[j].Name })
	return bad
}
