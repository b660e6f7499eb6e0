package plan_test

import (
	"context"
	"fmt"
	"go/build"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts/plan"
)

// goMMc is an M/M/c model built in Go with the engine (engine.MMc), no Lua:
// c servers, arrivals at rate lambda, service rate 1, in hours.
type goMMc struct {
	c      int
	lambda float64
}

func (m goMMc) Describe() plan.Description {
	return plan.Description{Name: "go-mmc", Seed: 7, Replications: 20,
		Params: []plan.Param{
			{Name: "servers", Kind: "number", Default: "2", Value: strconv.Itoa(m.c), Min: 1, Max: math.Inf(1), Integer: true, Unit: "servers"},
			{Name: "arrival_rate", Kind: "number", Default: "1.5", Value: strconv.FormatFloat(m.lambda, 'g', -1, 64), Min: 0, Max: math.Inf(1), Unit: "per hour"},
		},
		// utilisation declared "higher is better" on purpose: nothing else would
		// give it a direction, so the verdict shows the declaration is used;
		// wait_q is left undeclared, for the name rule
		KPIs: []plan.KPI{{Name: "servers.utilisation", Better: plan.Higher}},
	}
}

func (m goMMc) With(name, value string) (plan.Model, error) {
	v, err := strconv.ParseFloat(value, 64)
	switch {
	case err != nil:
		return nil, fmt.Errorf("--set %s=%s: %s is a number", name, value, name)
	case name == "servers" && (v < 1 || v != math.Trunc(v)):
		return nil, fmt.Errorf("--set %s=%s: servers must be an integer >= 1", name, value)
	case name == "servers":
		m.c = int(v)
	case name == "arrival_rate" && v > 0:
		m.lambda = v
	default:
		return nil, fmt.Errorf("--set %s=%s: no such parameter or out of bounds", name, value)
	}
	return m, nil
}

func (m goMMc) NewExperiment(_ context.Context, seed uint64, from, to int) engine.Experiment {
	return engine.Experiment{Seed: seed, From: from, To: to, Horizon: 20000, Warmup: 500,
		Build: engine.MMc{C: m.c, Lambda: m.lambda, Mu: 1}.Build}
}

func (m goMMc) Cost() (float64, error) { return float64(m.c), nil }

// erlangWq is the M/M/c mean wait in queue with service rate 1: C(c, a)/(c − λ)
// (Kleinrock 1975, eq. 3.40), independent of the code under test.
func erlangWq(c int, lambda float64) float64 {
	return erlangCPWait(c, lambda) / (float64(c) - lambda)
}

// Issue 19 item 3: compare runs on a model built in Go, with the verdict from
// its declared KPI directions; the baseline and variant means agree with
// Erlang C.
func TestCompareGoModel(t *testing.T) {
	base := goMMc{c: 2, lambda: 1.5}
	variant, err := base.With("servers", "3")
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := plan.Compare(context.Background(), base, variant, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]plan.Diff{}
	for _, d := range diffs {
		got[d.KPI] = d
	}
	wq := got["wait_q"]
	for _, c := range []struct {
		mean, want float64
		what       string
	}{{wq.Baseline, erlangWq(2, 1.5), "c=2"}, {wq.Variant, erlangWq(3, 1.5), "c=3"}} {
		// 20 replications of 19500 h: the mean is within 10% of Erlang C
		if math.Abs(c.mean-c.want) > 0.1*c.want {
			t.Errorf("wait_q %s: mean %.4f h, Erlang C %.4f h", c.what, c.mean, c.want)
		}
	}
	if wq.Verdict != "better" || !wq.Guessed() {
		t.Errorf("wait_q (undeclared): verdict %q (guessed %v), want better by the name rule", wq.Verdict, wq.Guessed())
	}
	if u := got["servers.utilisation"]; u.Verdict != "worse" || u.Guessed() {
		t.Errorf("servers.utilisation declared higher-is-better fell: verdict %q, want worse", u.Verdict)
	}
	if q := got["servers.queue_mean"]; q.Verdict != "better" || q.Guessed() {
		t.Errorf("servers.queue_mean (a resource statistic, ResourceKPIs): verdict %q guessed %v, want better, declared", q.Verdict, q.Guessed())
	}
}

// Issue 19 item 3: sweep runs on a model built in Go and writes one row per
// combination and KPI; the wait in queue follows Erlang C at each c.
func TestSweepGoModel(t *testing.T) {
	m := goMMc{c: 2, lambda: 1.5}
	axes, err := plan.ParseGrid(m, []string{"servers=2..4"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.ParseGrid(m, []string{"servers=0..2"}); err == nil {
		t.Fatal("servers=0 accepted")
	}
	dir := t.TempDir()
	path, err := (&plan.Sweep{Scenario: m, Axes: axes, Dir: dir, Version: "t"}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	if !strings.Contains(fmt.Sprint(tb.Meta()), "go-mmc") {
		t.Errorf("provenance does not name the Go model: %v", tb.Meta())
	}
	ci, ki, mi := tb.Column("param_servers"), tb.Column("kpi"), tb.Column("mean")
	seen := 0
	for _, row := range tb.Rows(int(tb.NumRows())) {
		if row[ki] != "wait_q" {
			continue
		}
		c, _ := strconv.Atoi(row[ci])
		mean, _ := strconv.ParseFloat(row[mi], 64)
		if want := erlangWq(c, 1.5); math.Abs(mean-want) > 0.1*want+0.002 {
			t.Errorf("c=%d: wait_q %.4f h, Erlang C %.4f h", c, mean, want)
		}
		seen++
	}
	if seen != 3 {
		t.Fatalf("%d wait_q rows, want 3", seen)
	}
}

// The planning package needs no Lua: it imports neither scripts nor gopher-lua.
func TestPlanImportsNoLua(t *testing.T) {
	pkg, err := build.Import("github.com/medtwin/medtwin/scripts/plan", ".", 0)
	if err != nil {
		t.Skip(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "github.com/medtwin/medtwin/scripts" || strings.Contains(imp, "gopher-lua") {
			t.Errorf("scripts/plan imports %s", imp)
		}
	}
}

// A sensitivity point on the Go model: servers 2.6 is rounded to the integer 3
// (an integer parameter), and the KPI is replication 0's value.
func TestEvaluateGoModel(t *testing.T) {
	m := goMMc{c: 2, lambda: 1.5}
	got, err := plan.Evaluate(context.Background(), m, []string{"servers"}, []float64{2.6}, "servers.utilisation")
	if err != nil {
		t.Fatal(err)
	}
	// utilisation of M/M/3 at λ = 1.5, μ = 1 is λ/(cμ) = 0.5; one replication of
	// 19500 h is within 5%
	if math.Abs(got-0.5) > 0.025 {
		t.Fatalf("utilisation %.4f, want 0.5 (c rounded to 3)", got)
	}
	if _, err := plan.Evaluate(context.Background(), m, nil, nil, "nope"); err == nil || !strings.Contains(err.Error(), "no KPI") {
		t.Fatalf("unknown KPI: %v", err)
	}
}
