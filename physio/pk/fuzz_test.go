package pk

import (
	"math"
	"strings"
	"testing"
)

// FuzzDosesCSV: any CSV is parsed or rejected with an error; records that parse
// are simulated on both paths or rejected, and concentrations are finite.
func FuzzDosesCSV(f *testing.F) {
	f.Add("TIME,AMT,RATE,II,ADDL,CMT,SS\n0,100,0,12,3,1,0\n")
	f.Add("TIME,AMT,RATE,II,ADDL,CMT,SS\n0,100,50,12,1,2,1\n24,50,0,6,0,2,2\n")
	f.Add("time,amt\n-5,1e300\n")
	f.Add("TIME,AMT,II,ADDL\n0,1,0,5\n")
	f.Add("TIME,AMT,ADDL,II\n0,1,100000000,1e-9\n")
	f.Add("TIME,AMT,ADDL,II\n0,1,3e9,12\n")
	f.Add("TIME,AMT\n1e308,1\n")
	f.Add("TIME,AMT,II,ADDL\n0,1,1e300,1\n")
	m := Model{NCmt: 2, Absorption: true, P: Params{CL: 5, V1: 50, Q2: 10, V2: 100, KA: 1}}
	f.Fuzz(func(t *testing.T, src string) {
		doses, err := ReadDosesCSV(strings.NewReader(src), "fuzz.csv")
		if err != nil {
			return
		}
		// records past the limits (MaxADDL, MaxTimeH) must be refused by
		// both paths, quickly; within them, keep the work bounded: the fuzzer
		// is after crashes, not huge regimens
		total, outside := 0, false
		for _, d := range doses {
			outside = outside || d.ADDL > MaxADDL || math.Abs(d.Time) > MaxTimeH || d.II > MaxTimeH
			total += d.ADDL + 1
		}
		if outside {
			for _, path := range []Path{Exact, ODE} {
				if _, err := m.Simulate(doses, []float64{0, 1}, path); err == nil {
					t.Fatalf("path %d: a record past the limits was simulated: %q", path, src)
				}
			}
			return
		}
		if total > 500 || len(doses) > 50 {
			return
		}
		for _, path := range []Path{Exact, ODE} {
			c, err := m.Simulate(doses, []float64{0, 1, 12, 48}, path)
			if err != nil {
				continue
			}
			for _, v := range c {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("path %d: non-finite concentration %v for %q", path, v, src)
				}
			}
		}
	})
}
