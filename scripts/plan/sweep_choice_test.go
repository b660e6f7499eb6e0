package plan_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
	. "github.com/medtwin/medtwin/scripts/plan"
)

// Issue 24: a sweep over a choice parameter stored NaN in its param_ column
// (and plot sweep then failed). The column now holds the choice itself, and
// each row's KPI belongs to the choice it names: service_h is 1 h for fifo
// and 0.5 h for fast by construction of testdata/choice.lua.
func TestSweepChoiceAxisKeepsItsValues(t *testing.T) {
	sc := load(t, "testdata/choice.lua")
	axes, err := ParseGrid(sc, []string{"policy=fifo,fast", "servers=1,2"})
	if err != nil {
		t.Fatal(err)
	}
	path, err := (&Sweep{Scenario: sc, Axes: axes, Dir: t.TempDir(), Version: "t"}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	if err := tb.Need(results.Column{Name: "param_policy", Type: arrow.BinaryTypes.String},
		results.Column{Name: "param_servers", Type: arrow.PrimitiveTypes.Float64}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"fifo": "1", "fast": "0.5"}
	pi, ki, mi := tb.Column("param_policy"), tb.Column("kpi"), tb.Column("mean")
	seen := map[string]int{}
	for _, row := range tb.Rows(int(tb.NumRows())) {
		if row[ki] != "service_h" {
			continue
		}
		seen[row[pi]]++
		if row[mi] != want[row[pi]] {
			t.Errorf("policy %q: service_h mean %s, want %s", row[pi], row[mi], want[row[pi]])
		}
	}
	if seen["fifo"] != 2 || seen["fast"] != 2 {
		t.Errorf("rows per policy %v, want 2 each", seen)
	}
}
