package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/sensitivity"
	"github.com/urfave/cli/v2"
)

// modelSensitivityFlags are sensitivity's flags for a model-language model.
var modelSensitivityFlags = []cli.Flag{
	&cli.StringFlag{Name: "model", Usage: "a built-in model (medtwin models) or a .model file: its parameters are the inputs"},
	&cli.StringSliceFlag{Name: "dose", Usage: "with --model: a dosing record, e.g. amt=100,ii=12,addl=13,cmt=depot (repeatable; also time, rate, ss=1|2: NONMEM's steady state of amt every ii)"},
	&cli.StringFlag{Name: "output", Usage: "with --model: the quantity the KPI is on (default: the model's first output)"},
	&cli.Float64Flag{Name: "grid", Value: 0.05, Usage: "with --model: the step of the time grid the KPI is computed on"},
}

// modelSensitivity returns the inputs and the function of a sensitivity
// analysis on a model-language model: each point simulates the model with the
// ranged parameters set (the others at their defaults) and evaluates the KPI,
// one of auc:FROM..TO, cmax:FROM..TO, cmin:FROM..TO or conc:T on --output.
func modelSensitivity(c *cli.Context) ([]sensitivity.Input, func([]float64) (float64, error), error) {
	name := c.String("model")
	var m *modlang.Model
	var err error
	if strings.HasSuffix(name, ".model") {
		src, rerr := os.ReadFile(name)
		if rerr != nil {
			return nil, nil, rerr
		}
		spec, perr := modlang.ParseFile(name, string(src))
		if perr != nil {
			return nil, nil, perr
		}
		m, err = modlang.Compile(spec)
	} else {
		m, err = modlang.Library(name)
	}
	if err != nil {
		return nil, nil, err
	}
	var inputs []sensitivity.Input
	for _, r := range c.StringSlice("range") {
		p, span, ok := strings.Cut(r, "=")
		lo, hi, ok2 := strings.Cut(span, "..")
		a, err1 := strconv.ParseFloat(lo, 64)
		b, err2 := strconv.ParseFloat(hi, 64)
		if !ok || !ok2 || err1 != nil || err2 != nil || !(a < b) {
			return nil, nil, usagef("--range %q: want name=lo..hi with lo < hi", r)
		}
		if _, err := m.Params(map[string]float64{p: a}); err != nil {
			return nil, nil, usagef("--range: %v", err)
		}
		inputs = append(inputs, sensitivity.Input{Name: p, Low: a, High: b})
	}
	if len(inputs) == 0 {
		return nil, nil, usagef("sensitivity needs at least one --range")
	}
	var doses []modlang.Dose
	for _, d := range c.StringSlice("dose") {
		rec, err := parseDose(d)
		if err != nil {
			return nil, nil, err
		}
		doses = append(doses, rec)
	}
	kpi, err := parseKPI(c.String("kpi"))
	if err != nil {
		return nil, nil, err
	}
	out := c.String("output")
	if out == "" && len(m.Spec.Outputs) > 0 {
		out = m.Spec.Outputs[0]
	}
	step := c.Float64("grid")
	end := math.Max(kpi.To, kpi.At)
	if !(step > 0) || end/step > 1e7 {
		return nil, nil, usagef("--grid must be > 0 and give at most 1e7 points to %g", end)
	}
	grid := make([]float64, int(math.Ceil(end/step))+1)
	for k := range grid {
		grid[k] = math.Min(float64(k)*step, end)
	}
	in := m.NewInstance()
	f := func(x []float64) (float64, error) {
		over := map[string]float64{}
		for i, p := range inputs {
			over[p.Name] = x[i]
		}
		p, err := m.Params(over)
		if err != nil {
			return 0, err
		}
		if err := in.SetParams(p); err != nil {
			return 0, err
		}
		vals := make([]float64, 0, len(grid))
		var verr error
		err = in.Simulate(doses, grid, modlang.SimOptions{}, func(_ int, t float64, y []float64) {
			v, e := in.Value(out, t, y)
			if e != nil {
				verr = e
			}
			vals = append(vals, v)
		})
		if err == nil {
			err = verr
		}
		if err != nil {
			return 0, err
		}
		return kpi.Eval(grid, vals), nil
	}
	return inputs, f, nil
}

// parseDose reads a dosing record such as amt=100,ii=12,addl=3,cmt=depot or
// amt=100,ii=12,ss=1 (NONMEM's SS: the steady state of amt every ii).
func parseDose(s string) (modlang.Dose, error) {
	d := modlang.Dose{Amt: math.NaN()}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return d, usagef("--dose %q: want key=value pairs (time, amt, rate, ii, addl, ss, cmt)", s)
		}
		if k == "cmt" {
			d.Cmt = v
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return d, usagef("--dose %q: %s = %q is not a number", s, k, v)
		}
		switch k {
		case "time":
			d.Time = x
		case "amt":
			d.Amt = x
		case "rate":
			d.Rate = x
		case "ii":
			d.II = x
		case "addl":
			d.ADDL = int(x)
		case "ss":
			if x != 0 && x != 1 && x != 2 {
				return d, usagef("--dose %q: ss = %v: want 0, 1 (reset to the steady state) or 2 (add it)", s, v)
			}
			d.SS = int(x)
		default:
			return d, usagef("--dose %q: unknown key %q (time, amt, rate, ii, addl, ss, cmt)", s, k)
		}
	}
	if math.IsNaN(d.Amt) {
		return d, usagef("--dose %q: amt is required", s)
	}
	return d, nil
}

// parseKPI reads auc:FROM..TO, cmax:FROM..TO, cmin:FROM..TO or conc:T.
func parseKPI(s string) (cohort.Endpoint, error) {
	kind, arg, ok := strings.Cut(s, ":")
	e := cohort.Endpoint{Name: s, Kind: kind}
	bad := usagef("--kpi %q: with --model want auc:FROM..TO, cmax:FROM..TO, cmin:FROM..TO or conc:T", s)
	if !ok {
		return e, bad
	}
	var err1, err2 error
	switch kind {
	case "auc", "cmax", "cmin":
		lo, hi, ok := strings.Cut(arg, "..")
		if !ok {
			return e, bad
		}
		e.From, err1 = strconv.ParseFloat(lo, 64)
		e.To, err2 = strconv.ParseFloat(hi, 64)
	case "conc":
		e.At, err1 = strconv.ParseFloat(arg, 64)
	default:
		return e, bad
	}
	if err1 != nil || err2 != nil {
		return e, bad
	}
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("--kpi: %v", err)
	}
	return e, nil
}
