package fit

import (
	"math"

	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// NPDE returns the normalised prediction distribution errors of subject i's
// observed (non-BLQ) records, NaN elsewhere (Brendel et al. 2006, Pharm Res
// 23:2036; Comets, Brendel & Mentré 2008, Comput Methods Programs Biomed
// 90:154): sims data sets are simulated from the model (η ~ N(0, Ω), ε from
// the error model) from the named stream ("fit-npde", i) of seed; the
// observations and the simulations are decorrelated by the Cholesky factor
// of the simulations' empirical covariance; pde is the fraction of
// decorrelated simulations below the decorrelated observation (1/(2·sims)
// at the extremes) and NPDE = Φ⁻¹(pde). Under the model they are N(0, 1).
// Exponential error works on the log scale. The model must have been Checked.
func (m *Model) NPDE(ds *DataSet, i int, sims int, seed uint64) ([]float64, error) {
	s := &ds.Subjects[i]
	o, err := m.newObjective(ds, s)
	if err != nil {
		return nil, err
	}
	n := len(s.Records)
	out := make([]float64, n)
	for j := range out {
		out[j] = math.NaN()
	}
	var rows []int
	for _, j := range o.obs {
		if !s.Records[j].BLQ {
			rows = append(rows, j)
		}
	}
	nr := len(rows)
	if nr == 0 || sims < 2 {
		return out, nil
	}
	k := len(m.Etas)
	var l mat.TriDense
	m.chol.LTo(&l)
	src := rng.New(seed, 0, "fit-npde", uint64(i))
	logScale := m.Error.Kind == ExponentialError
	ysim := mat.NewDense(sims, nr, nil)
	z, eta := make([]float64, k), make([]float64, k)
	for r := 0; r < sims; r++ {
		drawEta(src, &l, z, eta)
		if err := o.predict(eta); err != nil {
			return nil, err
		}
		for c, j := range rows {
			f, e := o.pred[j], src.Normal(0, 1)
			if logScale {
				ysim.Set(r, c, math.Log(math.Max(f, 1e-300))+m.Error.Add*e)
			} else {
				ysim.Set(r, c, f+m.Error.sd(f)*e)
			}
		}
	}
	mean := make([]float64, nr)
	for c := 0; c < nr; c++ {
		for r := 0; r < sims; r++ {
			mean[c] += ysim.At(r, c) / float64(sims)
		}
	}
	cov := mat.NewSymDense(nr, nil)
	for a := 0; a < nr; a++ {
		for b := 0; b <= a; b++ {
			v := 0.0
			for r := 0; r < sims; r++ {
				v += (ysim.At(r, a) - mean[a]) * (ysim.At(r, b) - mean[b])
			}
			cov.SetSym(a, b, v/float64(sims-1))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return out, nil
	}
	var lc mat.TriDense
	ch.LTo(&lc)
	decor := func(y []float64) []float64 {
		d := make([]float64, nr)
		for c := range d {
			d[c] = y[c] - mean[c]
		}
		v := mat.NewVecDense(nr, d)
		if err := v.SolveVec(&lc, v); err != nil {
			return nil
		}
		return v.RawVector().Data
	}
	yobs := make([]float64, nr)
	for c, j := range rows {
		yobs[c] = s.Records[j].DV
		if logScale {
			yobs[c] = o.logY[j]
		}
	}
	dobs := decor(yobs)
	below := make([]int, nr)
	row := make([]float64, nr)
	for r := 0; r < sims; r++ {
		mat.Row(row, r, ysim)
		d := decor(row)
		for c := range d {
			if d[c] < dobs[c] {
				below[c]++
			}
		}
	}
	std := distuv.UnitNormal
	for c, j := range rows {
		pde := float64(below[c]) / float64(sims)
		pde = math.Min(math.Max(pde, 1/(2*float64(sims))), 1-1/(2*float64(sims)))
		out[j] = std.Quantile(pde)
	}
	return out, nil
}
