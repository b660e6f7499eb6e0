package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Axis is one parameter of a grid and its values (as --set strings).
type Axis struct {
	Name   string
	Values []string
}

// ParseGrid reads --grid specifications: "name=8..14" (integers, inclusive),
// "name=0.5..2:0.5" (with a step), "name=24,28,32" or "name=5". Names and
// values are checked against the scenario's parameters.
func ParseGrid(m Model, specs []string) ([]Axis, error) {
	var axes []Axis
	seen := map[string]bool{}
	for _, spec := range specs {
		name, vals, ok := strings.Cut(spec, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || vals == "" {
			return nil, fmt.Errorf("--grid %q: want name=a..b, name=a..b:step or name=v1,v2,...", spec)
		}
		if seen[name] {
			return nil, fmt.Errorf("--grid %q: %s is given twice", spec, name)
		}
		seen[name] = true
		if m.Describe().Param(name) == nil {
			// let With produce the error with the suggestion
			_, err := m.With(name, "0")
			return nil, fmt.Errorf("--grid %s", strings.TrimPrefix(err.Error(), "--set "))
		}
		var values []string
		if lo, rest, isRange := strings.Cut(vals, ".."); isRange {
			hi, stepS, hasStep := strings.Cut(rest, ":")
			a, err1 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
			b, err2 := strconv.ParseFloat(strings.TrimSpace(hi), 64)
			step := 1.0
			var err3 error
			if hasStep {
				step, err3 = strconv.ParseFloat(strings.TrimSpace(stepS), 64)
			}
			if err1 != nil || err2 != nil || err3 != nil || !(step > 0) || !(a <= b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("--grid %q: a range is a..b or a..b:step with finite a <= b and step > 0", spec)
			}
			// counted in float64 first: a tiny step would overflow int and
			// give no values at all
			nf := math.Floor((b-a)/step+1e-9) + 1
			if !(nf <= 10000) {
				return nil, fmt.Errorf("--grid %q: %g values is too many (at most 10000)", spec, nf)
			}
			n := int(nf)
			for k := 0; k < n; k++ {
				values = append(values, strconv.FormatFloat(a+float64(k)*step, 'g', -1, 64))
			}
		} else {
			for _, v := range strings.Split(vals, ",") {
				values = append(values, strings.TrimSpace(v))
			}
		}
		for _, v := range values {
			if _, err := m.With(name, v); err != nil {
				return nil, fmt.Errorf("--grid %s: %v", spec, err)
			}
		}
		axes = append(axes, Axis{Name: name, Values: values})
	}
	return axes, nil
}

// Combos returns every combination of the axes (the first axis varies slowest).
func Combos(axes []Axis) [][]string {
	out := [][]string{{}}
	for _, ax := range axes {
		var next [][]string
		for _, c := range out {
			for _, v := range ax.Values {
				next = append(next, append(append([]string(nil), c...), v))
			}
		}
		out = next
	}
	return out
}

// Apply returns a copy of m with combination c of axes set.
func Apply(m Model, axes []Axis, c []string) (Model, error) {
	for i, ax := range axes {
		var err error
		if m, err = m.With(ax.Name, c[i]); err != nil {
			return nil, err
		}
	}
	return m, nil
}
