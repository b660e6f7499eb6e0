package fit

import (
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Population values of fm3Theo.nlme, Pinheiro & Bates (2000), Mixed-Effects
// Models in S and S-PLUS, §8.2 pp. 352–365 (the book's final model of the
// theophylline data: SSfol in lKe, lKa, lCl; random effects on lKa and lCl,
// diagonal Ψ; ML), as nlme 3.1 in R 4.2.2 prints them running
// testdata/nlme_theoph.R (fixed effects agree with the book's printed
// -2.4547, 0.46573, -3.2272).
const (
	theoLKe   = -2.454702647623
	theoLKa   = 0.465729486481
	theoLCl   = -3.227222160394
	theoVarKa = 0.414199117969
	theoVarCl = 0.0278649556594
	theoSigma = 0.709253601318
)

// theoRanef are nlme's random effects b̂ᵢ (lKa, lCl) of fm3Theo.nlme by
// subject 1..12, from the same run: the penalised nonlinear least-squares
// modes given the population values, which is the MAP η of the same model.
var theoRanef = [12][2]float64{
	{-0.1192524482390, -0.3542491248434},
	{0.2838114742218, 0.0109021195739},
	{0.3648232048419, 0.0272191351480},
	{-0.2785687248249, -0.0638557790482},
	{-0.0658703140473, 0.0729932541582},
	{-0.2316406546205, 0.1495901651236},
	{-0.7123781307824, 0.1601235713972},
	{-0.1110219226820, 0.1077947310481},
	{1.4053302370105, -0.2008531057140},
	{-0.8995266641150, -0.1067993467266},
	{0.8531737552096, 0.2490425498830},
	{-0.4888798119727, -0.0519081699998},
}

// theophModel is fm3Theo.nlme as a fit.Model: CL = exp(lCl + η_Cl),
// V = CL/ke = exp(lCl − lKe + η_Cl) (the same η), KA = exp(lKa + η_Ka),
// additive error SD σ.
func theophModel(t testing.TB) *Model {
	st, err := NewPK(1, true, false)
	if err != nil {
		t.Fatal(err)
	}
	return &Model{
		Structure: st,
		Params: []Param{
			{Name: "CL", Typical: math.Exp(theoLCl), Eta: "eta_cl"},
			{Name: "V1", Typical: math.Exp(theoLCl - theoLKe), Eta: "eta_cl"},
			{Name: "KA", Typical: math.Exp(theoLKa), Eta: "eta_ka"},
		},
		Etas:  []string{"eta_ka", "eta_cl"},
		Omega: mat.NewSymDense(2, []float64{theoVarKa, 0, 0, theoVarCl}),
		Error: ErrorModel{Kind: Additive, Add: theoSigma},
	}
}

func readTheoph(t testing.TB) *DataSet {
	f, err := os.Open("testdata/theoph.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := ReadCSV(f, "testdata/theoph.csv")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestTheophNlme: the MAP η of every theophylline subject equals nlme's
// random effects of the book's model to 1e-3 (nlme stops its PNLS
// iterations at a relative tolerance of 1e-6 on the parameters, not at the
// exact mode; measured agreement is printed).
func TestTheophNlme(t *testing.T) {
	ds := readTheoph(t)
	if len(ds.Subjects) != 12 {
		t.Fatalf("%d subjects, want 12", len(ds.Subjects))
	}
	m := theophModel(t)
	res, err := m.Fit(ds, BFGS)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, e := range res.Estimates {
		if !e.Converged {
			t.Errorf("subject %s: %s", e.ID, e.Warning)
		}
		for k := 0; k < 2; k++ {
			d := math.Abs(e.Eta[k] - theoRanef[i][k])
			worst = math.Max(worst, d)
			if d > 1e-3 {
				t.Errorf("subject %s η[%s] = %.6f, nlme %.6f", e.ID, m.Etas[k], e.Eta[k], theoRanef[i][k])
			}
		}
	}
	t.Logf("largest |η − nlme b̂| = %.2g; shrinkage ka %.3f cl %.3f; OFV %.3f", worst, res.Shrinkage[0], res.Shrinkage[1], res.OFV)
}
