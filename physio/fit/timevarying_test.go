package fit

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tvModel: one compartment IV, CL = 1·(CRCL/100) L/h, V1 = 10·(WT/70) L, η on CL.
func tvModel() *Model {
	st, _ := NewPK(1, false, false)
	return &Model{Structure: st,
		Params: []Param{
			{Name: "CL", Typical: 1, Eta: "eta_cl", Covariates: []CovariateEffect{{Covariate: "CRCL", Relation: Power, Ref: 100, Coef: 1}}},
			{Name: "V1", Typical: 10, Covariates: []CovariateEffect{{Covariate: "WT", Relation: Power, Ref: 70, Coef: 1}}},
		},
		Etas: []string{"eta_cl"}, Omega: mat.NewSymDense(1, []float64{0.1}), Error: ErrorModel{Kind: Additive, Add: 0.1}}
}

// TestTimeVaryingCovariates: 100 mg IV at 0 h. Subject 1: CRCL 100 mL/min
// until the record at 10 h brings 50 ("." carries it to 20 h), so CL is 1 L/h
// (k 0.1 /h) to 10 h and 0.5 L/h (k 0.05 /h) after; by hand the population
// predictions are 10e^{−0.5} at 5 h, 10e^{−1} at 10 h (the amount is
// continuous) and 10e^{−1−0.5} at 20 h. Subject 2: WT 70 kg, then 140 kg from
// the record at 10 h: V1 20 L and k 0.05 /h from 10 h, so 100e^{−1}/20 at 10 h
// (the new volume at the record that brings it) and 100e^{−1.5}/20 at 20 h.
// With the first record's covariates throughout (no time variation) 20 h
// would give 10e^{−2}.
func TestTimeVaryingCovariates(t *testing.T) {
	src := `ID,TIME,AMT,DV,EVID,MDV,CMT,CRCL,WT
1,0,100,.,1,1,1,100,70
1,5,0,6,0,0,1,.,.
1,10,0,3.7,0,0,1,50,.
1,20,0,2.2,0,0,1,.,.
2,0,100,.,1,1,1,100,70
2,5,0,6,0,0,1,.,.
2,10,0,1.8,0,0,1,.,140
2,20,0,1.1,0,0,1,.,.
`
	ds, err := ReadCSV(strings.NewReader(src), "tv.csv")
	if err != nil {
		t.Fatal(err)
	}
	m := tvModel()
	if err := m.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{10 * math.Exp(-0.5), 10 * math.Exp(-1), 10 * math.Exp(-1.5)},
		{10 * math.Exp(-0.5), 100 * math.Exp(-1) / 20, 100 * math.Exp(-1.5) / 20},
	}
	lastCL := []float64{0.5, 1}
	for si := range ds.Subjects {
		s := &ds.Subjects[si]
		e, err := m.MAP(ds, s, BFGS)
		if err != nil {
			t.Fatal(err)
		}
		for k, w := range want[si] {
			if got := e.PRED[k+1]; math.Abs(got-w) > 1e-9*w {
				t.Errorf("subject %s, %v h: PRED %v, want %v", s.ID, s.Records[k+1].Time, got, w)
			}
		}
		if !e.Converged || math.Abs(e.Params[0]-lastCL[si]*math.Exp(e.Eta[0])) > 1e-12 {
			t.Errorf("subject %s: CL %v at η̂ %v, want the last record's %v·e^η (%s)", s.ID, e.Params[0], e.Eta[0], lastCL[si], e.Warning)
		}
		c, err := m.Curve(ds, s, nil, []float64{20, 10})
		if err != nil || math.Abs(c[0]-want[si][2]) > 1e-9*want[si][2] || math.Abs(c[1]-want[si][1]) > 1e-9*want[si][1] {
			t.Errorf("subject %s: curve %v (%v), want %v %v", s.ID, c, err, want[si][2], want[si][1])
		}
	}
}

// TestTimeVaryingNonPositive: a linear covariate relation that makes CL
// negative from a later record names that record's line, the subject and the
// parameter.
func TestTimeVaryingNonPositive(t *testing.T) {
	src := "ID,TIME,AMT,DV,EVID,MDV,CMT,CRCL\n1,0,100,.,1,1,1,100\n1,5,0,6,0,0,1,.\n1,10,0,3,0,0,1,-300\n"
	ds, err := ReadCSV(strings.NewReader(src), "neg.csv")
	if err != nil {
		t.Fatal(err)
	}
	m := tvModel()
	m.Params[0].Covariates[0].Relation, m.Params[0].Covariates[0].Coef = Linear, 0.01
	m.Params[1].Covariates = nil
	if err := m.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	_, err = m.MAP(ds, &ds.Subjects[0], BFGS)
	if err == nil || !strings.Contains(err.Error(), "neg.csv line 4") || !strings.Contains(err.Error(), "subject 1") || !strings.Contains(err.Error(), "typical CL is -3") {
		t.Fatalf("error %v, want line 4, subject 1 and CL", err)
	}
}
