package fit

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestCheckDataNamesRows: a data set the model cannot fit is refused with
// every offending row named (issue 22): negative or zero DV under a
// proportional-only error, and a covariate absent from all of a subject's
// rows; by MAP, FOCE-I and SAEM alike.
func TestCheckDataNamesRows(t *testing.T) {
	st, _ := NewPK(1, true, false)
	model := func(kind ErrorKind, cov bool) *Model {
		m := &Model{Structure: st, Params: []Param{{Name: "CL", Typical: 5, Eta: "e"}, {Name: "V1", Typical: 50}, {Name: "KA", Typical: 1}},
			Etas: []string{"e"}, Omega: mat.NewSymDense(1, []float64{0.1}), Error: ErrorModel{Kind: kind, Add: 0.1, Prop: 0.1}}
		if cov {
			m.Params[0].Covariates = []CovariateEffect{{Covariate: "WT", Ref: 70, Coef: 0.75}}
		}
		return m
	}
	const negative = "ID,TIME,AMT,DV,EVID\n1,0,100,.,1\n1,1,0,3,0\n1,2,0,-0.2,0\n2,0,100,.,1\n2,1,0,2,0\n2,5,0,-0.1,0\n"
	const noWT = "ID,TIME,AMT,DV,EVID,WT\n1,0,100,.,1,70\n1,1,0,3,0,.\n2,0,100,.,1,.\n2,1,0,2,0,.\n3,0,100,.,1,.\n3,2,0,2,0,.\n"
	cases := []struct {
		m    *Model
		data string
		want []string
	}{
		{model(Proportional, false), negative, []string{"2 observations at or below zero", "lines 4 (ID 1, DV -0.2), 7 (ID 2, DV -0.1)", "combined"}},
		{model(Additive, true), noWT, []string{"covariate WT (on CL) is missing for every row of 2 subjects", "ID 2 (lines 4–5), ID 3 (lines 6–7)"}},
	}
	for i, c := range cases {
		ds, err := ReadCSV(strings.NewReader(c.data), "d.csv")
		if err != nil {
			t.Fatal(err)
		}
		fits := map[string]func() error{
			"map":    func() error { _, err := c.m.Fit(ds, BFGS); return err },
			"foce-i": func() error { _, err := c.m.FitFOCEI(ds, PopOptions{NoCovariance: true, MaxIterations: 2}); return err },
			"saem": func() error {
				_, err := c.m.FitSAEM(ds, SAEMOptions{Seed: 1, PopOptions: PopOptions{NoCovariance: true}})
				return err
			},
		}
		for name, f := range fits {
			err := f()
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("case %d %s: error %v, want %q", i, name, err, w)
				}
			}
		}
	}
	// a combined error fits the negative rows
	ds, _ := ReadCSV(strings.NewReader(negative), "d.csv")
	if _, err := model(Combined, false).Fit(ds, BFGS); err != nil {
		t.Errorf("combined error: %v", err)
	}
}
