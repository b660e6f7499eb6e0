package plan

import "fmt"

// UnknownKPIError is a KPI name (of a constraint, or asked for by name) that
// the model does not report. Known lists the KPIs it does report, so that a
// caller can name the one probably meant.
type UnknownKPIError struct {
	Who   string // what asked: "optimize", "the model"
	Name  string
	Known []string
}

func (e *UnknownKPIError) Error() string {
	return fmt.Sprintf("%s: the scenario has no KPI %q", e.Who, e.Name)
}

func kpiNames(vals map[string][]float64) []string {
	out := make([]string, 0, len(vals))
	for k := range vals {
		out = append(out, k)
	}
	return out
}
