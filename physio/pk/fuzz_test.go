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
	m := Model{NCmt: 2, Absorption: true, P: Params{CL: 5, V1: 50, Q2: 10, V2: 100, KA: 1}}
	f.Fuzz(func(t *testing.T, src string) {
		doses, err := ReadDosesCSV(strings.NewReader(src), "fuzz.csv")
		if err != nil {
			return
		}
		// keep the work bounded: the fuzzer is after crashes, not huge regimens
		total := 0
		for _, d := range doses {
			if d.ADDL > 200 || math.Abs(d.Time) > 1e6 || d.II > 1e6 {
				return
			}
			total += d.ADDL + 1
		}
		if total > 500 {
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
