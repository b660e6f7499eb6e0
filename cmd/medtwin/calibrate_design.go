package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/ops"
	"github.com/medtwin/medtwin/scripts"
	"gonum.org/v1/gonum/optimize"
)

// fitBox is one --fit name=lo..hi.
type fitBox struct {
	name   string
	lo, hi float64
}

// simDesign is the set of parameter points calibrate has simulated, each with
// its simulated KPI samples (sorted), so that the bootstrap can refit on a
// resample of the observed visits without simulating again.
type simDesign struct {
	sc      *scripts.Scenario
	fits    []fitBox
	obs     map[string][]float64 // the observed samples, sorted
	workers int
	tick    func() // progress: called after each replication simulated
	points  []designPoint
	memo    map[string]int // parameter values -> index in points
	blocks  map[[2]int]int // (replication, day of arrival) -> block id
	keys    [][2]int       // block id -> (replication, day)
	evals   int            // optimiser evaluations
	bestI   int
	bestD   float64
}

type designPoint struct {
	vals []float64
	sim  map[string]blockSample
}

// blockSample is a simulated KPI sample, sorted, with the block (replication
// and day of arrival) of each value, so that a bootstrap replicate can
// resample the simulated days by weighting them.
type blockSample struct {
	vals  []float64
	block []int
}

// sortedSamples returns the validation KPIs' samples of the visits, sorted.
func sortedSamples(vs []ops.Visit) map[string][]float64 {
	_, o := ops.Samples(nil, vs)
	for _, s := range o {
		slices.Sort(s)
	}
	return o
}

// calibrationDistance is calibrate's distance: the sum over the validation
// KPIs of the two-sample KS statistic between the simulated sample (each value
// weighted by its block's weight; nil weights: all 1) and the observed sample,
// sorted (a KPI missing on either side adds 0).
func calibrationDistance(sim map[string]blockSample, weights []float64, obs map[string][]float64) float64 {
	d := 0.0
	for _, k := range ops.ValidationKPIs {
		if len(sim[k].vals) == 0 || len(obs[k]) == 0 {
			continue
		}
		d += weightedKS(sim[k], weights, obs[k])
	}
	return d
}

// weightedKS is the two-sample KS statistic sup |F_a - F_b| with a's empirical
// distribution weighted by block (ties resolved as stats.KS2: all values equal
// to v on both sides are taken before comparing). A sample of zero weight is
// at distance 1.
func weightedKS(a blockSample, weights []float64, b []float64) float64 {
	w := func(i int) float64 {
		if weights == nil {
			return 1
		}
		return weights[a.block[i]]
	}
	total := 0.0
	for i := range a.vals {
		total += w(i)
	}
	if total == 0 {
		return 1
	}
	m := float64(len(b))
	var d, ca float64
	i, j := 0, 0
	for i < len(a.vals) && j < len(b) {
		v := math.Min(a.vals[i], b[j])
		for i < len(a.vals) && a.vals[i] == v {
			ca += w(i)
			i++
		}
		for j < len(b) && b[j] == v {
			j++
		}
		d = math.Max(d, math.Abs(ca/total-float64(j)/m))
	}
	return d
}

// values maps u in [0, 1]^k (clamped) to parameter values, integers rounded.
func (d *simDesign) values(u []float64) []float64 {
	vals := make([]float64, len(d.fits))
	for i, f := range d.fits {
		vals[i] = f.lo + math.Max(0, math.Min(1, u[i]))*(f.hi-f.lo)
		if d.sc.Param(f.name).Integer {
			vals[i] = math.Round(vals[i])
		}
	}
	return vals
}

// point simulates the scenario at vals (once: points are memoised) and
// returns its index.
func (d *simDesign) point(ctx context.Context, vals []float64) (int, error) {
	key := fmt.Sprint(vals)
	if i, ok := d.memo[key]; ok {
		return i, nil
	}
	v := d.sc.Clone()
	for i, f := range d.fits {
		if err := v.Set(fmt.Sprintf("%s=%g", f.name, vals[i])); err != nil {
			return 0, err
		}
	}
	flows, err := runFlow(ctx, v, d.workers, d.tick)
	if err != nil {
		return 0, err
	}
	d.points = append(d.points, designPoint{vals, d.blockSamples(flows)})
	d.memo[key] = len(d.points) - 1
	return len(d.points) - 1, nil
}

