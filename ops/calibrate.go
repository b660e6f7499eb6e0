package ops

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RateEstimate is a Poisson arrival rate estimated from counts over an exposure.
type RateEstimate struct {
	Count    int
	Exposure float64 // hours observed
	Rate     float64 // per hour: Count / Exposure, the maximum-likelihood estimate
	Low      float64 // exact (Garwood 1936) 95% confidence interval
	High     float64
}

// PoissonRate is the MLE of a Poisson rate, count/exposure, with the exact
// Garwood (1936) interval: [χ²(α/2; 2k)/2, χ²(1-α/2; 2k+2)/2] / exposure.
func PoissonRate(count int, exposure, level float64) RateEstimate {
	r := RateEstimate{Count: count, Exposure: exposure, Rate: float64(count) / exposure}
	a := (1 - level) / 2
	if count > 0 {
		r.Low = distuv.ChiSquared{K: float64(2 * count)}.Quantile(a) / 2 / exposure
	}
	r.High = distuv.ChiSquared{K: float64(2*count + 2)}.Quantile(1-a) / 2 / exposure
	return r
}

// ArrivalProfile is the arrival rate by day of week (0 = day 0 of the observed
// period and every 7th day after it) and hour of day.
type ArrivalProfile struct {
	Days  float64             // whole days observed
	ByDow [7][24]RateEstimate // per hour
	Hour  [24]RateEstimate    // all days together
	Total RateEstimate        // per hour over the whole period
}

// FitArrivals estimates the arrival rates of a non-homogeneous Poisson process
// with a weekly profile, piecewise constant by hour, by maximum likelihood: for
// each (day of week, hour) the count over the exposure (the number of such
// hours in the observed period, which runs over whole days from the day of the
// first arrival to the day of the last).
func FitArrivals(vs []Visit) (ArrivalProfile, error) {
	if len(vs) == 0 {
		return ArrivalProfile{}, fmt.Errorf("ops: FitArrivals: no visits")
	}
	var p ArrivalProfile
	first, last := math.Inf(1), 0.0
	var counts [7][24]int
	for _, v := range vs {
		if v.Arrival < 0 || math.IsNaN(v.Arrival) {
			return p, fmt.Errorf("ops: FitArrivals: arrival time %v", v.Arrival)
		}
		first, last = math.Min(first, v.Arrival), math.Max(last, v.Arrival)
		d := int(v.Arrival / 86400)
		counts[d%7][int(math.Mod(v.Arrival, 86400)/3600)]++
	}
	d0, d1 := int(first/86400), int(last/86400)+1 // days observed: [d0, d1)
	p.Days = float64(d1 - d0)
	total := 0
	for h := 0; h < 24; h++ {
		n := 0
		for d := 0; d < 7; d++ {
			exposure := float64(weekdays(d0, d1, d))
			if exposure > 0 {
				p.ByDow[d][h] = PoissonRate(counts[d][h], exposure, 0.95)
			}
			n += counts[d][h]
		}
		p.Hour[h] = PoissonRate(n, p.Days, 0.95)
		total += n
	}
	p.Total = PoissonRate(total, p.Days*24, 0.95)
	return p, nil
}

// LogNormalFit is a log-normal fitted by maximum likelihood: Mu and Sigma of
// the log, with 95% CIs (normal theory: Mu ± t s/√n; Sigma by the χ² interval).
type LogNormalFit struct {
	N                  int
	Mu, MuLow, MuHigh  float64
	Sigma, SLow, SHigh float64
	Mean, Median       float64 // exp(Mu + Sigma²/2), exp(Mu)
}

// FitLogNormal fits a log-normal to the positive values of xs (MLE: the mean
// and the n-denominator standard deviation of log x).
func FitLogNormal(xs []float64) (LogNormalFit, error) {
	var logs []float64
	for _, x := range xs {
		if x > 0 && !math.IsInf(x, 0) {
			logs = append(logs, math.Log(x))
		}
	}
	n := len(logs)
	if n < 3 {
		return LogNormalFit{}, fmt.Errorf("ops: FitLogNormal: %d positive values, want at least 3", n)
	}
	var m, ss float64
	for _, l := range logs {
		m += l
	}
	m /= float64(n)
	for _, l := range logs {
		ss += (l - m) * (l - m)
	}
	f := LogNormalFit{N: n, Mu: m, Sigma: math.Sqrt(ss / float64(n))}
	s1 := math.Sqrt(ss / float64(n-1))
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	f.MuLow, f.MuHigh = m-tq*s1/math.Sqrt(float64(n)), m+tq*s1/math.Sqrt(float64(n))
	chi := distuv.ChiSquared{K: float64(n - 1)}
	f.SLow, f.SHigh = math.Sqrt(ss/chi.Quantile(0.975)), math.Sqrt(ss/chi.Quantile(0.025))
	f.Mean, f.Median = math.Exp(m+f.Sigma*f.Sigma/2), math.Exp(m)
	return f, nil
}

// weekdays counts the days in [d0, d1) with index ≡ d (mod 7).
func weekdays(d0, d1, d int) int {
	n := 0
	for i := d0; i < d1; i++ {
		if i%7 == d {
			n++
		}
	}
	return n
}
