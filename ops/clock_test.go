package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// modPeriod is math.Mod, bit for bit, for the clock's periods: at and around
// multiples of the period (where the rounded quotient reaches the next
// integer), over years of seconds, and for edge values.
func TestModPeriodIsMathMod(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x, p float64) {
		if got, want := modPeriod(x, p), math.Mod(x, p); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("modPeriod(%v, %v) = %v, math.Mod gives %v", x, p, got, want)
		}
	}
	for _, p := range []float64{86400, 7 * 86400, 3600} {
		for k := 0.0; k < 5000; k++ {
			m := k * p
			x := m
			for i := 0; i < 4; i++ { // the floats just below and above the multiple
				check(x, p)
				check(math.Nextafter(m, math.Inf(1)), p)
				x = math.Nextafter(x, 0)
			}
			check(m+r.Float64()*p, p)
		}
		for i := 0; i < 100000; i++ {
			check(r.Float64()*1e10, p)
			check(math.Ldexp(r.Float64(), r.IntN(60)), p)
		}
		for _, x := range []float64{0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1 << 52, 1<<52 - 0.5, 1e300, math.Inf(1), math.NaN(), -1} {
			check(x, p)
		}
	}
}
