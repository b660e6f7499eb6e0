package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
)

// atLevel returns s with its Student-t interval recomputed at another
// confidence level (the same formula as stats.Summarize, from N, Mean and SD).
func atLevel(s stats.Summary, level float64) stats.Summary {
	s.Level = level
	s.HalfWidth = math.NaN()
	if s.N >= 2 {
		s.HalfWidth = stats.TQuantile((1+level)/2, float64(s.N-1)) * s.SD / math.Sqrt(float64(s.N))
		if s.SD == 0 {
			s.HalfWidth = 0
		}
	}
	s.Low, s.High = s.Mean-s.HalfWidth, s.Mean+s.HalfWidth
	return s
}

// levelText writes a confidence level as a percentage: 0.975 -> "97.5%".
func levelText(level float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", 100*level), "0"), ".") + "%"
}

// adjustedText says at what confidence optimize decided n constraints (level
// is plan.AdjustedLevel(n)).
func adjustedText(level float64, n int) string {
	if n == 1 {
		return levelText(level) + " confidence"
	}
	return fmt.Sprintf("%s confidence per constraint (Bonferroni over %d constraints, so all hold together with at least 95%%)", levelText(level), n)
}

// optimizeCI is a plan's interval of kpi as optimize shows it: at the level
// the decision used, the lower end clipped at 0 (clipped = true) for a KPI
// that was never negative.
func optimizeCI(cd *plan.Candidate, kpi string, level float64) (s stats.Summary, clipped bool) {
	s = atLevel(cd.KPIs[kpi], level)
	s.Low, clipped = clippedLow(engine.KPISummary{Name: kpi, Summary: s}, cd.Min)
	return s, clipped
}

// ciText writes an interval "[low, high]", the low end marked * if clipped.
func ciText(s stats.Summary, clipped bool) string {
	lo := num(s.Low)
	if clipped {
		lo += "*"
	}
	return "[" + lo + ", " + num(s.High) + "]"
}

// chosenPlan is the plan optimize chose: the cheapest feasible one (cands are
// in order of cost), or nil.
func chosenPlan(cands []*plan.Candidate) *plan.Candidate {
	for _, cd := range cands {
		if cd.Status == "feasible" {
			return cd
		}
	}
	return nil
}

// writeOptimizeReport is `medtwin optimize --report`: which plan was chosen
// and at what confidence, a cost-versus-KPI figure per constraint of every
// plan tried with the region that meets it shaded, and the table of plans with
// the chosen one highlighted. Intervals are shown at the Bonferroni-adjusted
// level the decision used (plan.AdjustedLevel), not at 95%, clipped at 0 for
// KPIs never negative (as the run report does).
func writeOptimizeReport(path string, sc *scripts.Scenario, axes []plan.Axis, cons []plan.Constraint, cands []*plan.Candidate) error {
	r := &plot.Report{Title: "medtwin optimize: " + sc.Name}
	level := plan.AdjustedLevel(len(cons))
	lv := levelText(level)
	var cs []string
	for _, c := range cons {
		cs = append(cs, c.String())
	}
	chosen := chosenPlan(cands)
	tried, cheaper := 0, map[string]int{}
	for _, cd := range cands {
		if cd.Status == "not evaluated" {
			continue
		}
		tried++
		if chosen != nil && cd.Cost < chosen.Cost {
			cheaper[cd.Status]++
		}
	}
	adj := adjustedText(level, len(cons))
	if chosen == nil {
		r.Headline(fmt.Sprintf("No plan of the %d tried was shown to meet every constraint (%s) at %s.", tried, strings.Join(cs, "; "), adj))
	} else {
		r.Headline(fmt.Sprintf("Chosen plan: %s (cost %g). It meets every constraint (%s) at %s, after %d replications.",
			describeCombo(axes, chosen.Values), chosen.Cost, strings.Join(cs, "; "), adj, chosen.Replications))
		r.Note(fmt.Sprintf("Plans were tried from the cheapest; %d cheaper plans were infeasible and %d undecided "+
			"(no decision within the replication limit, so not accepted). %d plans were tried in all.",
			cheaper["infeasible"], cheaper["undecided"], tried))
	}
	for _, c := range cons {
		var plans []plot.Plan
		for _, cd := range cands {
			if cd.Status == "not evaluated" {
				continue
			}
			s, _ := optimizeCI(cd, c.KPI, level)
			if s.N == 0 {
				continue
			}
			plans = append(plans, plot.Plan{Cost: cd.Cost, Mean: s.Mean, Low: s.Low, High: s.High, Status: cd.Status, Chosen: cd == chosen})
		}
		if len(plans) == 0 {
			continue
		}
		p, err := plot.CostKPI(fmt.Sprintf("%s against cost (%s CI)", c.KPI, lv), c.KPI, plans, c.Op, c.Bound)
		if err != nil {
			continue
		}
		if svg, err := plot.SVG(p); err == nil {
			r.Figure(svg, fmt.Sprintf("Every plan tried: %s (mean with %s CI) against its cost. The shaded side of the dashed line "+
				"meets %s; green: feasible, red: infeasible, grey: undecided; the ringed point is the chosen plan.", c.KPI, lv, c))
		}
	}
	head := []string{"plan", "cost", "status", "replications"}
	for _, c := range cons {
		head = append(head, c.KPI+" mean", c.KPI+" "+lv+" CI")
	}
	var rows [][]string
	var marked []bool
	nClipped := 0
	for _, cd := range cands {
		if cd.Status == "not evaluated" {
			continue
		}
		status := cd.Status
		if cd == chosen {
			status = "chosen (feasible)"
		}
		row := []string{describeCombo(axes, cd.Values), fmt.Sprintf("%g", cd.Cost), status, fmt.Sprint(cd.Replications)}
		for _, c := range cons {
			s, clipped := optimizeCI(cd, c.KPI, level)
			if clipped {
				nClipped++
			}
			row = append(row, num(s.Mean), ciText(s, clipped))
		}
		rows, marked = append(rows, row), append(marked, cd == chosen)
	}
	r.Heading("Plans tried, by cost", "The chosen plan is highlighted. Intervals are at the "+lv+" level the decision used.")
	r.MarkedTable(head, rows, marked)
	if nClipped > 0 {
		r.Note(clipNote(nClipped))
	}
	return r.Write(path)
}
