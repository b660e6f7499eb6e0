package rng

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Stream is one named, independent sequence of random numbers. It is not safe for
// concurrent use; each replication owns its streams.
type Stream struct {
	pcg rand.PCG
	r   rand.Rand // over pcg, in the Stream: one allocation per stream, not two
	// Key is the name the stream was derived from, for error messages.
	Key string
}

// New derives the stream for (seed, replication, name, id). The same key always
// gives the same sequence, on every platform and Go version that keeps PCG's
// definition (math/rand/v2 documents it as stable).
func New(seed uint64, replication int, name string, id uint64) *Stream {
	s := &Stream{}
	s.Init(seed, replication, name, id)
	return s
}

// Init makes *s the stream New returns for (seed, replication, name, id), in
// memory the caller owns (a model's per-entity record holds its stream: one
// allocation for both). s must not be copied afterwards: its Rand refers to
// its own source.
func (s *Stream) Init(seed uint64, replication int, name string, id uint64) {
	hi, lo := Derive(seed, replication, name, id)
	*s = Stream{Key: name}
	s.pcg.Seed(hi, lo)
	s.r = *rand.New(&s.pcg)
}

// Derive returns the two PCG seed words for (seed, replication, name, id).
// The name is hashed with 64-bit FNV-1a; the words are mixed with the SplitMix64
// finaliser (Steele, Lea & Flood 2014), so that nearby keys give unrelated seeds.
func Derive(seed uint64, replication int, name string, id uint64) (uint64, uint64) {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= prime
	}
	a := mix(seed ^ mix(h))
	a = mix(a ^ mix(uint64(replication)+0x632be59bd9b4e019))
	a = mix(a ^ mix(id+0x9e3779b97f4a7c15))
	b := mix(a ^ 0xd1b54a32d192ed03)
	return a, b
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Source returns the stream as a math/rand/v2 Source, for gonum distributions.
func (s *Stream) Source() rand.Source { return &s.pcg }

// Rand returns the stream's *rand.Rand.
func (s *Stream) Rand() *rand.Rand { return &s.r }

// Float64 returns a uniform draw in [0, 1).
func (s *Stream) Float64() float64 { return s.r.Float64() }

// Uniform returns a uniform draw in [a, b).
func (s *Stream) Uniform(a, b float64) float64 { return a + (b-a)*s.r.Float64() }

// IntN returns a uniform integer in [0, n). It panics if n <= 0.
func (s *Stream) IntN(n int) int { return s.r.IntN(n) }

// Exp returns an exponential draw with the given rate (mean 1/rate). It is
// gonum's distuv.Exponential{Rate: rate, Src: source}.Rand(), which is
// rand.New(source).ExpFloat64() / rate, written over the stream's own Rand:
// the same numbers without a Rand made per draw and gonum's call around it
// (TestExpIsGonums).
func (s *Stream) Exp(rate float64) float64 {
	return s.r.ExpFloat64() / rate
}

// Normal returns a normal draw with mean mu and standard deviation sigma.
func (s *Stream) Normal(mu, sigma float64) float64 {
	return distuv.Normal{Mu: mu, Sigma: sigma, Src: &s.pcg}.Rand()
}

// LogNormal returns exp(N(mu, sigma)): mu and sigma are on the log scale.
func (s *Stream) LogNormal(mu, sigma float64) float64 {
	return distuv.LogNormal{Mu: mu, Sigma: sigma, Src: &s.pcg}.Rand()
}

// Gamma returns a gamma draw with the given shape (alpha) and rate (beta); the mean
// is shape/rate.
func (s *Stream) Gamma(shape, rate float64) float64 {
	return distuv.Gamma{Alpha: shape, Beta: rate, Src: &s.pcg}.Rand()
}

// Triangular returns a triangular draw on [a, b] with mode c.
func (s *Stream) Triangular(a, b, c float64) float64 {
	return distuv.NewTriangle(a, b, c, &s.pcg).Rand()
}

// Weibull returns a Weibull draw with shape k and scale lambda.
func (s *Stream) Weibull(k, lambda float64) float64 {
	return distuv.Weibull{K: k, Lambda: lambda, Src: &s.pcg}.Rand()
}

// Bernoulli returns true with probability p.
func (s *Stream) Bernoulli(p float64) bool { return s.r.Float64() < p }

// Poisson returns a Poisson count with mean lambda.
func (s *Stream) Poisson(lambda float64) int {
	return int(distuv.Poisson{Lambda: lambda, Src: &s.pcg}.Rand())
}

// Empirical is a discrete distribution over values with given weights, sampled by
// inverse transform on the cumulative weights.
type Empirical struct {
	Values []float64
	cum    []float64
}

// NewEmpirical checks values and weights and builds the distribution. Weights need
// not sum to one; they must be non-negative, finite and not all zero.
func NewEmpirical(values, weights []float64) (*Empirical, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("empirical: no values")
	}
	if len(values) != len(weights) {
		return nil, fmt.Errorf("empirical: %d values but %d weights", len(values), len(weights))
	}
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("empirical: weight %d is %v, want a finite non-negative number", i+1, w)
		}
		total += w
		cum[i] = total
	}
	if total <= 0 {
		return nil, fmt.Errorf("empirical: weights sum to zero")
	}
	for i := range cum {
		cum[i] /= total
	}
	return &Empirical{Values: append([]float64(nil), values...), cum: cum}, nil
}

// Draw returns one value of e using the stream s.
func (s *Stream) Draw(e *Empirical) float64 {
	u := s.r.Float64()
	i := sort.SearchFloat64s(e.cum, u)
	for i < len(e.cum)-1 && e.cum[i] <= u {
		i++
	}
	if i >= len(e.Values) {
		i = len(e.Values) - 1
	}
	return e.Values[i]
}