// fit runs Nelder–Mead over the boxes (in u-space, common random numbers: the
// scenario's seed in every evaluation) for at most maxEvals evaluations, then
// simulates the grid of ±grid steps around its result, and takes the design
// point of least distance as the estimate.
func (d *simDesign) fit(ctx context.Context, maxEvals, grid int) error {
	var fail error
	obj := func(u []float64) float64 {
		if fail != nil || d.evals >= maxEvals {
			return math.Inf(1)
		}
		d.evals++
		i, err := d.point(ctx, d.values(u))
		if err != nil {
			fail = err
			return math.Inf(1)
		}
		dist := calibrationDistance(d.points[i].sim, nil, d.obs)
		// outside the box: the clamped point's distance plus the distance out
		for j := range u {
			dist += math.Max(0, -u[j]) + math.Max(0, u[j]-1)
		}
		return dist
	}
	u0 := make([]float64, len(d.fits))
	for i, f := range d.fits {
		start, ok := d.sc.Param(f.name).Value.(float64)
		if !ok {
			return usagef("--fit %s: not a number parameter", f.name)
		}
		u0[i] = math.Max(0, math.Min(1, (start-f.lo)/(f.hi-f.lo)))
	}
	res, err := optimize.Minimize(optimize.Problem{Func: obj}, u0,
		&optimize.Settings{FuncEvaluations: maxEvals, Converger: &optimize.FunctionConverge{Absolute: 1e-4, Iterations: 20}},
		&optimize.NelderMead{SimplexSize: 0.25})
	if fail != nil {
		return fail
	}
	if err != nil && res == nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	centre := d.values(res.X)
	if grid > 0 {
		steps := make([]float64, len(d.fits))
		for i, f := range d.fits {
			steps[i] = (f.hi - f.lo) / 20
			if d.sc.Param(f.name).Integer {
				steps[i] = math.Max(1, math.Round(steps[i]))
			}
		}
		offs := make([]int, len(d.fits))
		for i := range offs {
			offs[i] = -grid
		}
		for {
			vals := make([]float64, len(d.fits))
			for i, f := range d.fits {
				vals[i] = math.Max(f.lo, math.Min(f.hi, centre[i]+float64(offs[i])*steps[i]))
			}
			if _, err := d.point(ctx, vals); err != nil {
				return err
			}
			k := 0 // next grid point, odometer order
			for ; k < len(offs) && offs[k] == grid; k++ {
				offs[k] = -grid
			}
			if k == len(offs) {
				break
			}
			offs[k]++
		}
	}
	d.bestI, d.bestD = d.nearest(nil, d.obs)
	return nil
}

// blockSamples returns the KPI samples of the flows (one slice per
// replication), sorted, each value tagged with its (replication, day) block.
func (d *simDesign) blockSamples(flows [][]engine.FlowRow) map[string]blockSample {
	out := map[string]blockSample{}
	for r, rows := range flows {
		byDay := map[int][]engine.FlowRow{}
		var days []int
		for _, f := range rows {
			day := int(math.Floor(f.Arrival / 86400))
			if byDay[day] == nil {
				days = append(days, day)
			}
			byDay[day] = append(byDay[day], f)
		}
		slices.Sort(days)
		for _, day := range days {
			key := [2]int{r, day}
			id, ok := d.blocks[key]
			if !ok {
				id = len(d.keys)
				d.blocks[key] = id
				d.keys = append(d.keys, key)
			}
			sim, _ := ops.Samples([][]engine.FlowRow{byDay[day]}, nil)
			for k, vs := range sim {
				s := out[k]
				for _, v := range vs {
					s.vals = append(s.vals, v)
					s.block = append(s.block, id)
				}
				out[k] = s
			}
		}
	}
	for k, s := range out {
		idx := make([]int, len(s.vals))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(s.vals[a], s.vals[b]) })
		sorted := blockSample{make([]float64, len(idx)), make([]int, len(idx))}
		for i, j := range idx {
			sorted.vals[i], sorted.block[i] = s.vals[j], s.block[j]
		}
		out[k] = sorted
	}
	return out
}

