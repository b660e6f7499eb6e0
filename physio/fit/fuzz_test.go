package fit

import (
	"math"
	"strings"
	"testing"
)

// FuzzDataSet: any input is read or refused with an error (never a panic or a
// hang); a data set that reads fits under the one-compartment oral model or
// is refused, with finite predictions when it fits.
func FuzzDataSet(f *testing.F) {
	f.Add(exampleCSV)
	f.Add("ID,TIME,AMT,DV,EVID,MDV,CMT\n1,0,500,.,1,1,1\n1,1,0,8,0,0,2\n1,2,0,6,0,0,2\n")
	f.Add("ID,TIME,AMT,DV,II,ADDL,SS\n1,0,100,.,12,3,1\n1,13,0,2,0,0,0\n")
	f.Add("ID,TIME,DV,BLQ,LLOQ\n1,0,0,1,0.1\n")
	f.Add("ID,TIME,AMT,DV,EVID\n1,0,10,.,4\n1,1,0,1,0\n1,2,0,.,3\n")
	m := oralModel()
	f.Fuzz(func(t *testing.T, src string) {
		ds, err := ReadCSV(strings.NewReader(src), "fuzz.csv")
		if err != nil {
			return
		}
		total := 0
		for _, s := range ds.Subjects {
			for _, r := range s.Records {
				total += r.Dose.ADDL + 1
				if math.Abs(r.Time) > 1e6 || r.Dose.II > 1e6 {
					return
				}
			}
		}
		if total > 2000 {
			return
		}
		res, err := m.Fit(ds, BFGS)
		if err != nil {
			return
		}
		for _, e := range res.Estimates {
			for _, v := range e.Eta {
				if math.IsNaN(v) {
					t.Fatalf("NaN η for %q", src)
				}
			}
		}
	})
}
