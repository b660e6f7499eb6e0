package ops

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// Every patient has one flow row (those still in the ED at the end with
// disposition in_system), and the flow rows agree
// with the KPIs recorded alongside them: LWBS and diversion counts, the means of
// door-to-doctor, LOS and boarding (same observations, two bookkeepings).
func TestEDFlowRowsMatchKPIs(t *testing.T) {
	e := engine.Experiment{Seed: 3, From: 0, To: 1, Horizon: 7 * 86400, Build: func(s *engine.Sim) error {
		ed, err := DefaultED(180)
		if err != nil {
			return err
		}
		ed.DiversionAt = 3
		return ed.Build(s)
	}}
	r, err := e.RunOne(0)
	if err != nil {
		t.Fatal(err)
	}
	kpi := map[string]engine.KPIValue{}
	for _, k := range r.KPIs {
		kpi[k.Name] = k
	}
	count := map[string]int{}
	var d2d, los, board float64
	var nd2d, nlos, nboard int
	seen := map[int64]bool{}
	for _, f := range r.Flow {
		if seen[f.Entity] {
			t.Fatalf("patient %d has two flow rows", f.Entity)
		}
		seen[f.Entity] = true
		count[f.Disposition]++
		if f.End < f.Arrival || f.End > 7*86400 {
			t.Fatalf("patient %d leaves at %v before arriving at %v", f.Entity, f.End, f.Arrival)
		}
		if f.Disposition == "diverted" {
			if f.Acuity != 0 || f.End != f.Arrival {
				t.Fatalf("diverted row %+v", f)
			}
			continue
		}
		if f.Acuity < 1 || f.Acuity > 5 {
			t.Fatalf("patient %d has acuity %d", f.Entity, f.Acuity)
		}
		if f.Disposition == "in_system" {
			if !math.IsNaN(f.End) {
				t.Fatalf("patient %d in the ED at the end has end time %v", f.Entity, f.End)
			}
		} else {
			los += (f.End - f.Arrival) / 3600
			nlos++
		}
		if !math.IsNaN(f.DoorDoctor) {
			d2d += f.DoorDoctor / 60
			nd2d++
		}
		if !math.IsNaN(f.Boarding) {
			board += f.Boarding / 3600
			nboard++
		}
	}
	if count["left_unseen"] != int(kpi["lwbs"].Value) || count["diverted"] != int(kpi["diverted"].Value) {
		t.Errorf("flow counts %v; KPIs lwbs %v, diverted %v", count, kpi["lwbs"].Value, kpi["diverted"].Value)
	}
	if count["discharged"] == 0 || count["in_system"] == 0 || count["admitted_ward"] == 0 || count["admitted_icu"] == 0 || count["diverted"] == 0 {
		t.Errorf("a disposition never happened in a week: %v", count)
	}
	for _, c := range []struct {
		name string
		sum  float64
		n    int
	}{{"door_to_doctor_min", d2d, nd2d}, {"los_h", los, nlos}, {"boarding_h", board, nboard}} {
		k := kpi[c.name]
		if int64(c.n) != k.N || math.Abs(c.sum/float64(c.n)-k.Value) > 1e-9*math.Max(1, k.Value) {
			t.Errorf("%s: flow mean %v over %d rows, KPI %v over %d", c.name, c.sum/float64(c.n), c.n, k.Value, k.N)
		}
	}
}
