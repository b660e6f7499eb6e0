package twin

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/pk"
)

// A patient dosed at arbitrary simulation times, advanced lazily, matches the
// exact PK path at every observation.
func TestLazyPatientMatchesExactPK(t *testing.T) {
	m, _ := models.New("pk", map[string]float64{"cl": 5, "v1": 50, "q2": 10, "v2": 100, "ka": 1})
	p, err := New(m, 0, 1e-10)
	if err != nil {
		t.Fatal(err)
	}
	ref := pk.Model{NCmt: 2, Absorption: true, P: pk.Params{CL: 5, V1: 50, Q2: 10, V2: 100, KA: 1}}
	doses := []pk.Dose{{Time: 0, Amt: 100, Cmt: 1}, {Time: 7.5, Amt: 200, Rate: 100, Cmt: 2}, {Time: 20, Amt: 50, Cmt: 2}}
	obs := []float64{1, 3.25, 7.5, 8, 9.9, 12, 20, 26, 40}
	want, err := ref.Simulate(doses, obs, pk.Exact)
	if err != nil {
		t.Fatal(err)
	}
	h := 3600.0
	p.Bolus("depot", 100, 0)
	c := func(th float64) float64 {
		v, err := p.Output("conc_mg_l", th*h)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := []float64{c(1), c(3.25), 0}
	p.Infuse("central", 200, 100, 7.5*h)
	got[2] = c(7.5)
	got = append(got, c(8), c(9.9), c(12))
	p.Bolus("central", 50, 20*h)
	got = append(got, c(20), c(26), c(40))
	for i := range obs {
		if math.Abs(got[i]-want[i]) > 1e-7*math.Max(want[i], 1e-3) {
			t.Errorf("t=%v h: lazy %v, exact %v", obs[i], got[i], want[i])
		}
	}
	if err := p.AdvanceTo(h); err == nil {
		t.Fatal("going back in time was accepted")
	}
	if err := p.Bolus("liver", 1, 41*h); err == nil {
		t.Fatal("unknown state accepted")
	}
}
