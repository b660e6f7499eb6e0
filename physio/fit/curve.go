package fit

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
)

// Curve returns the subject's predictions at times (any order, h) at η (nil:
// the population prediction), honouring resets: a time belongs to the last
// segment opened at or before it. The model must have been Checked.
func (m *Model) Curve(ds *DataSet, s *Subject, eta []float64, times []float64) ([]float64, error) {
	o, err := m.newObjective(ds, s)
	if err != nil {
		return nil, err
	}
	return o.curve(eta, times)
}

func (o *subjectObjective) curve(eta []float64, times []float64) ([]float64, error) {
	o.individual(eta)
	out := make([]float64, len(times))
	idx := make([]int, len(times))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return times[idx[a]] < times[idx[b]] })
	for si, seg := range o.segs {
		end := math.Inf(1)
		if si+1 < len(o.segs) {
			end = o.segs[si+1].start
		}
		var ts []float64
		var at []int
		for _, i := range idx {
			if t := times[i]; (t >= seg.start || si == 0) && t < end {
				ts = append(ts, t)
				at = append(at, i)
			}
		}
		if len(ts) == 0 || len(seg.doses) == 0 {
			continue
		}
		buf := make([]float64, len(ts))
		if err := o.predictSegment(seg.doses, ts, buf); err != nil {
			return nil, err
		}
		for k, i := range at {
			out[i] = buf[k]
		}
	}
	return out, nil
}

// PosteriorDraws returns n draws of η from the Laplace approximation of the
// subject's posterior, N(η̂, Cov), from the named stream ("fit-posterior",
// id) of seed: the same seed and subject give the same draws.
func PosteriorDraws(e *Estimate, n int, seed uint64, id uint64) ([][]float64, error) {
	if e.Cov == nil {
		return nil, fmt.Errorf("fit: subject %s has no posterior covariance (%s)", e.ID, e.Warning)
	}
	k := len(e.Eta)
	var ch mat.Cholesky
	if !ch.Factorize(e.Cov) {
		return nil, fmt.Errorf("fit: subject %s: the posterior covariance is not positive definite", e.ID)
	}
	var l mat.TriDense
	ch.LTo(&l)
	src := rng.New(seed, 0, "fit-posterior", id)
	out := make([][]float64, n)
	z := make([]float64, k)
	for d := range out {
		for i := range z {
			z[i] = src.Normal(0, 1)
		}
		eta := make([]float64, k)
		for i := 0; i < k; i++ {
			eta[i] = e.Eta[i]
			for j := 0; j <= i; j++ {
				eta[i] += l.At(i, j) * z[j]
			}
		}
		out[d] = eta
	}
	return out, nil
}
