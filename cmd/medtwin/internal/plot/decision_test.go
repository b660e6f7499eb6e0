package plot

import (
	"strings"
	"testing"
)

// Forest labels every row and its axis in percent, and rejects ragged input.
func TestForest(t *testing.T) {
	names := []string{"wait_h (better)", "lwbs_rate (worse)", "los_h (no detectable difference)"}
	p, err := Forest("change", "change in %", names, []float64{-20, 5, 1}, []float64{-25, 2, -1}, []float64{-15, 8, 3},
		[]string{Better, Worse, Neutral})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVGSize(p, 648, ForestHeight(len(names)))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(names, "-20%", "0%") {
		if !strings.Contains(svg, ">"+n+"<") {
			t.Errorf("the forest plot has no label %q", n)
		}
	}
	if _, err := Forest("x", "y", names, []float64{1}, []float64{1}, []float64{1}, []string{""}); err == nil {
		t.Error("ragged input accepted")
	}
}

// CostKPI marks the chosen plan and refuses an empty list.
func TestCostKPI(t *testing.T) {
	plans := []Plan{{Cost: 9, Mean: 5, Low: 1, High: 9, Status: "infeasible"}, {Cost: 10, Mean: 0.4, Low: 0.3, High: 0.45, Status: "feasible", Chosen: true}}
	p, err := CostKPI("wait_h", "wait_h", plans, "<=", 0.5)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVG(p)
	if err != nil || !strings.Contains(svg, "chosen<") {
		t.Errorf("no chosen label: %v", err)
	}
	if _, err := CostKPI("x", "y", nil, "<=", 1); err == nil {
		t.Error("no plans accepted")
	}
}

// MarkedTable highlights exactly the marked rows; Details collapses its body.
func TestReportMarkedTableAndDetails(t *testing.T) {
	r := &Report{Title: "t"}
	r.Headline("answer")
	r.MarkedTable([]string{"plan"}, [][]string{{"a"}, {"b"}, {"c"}}, []bool{false, true})
	body := &Report{}
	body.Table([]string{"kpi"}, [][]string{{"x"}})
	r.Details("all", body)
	h := r.HTML()
	if strings.Count(h, `<tr class="chosen">`) != 1 || !strings.Contains(h, `<tr class="chosen"><td>b</td>`) {
		t.Error("row b is not the one highlighted")
	}
	if !strings.Contains(h, `<p class="headline">answer</p>`) || !strings.Contains(h, "<details><summary>all</summary><table>") {
		t.Errorf("no headline or collapsed table:\n%s", h)
	}
}
