package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
)

// summary95 is a 95% summary of n values with the given mean and sd, as the
// optimizer stores it.
func summary95(n int, mean, sd float64) stats.Summary {
	h := stats.TQuantile(0.975, float64(n-1)) * sd / math.Sqrt(float64(n))
	return stats.Summary{N: n, Mean: mean, SD: sd, HalfWidth: h, Low: mean - h, High: mean + h, Level: 0.95}
}

// optimizeFixture is one feasible plan with two constraints (so the decision
// used 97.5% intervals) over 10 replications: wait_h mean 0.3, sd 0.1; lwbs
// mean 0.001, sd 0.002, never negative (its smallest value 0).
func optimizeFixture() ([]plan.Axis, []plan.Constraint, []*plan.Candidate) {
	axes := []plan.Axis{{Name: "servers", Values: []string{"3"}}}
	cons := []plan.Constraint{{KPI: "wait_h", Op: "<=", Bound: 0.5}, {KPI: "lwbs", Op: "<=", Bound: 0.01}}
	cd := &plan.Candidate{Values: []string{"3"}, Cost: 3, Replications: 10, Status: "feasible",
		KPIs: map[string]stats.Summary{"wait_h": summary95(10, 0.3, 0.1), "lwbs": summary95(10, 0.001, 0.002)},
		Min:  map[string]float64{"wait_h": 0.1, "lwbs": 0}}
	return axes, cons, []*plan.Candidate{cd}
}

// Issue 24: optimize's printed table labels its intervals with the level the
// decision used (97.5% for two constraints, Bonferroni), prints them at that
// level, and clips at 0 (marked, with a note) the lower end for a KPI that is
// never negative. t(0.9875, 9) = 2.6850 (R 4.2: qt(0.9875, 9) = 2.685011), so
// wait_h's interval is 0.3 ∓ 2.685011·0.1/√10 = [0.2151, 0.3849], and lwbs's
// lower end 0.001 − 0.0017 < 0 is clipped.
func TestOptimizePrintsAdjustedLevel(t *testing.T) {
	axes, cons, cands := optimizeFixture()
	var b bytes.Buffer
	printCandidates(&b, axes, cons, cands)
	out := b.String()
	t.Log("\n" + out)
	if strings.Contains(out, "95% CI") {
		t.Error("optimize prints intervals labelled 95% although the decision used 97.5%")
	}
	for _, want := range []string{"97.5% CI [0.2151, 0.3849]", "0.3000 [0.2151, 0.3849]", "0.0010 [0*, ",
		"97.5% confidence per constraint (Bonferroni over 2 constraints", "clipped at 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("optimize output lacks %q", want)
		}
	}
}

// The same in the HTML report: lwbs's lower end clipped, with a note.
func TestOptimizeReportClipsNonNegative(t *testing.T) {
	axes, cons, cands := optimizeFixture()
	path := filepath.Join(t.TempDir(), "optimize.html")
	if err := writeOptimizeReport(path, &scripts.Scenario{Name: "fixture"}, axes, cons, cands); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !strings.Contains(html, "<td>[0*, ") || strings.Contains(html, "<td>[-") || !strings.Contains(html, "clipped at 0") {
		t.Error("the optimize report does not clip lwbs's interval at 0 with a note")
	}
	if !strings.Contains(html, "[0.2151, 0.3849]") {
		t.Error("the optimize report does not show wait_h's 97.5% interval [0.2151, 0.3849]")
	}
}
