package plan

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
)

// Constraint is a service target on a KPI's mean: "door_to_doctor_target_met>=0.9".
type Constraint struct {
	KPI   string
	Op    string // ">=", "<=", ">", "<"
	Bound float64
}

var constraintRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$`)

// ParseConstraint reads "kpi>=value" (or <=, >, <).
func ParseConstraint(s string) (Constraint, error) {
	m := constraintRE.FindStringSubmatch(s)
	if m == nil {
		return Constraint{}, fmt.Errorf("--constraint %q: want kpi>=value or kpi<=value, e.g. lwbs_rate<=0.02", s)
	}
	b, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		return Constraint{}, fmt.Errorf("--constraint %q: %q is not a number", s, m[3])
	}
	return Constraint{KPI: m[1], Op: m[2], Bound: b}, nil
}

func (c Constraint) String() string { return fmt.Sprintf("%s %s %g", c.KPI, c.Op, c.Bound) }

// decide says whether the interval shows the constraint met (+1), violated (−1)
// or cannot tell yet (0).
func (c Constraint) decide(s stats.Summary) int {
	if s.N < 2 || math.IsNaN(s.HalfWidth) {
		return 0
	}
	switch c.Op {
	case ">=", ">":
		if s.Low > c.Bound || (c.Op == ">=" && s.Low == c.Bound) {
			return +1
		}
		if s.High < c.Bound {
			return -1
		}
	default:
		if s.High < c.Bound || (c.Op == "<=" && s.High == c.Bound) {
			return +1
		}
		if s.Low > c.Bound {
			return -1
		}
	}
	return 0
}

// Candidate is one plan of an optimisation and what was learnt about it.
type Candidate struct {
	Combo        int
	Values       []string
	Cost         float64
	Replications int
	Status       string // feasible, infeasible, undecided, not evaluated
	KPIs         map[string]stats.Summary
	// Min is each KPI's smallest replication value (NaN skipped): a KPI never
	// negative cannot have a negative mean, so reports clip its interval at 0.
	Min map[string]float64
}

// AdjustedLevel is the confidence level at which Optimizer decides each of n
// constraints: 1 − 0.05/n (Bonferroni), so that all n decisions hold together
// with at least 95% confidence (0.975 for two constraints).
func AdjustedLevel(n int) float64 { return 1 - 0.05/float64(n) }

// Optimizer finds the lowest-cost combination of a grid that meets every
// constraint. Candidates are taken in order of cost; each gets replications in
// batches (the same replication indices for every candidate: common random
// numbers) until every constraint's confidence interval (Bonferroni-adjusted
// over the constraints) lies on one side of its bound, or MaxReps is reached
// (undecided, not accepted). The first feasible candidate is the answer; the
// search goes on for Runners feasible runners-up.
type Optimizer struct {
	Scenario    Model
	Axes        []Axis
	Constraints []Constraint
	Batch       int // replications per batch (default 10)
	MaxReps     int // default 100
	Runners     int // runners-up to find (default 2)
	Workers     int
	Progress    func(c *Candidate)
}

// Run returns the candidates in order of cost, with the chosen one first among
// the feasible.
func (o *Optimizer) Run(ctx context.Context) ([]*Candidate, error) {
	if len(o.Constraints) == 0 {
		return nil, fmt.Errorf("optimize: no constraints (use --constraint kpi>=value)")
	}
	batch, maxReps, runners := o.Batch, o.MaxReps, o.Runners
	if batch <= 1 {
		batch = 10
	}
	if maxReps < batch {
		maxReps = 100
	}
	if runners == 0 {
		runners = 2
	}
	level := AdjustedLevel(len(o.Constraints))
	var cands []*Candidate
	for k, c := range Combos(o.Axes) {
		sc, err := Apply(o.Scenario, o.Axes, c)
		if err != nil {
			return nil, err
		}
		cost, err := sc.Cost()
		if err != nil {
			return nil, err
		}
		cands = append(cands, &Candidate{Combo: k, Values: c, Cost: cost, Status: "not evaluated"})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Cost < cands[j].Cost })
	found := 0
	for _, cand := range cands {
		if found > runners {
			break
		}
		sc, _ := Apply(o.Scenario, o.Axes, cand.Values)
		var reps []engine.RepResult
		for cand.Replications < maxReps {
			more, err := Replicate(ctx, sc, cand.Replications, cand.Replications+batch, o.Workers)
			if err != nil {
				return nil, fmt.Errorf("optimize: %s: %w", describe(o.Axes, cand.Values), err)
			}
			reps = append(reps, more...)
			cand.Replications += batch
			vals, _ := Values(reps)
			cand.KPIs, cand.Min = map[string]stats.Summary{}, map[string]float64{}
			for n, v := range vals {
				cand.KPIs[n] = stats.Summarize(v, 0.95)
				for _, x := range v {
					if m, ok := cand.Min[n]; !math.IsNaN(x) && (!ok || x < m) {
						cand.Min[n] = x
					}
				}
			}
			met, violated := 0, false
			for _, con := range o.Constraints {
				v, ok := vals[con.KPI]
				if !ok {
					return nil, &UnknownKPIError{Who: "optimize", Name: con.KPI, Known: kpiNames(vals)}
				}
				switch con.decide(stats.Summarize(v, level)) {
				case +1:
					met++
				case -1:
					violated = true
				}
			}
			if violated {
				cand.Status = "infeasible"
				break
			}
			if met == len(o.Constraints) {
				cand.Status = "feasible"
				found++
				break
			}
			cand.Status = "undecided"
		}
		if o.Progress != nil {
			o.Progress(cand)
		}
	}
	return cands, nil
}
