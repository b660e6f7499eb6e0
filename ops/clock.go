package ops

import "math"

// modPeriod returns math.Mod(t, period) for the periods of a clock (a day,
// 86400 s; a week, 604800 s), bit for bit, without math.Mod's loop over the
// quotient's bits (which showed in the ED's profile: hour of day for every
// arrival candidate). For 0 < t < 2^52 and an integer period,
// k = floor(t/period) is the true quotient or one more (a correctly rounded
// quotient never falls below an integer the true one reaches, and rounds up
// to at most the next one); k*period is an integer below 2^53, so exact; and
// t - k*period is exact by Sterbenz's lemma (the two lie within a factor of 2),
// as is adding period back when k was one too many (the true remainder, which
// fmod returns, is representable). Other t go to math.Mod.
func modPeriod(t, period float64) float64 {
	if !(t > 0 && t < 1<<52) { // (-0 too: math.Mod keeps its sign)
		return math.Mod(t, period)
	}
	k := math.Floor(t / period)
	r := t - k*period
	if r < 0 {
		r += period
	}
	return r
}
