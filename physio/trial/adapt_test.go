package trial

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// An adjustment sees its arm and the administrations given before t, ADDL
// expanded: 100 mg q12h (addl 5) adapted at 30 h has had the doses at 0, 12
// and 24 h; adapted again at 40 h, after it replaced the regimen by 50 mg at
// 30 h, it has had 0, 12, 24 and 30 h. The level it sees at 11 h is the
// closed form D/V·exp(−CL/V·11) of the first dose (no residual error), and
// the doses up to the last endpoint (48 h) are those four.
func TestAdaptInfoGivenDoses(t *testing.T) {
	s := bolusSpec(3, 0.3, []float64{1000, 1000}, 0, math.Inf(1))
	s.SampleTimes = []float64{11}
	s.Endpoints = append(s.Endpoints, Endpoint{Endpoint: cohort.Endpoint{Name: "c48", Kind: "conc", At: 48}})
	s.Arms[1].Doses = func(Subject) ([]pk.Dose, error) {
		return []pk.Dose{{Time: 0, Amt: 100, II: 12, ADDL: 5, Cmt: 1}}, nil
	}
	type call struct {
		at    float64
		info  AdaptInfo
		level float64
	}
	var calls []call
	s.Arms[1].Adapt = &Adapt{At: []float64{30, 40}, Fn: func(_ Subject, levels []Level, at float64, info AdaptInfo) ([]pk.Dose, error) {
		calls = append(calls, call{at, info, levels[0].DV})
		if at == 30 {
			return []pk.Dose{{Time: 30, Amt: 50, Cmt: 1}}, nil
		}
		return nil, nil
	}}
	res, err := s.Run(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	for k, want := range [][]float64{{0, 12, 24}, {0, 12, 24, 30}} {
		c := calls[k]
		if c.info.Arm != 1 || len(c.info.Given) != len(want) {
			t.Fatalf("adapt at %g h: %+v, want arm 1 and doses at %v h", c.at, c.info, want)
		}
		for j, g := range c.info.Given {
			amt := 100.0
			if g.Time == 30 {
				amt = 50
			}
			if g.Time != want[j] || g.Amt != amt || g.ADDL != 0 || g.Cmt != 1 {
				t.Errorf("adapt at %g h: given dose %d is %+v, want %g mg at %g h", c.at, j, g, amt, want[j])
			}
		}
		cl := res[1].Params["cl"]
		if lv := 100.0 / 50 * math.Exp(-cl/50*11); math.Abs(c.level-lv) > 1e-9*lv {
			t.Errorf("adapt at %g h: level %v, closed form %v", c.at, c.level, lv)
		}
	}
	if res[1].TotalDose != 350 {
		t.Errorf("total dose up to 48 h %v mg, want 3×100 + 50", res[1].TotalDose)
	}
}

// A spec's Sources appear in the provenance of subjects.arrow and kpis.arrow
// beside the trial's own entries, which they may not replace.
func TestSourcesInProvenance(t *testing.T) {
	s := bolusSpec(4, 0.3, []float64{1000}, 0.4, 1.2)
	s.Sources = map[string]string{"fit_1_method": "foce-i"}
	res, err := s.Run(context.Background(), 0, s.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := s.Create(dir, s.Provenance("test", 0, s.Subjects, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Add(res); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteKPIs(filepath.Join(dir, "kpis.arrow"), "test", res); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"subjects.arrow", "kpis.arrow"} {
		tab, err := results.Read(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		params := tab.Meta()["medtwin.params"]
		tab.Release()
		for _, w := range []string{`["fit_1_method","foce-i"]`, `["subjects","4"]`} {
			if !strings.Contains(params, w) {
				t.Errorf("%s: medtwin.params %s has no %s", name, params, w)
			}
		}
	}
	s.Sources["subjects"] = "9"
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `Sources has "subjects"`) {
		t.Errorf("Sources replacing the trial's own entry: %v", err)
	}
}