// simWeights draws a day-block resample of the simulated replications: within
// each replication, as many days as it has, drawn uniformly with replacement
// from its days; a block's weight is how often it was drawn.
func (d *simDesign) simWeights(st *rng.Stream) []float64 {
	w := make([]float64, len(d.keys))
	byRep := map[int][]int{}
	var reps []int
	for id, k := range d.keys {
		if byRep[k[0]] == nil {
			reps = append(reps, k[0])
		}
		byRep[k[0]] = append(byRep[k[0]], id)
	}
	slices.Sort(reps)
	for _, r := range reps {
		ids := byRep[r]
		slices.SortFunc(ids, func(a, b int) int { return cmp.Compare(d.keys[a][1], d.keys[b][1]) })
		for range ids {
			w[ids[st.IntN(len(ids))]]++
		}
	}
	return w
}

// nearest returns the design point of least distance to the observed samples
// obs, the simulated blocks weighted by weights (nil: all 1); the first of
// equals, so the choice is deterministic.
func (d *simDesign) nearest(weights []float64, obs map[string][]float64) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for i, p := range d.points {
		if dist := calibrationDistance(p.sim, weights, obs); dist < bestD {
			best, bestD = i, dist
		}
	}
	return best, bestD
}

func (d *simDesign) best() []float64 { return d.points[d.bestI].vals }

// atEdge reports whether the interval [lo, hi] of parameter name reaches a
// side of the simulated design that is not a side of its box: the design, not
// the data, then bounds the interval.
func (d *simDesign) atEdge(name string, lo, hi float64) bool {
	for i, f := range d.fits {
		if f.name != name {
			continue
		}
		mn, mx := math.Inf(1), math.Inf(-1)
		for _, p := range d.points {
			mn, mx = math.Min(mn, p.vals[i]), math.Max(mx, p.vals[i])
		}
		return (lo <= mn && mn > f.lo) || (hi >= mx && mx < f.hi)
	}
	return false
}

// bootstrapFits refits on b day-block resamples of the observed visits (ops.ResampleDays;
// replicate i draws from the stream "calibrate-bootstrap", id i, of seed) and
// returns each parameter's replicates: visits_per_day (the arrival MLE),
// los_mu and los_sigma (the LOS log-normal MLE, with fitLOS) and, with a design, each --fit
// parameter as the design point nearest the replicate, the simulated days
// resampled too (stream "calibrate-bootstrap-sim", id i; the same weights for
// every point, so the points keep their common random numbers): the estimate
// of a simulation-fitted parameter varies with the simulation's noise as
// with the data's, and its CI covers both.
func bootstrapFits(vs []ops.Visit, seed uint64, b int, fitLOS bool, d *simDesign) (map[string][]float64, error) {
	out := map[string][]float64{}
	for i := 0; i < b; i++ {
		r := ops.ResampleDays(vs, rng.New(seed, 0, "calibrate-bootstrap", uint64(i)))
		ap, err := ops.FitArrivals(r)
		if err != nil {
			return nil, fmt.Errorf("calibrate: bootstrap replicate %d: %w", i, err)
		}
		out["visits_per_day"] = append(out["visits_per_day"], ap.Total.Rate*24)
		if fitLOS {
			los := make([]float64, len(r))
			for j, v := range r {
				los[j] = v.LOS() / 3600
			}
			lf, err := ops.FitLogNormal(los)
			if err != nil {
				return nil, fmt.Errorf("calibrate: bootstrap replicate %d: %w", i, err)
			}
			out["los_mu"] = append(out["los_mu"], lf.Mu)
			out["los_sigma"] = append(out["los_sigma"], lf.Sigma)
		}
		if d == nil {
			continue
		}
		j, _ := d.nearest(d.simWeights(rng.New(seed, 0, "calibrate-bootstrap-sim", uint64(i))), sortedSamples(r))
		for k, f := range d.fits {
			out[f.name] = append(out[f.name], d.points[j].vals[k])
		}
	}
	return out, nil
}
