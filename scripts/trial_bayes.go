package scripts

import (
	"fmt"
	"sort"

	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/trial"
	lua "github.com/yuin/gopher-lua"
)

// mapFields are the keys ctx:map{ ... } takes: those of a fit spec's model.
var mapFields = []string{"model", "theta", "eta", "eta_model", "omega", "sigma", "covariates", "recommend"}

// adaptContext returns the fourth argument of an arm's adapt callback
// fn(s, levels, t, ctx), which makes a Bayesian (model-informed) dosing arm
// possible:
//
//   - ctx.doses: the administrations given before t (ADDL expanded), each
//     { time, amt, rate, cmt };
//   - ctx:map{ model, theta, eta, omega, sigma, recommend }: the subject's
//     maximum a posteriori fit (physio/fit's MAP, as `medtwin fit --method
//     map`) of those doses and of the levels passed to fn, under the
//     statistical model given with the keys of a fit spec (theta may be
//     computed from the subject's covariates in Lua; data-set covariates are
//     not available here). It returns { converged, warning, ofv, eta = {
//     name = η̂ }, params = { CL = ..., V1 = ... } } and, with recommend =
//     { target, doses, intervals, infusion, draws } as in a fit spec, the
//     regimen with the highest posterior probability of attaining the target:
//     recommend = { dose_mg, interval_h, infusion_h, pta, median, p5, p95,
//     at_mode }. The posterior draws come from the trial's seed and a stream
//     per subject and arm, so a run is reproducible.
//
// A model that cannot be fitted (a level before any dose, a non-positive
// typical value) stops the trial with the spec's file and line.
func (lt *luaTrial) adaptContext(L *lua.LState, info trial.AdaptInfo, levels []trial.Level, at float64, subject int) *lua.LTable {
	given := make([]pk.Dose, len(info.Given))
	dt := L.NewTable()
	for k, a := range info.Given {
		given[k] = pk.Dose{Time: a.Time, Amt: a.Amt, Rate: a.Rate, Cmt: a.Cmt, SS: a.SS, II: a.II}
		d := L.NewTable()
		d.RawSetString("time", lua.LNumber(a.Time))
		d.RawSetString("amt", lua.LNumber(a.Amt))
		d.RawSetString("rate", lua.LNumber(a.Rate))
		d.RawSetString("cmt", lua.LNumber(a.Cmt))
		if a.SS != 0 { // a steady-state record: the doses before it are implied
			d.RawSetString("ss", lua.LNumber(a.SS))
			d.RawSetString("ii", lua.LNumber(a.II))
		}
		dt.Append(d)
	}
	ctx := L.NewTable()
	ctx.RawSetString("doses", dt)
	arm, sp := info.Arm, lt.spec
	source := fmt.Sprintf("%s (arm %d, subject %d, adapt at %g h)", sp.Path, arm+1, subject, at)
	ctx.RawSetString("map", L.NewFunction(func(L *lua.LState) int {
		c := newCfg(L, 2, "ctx:map", mapFields...)
		m, rec, err := fitModelFromLua(L, c, "ctx:map")
		if err != nil {
			L.RaiseError("%v", err)
		}
		ds := adaptDataSet(source, subject, given, levels, lt.spec.Quantification.LLOQ)
		if err := m.Check(ds.Covariates); err != nil {
			L.RaiseError("ctx:map: %v", err)
		}
		est, err := m.MAP(ds, &ds.Subjects[0], fit.BFGS)
		if err != nil {
			L.RaiseError("ctx:map: %v", err)
		}
		L.Push(mapResult(L, m, ds, est, rec, sp.Seed, uint64(subject)*uint64(len(sp.Arms))+uint64(arm)))
		return 1
	}))
	return ctx
}

// adaptDataSet is the one-subject data set of the doses given and the levels
// measured, in time order (a dose before a level at the same time); a level
// below the limit lloq is censored there (Beal's M3), whatever it was
// reported as.
func adaptDataSet(source string, subject int, given []pk.Dose, levels []trial.Level, lloq float64) *fit.DataSet {
	s := fit.Subject{ID: fmt.Sprint(subject)}
	for k, d := range given {
		d.Source = fmt.Sprintf("%s dose %d", source, k+1)
		s.Records = append(s.Records, fit.Record{Row: k + 1, Time: d.Time, EVID: fit.EvidDose, MDV: true, Dose: d})
	}
	for k, l := range levels {
		r := fit.Record{Row: len(given) + k + 1, Time: l.Time, EVID: fit.EvidObservation, DV: l.DV}
		if l.BLQ {
			r.BLQ, r.LLOQ = true, lloq
		}
		s.Records = append(s.Records, r)
	}
	sort.SliceStable(s.Records, func(a, b int) bool { return s.Records[a].Time < s.Records[b].Time })
	return &fit.DataSet{Source: source, Subjects: []fit.Subject{s}}
}

// mapResult is ctx:map's answer as a Lua table.
func mapResult(L *lua.LState, m *fit.Model, ds *fit.DataSet, est *fit.Estimate, rec *FitRecommend, seed, id uint64) *lua.LTable {
	out := L.NewTable()
	out.RawSetString("converged", lua.LBool(est.Converged))
	out.RawSetString("warning", lua.LString(est.Warning))
	out.RawSetString("ofv", lua.LNumber(est.OFV))
	eta, params := L.NewTable(), L.NewTable()
	for i, n := range m.Etas {
		eta.RawSetString(n, lua.LNumber(est.Eta[i]))
	}
	for i, n := range m.Structure.ParamNames() {
		params.RawSetString(n, lua.LNumber(est.Params[i]))
	}
	out.RawSetString("eta", eta)
	out.RawSetString("params", params)
	if rec == nil {
		return out
	}
	cands, best, err := m.Recommend(ds, &ds.Subjects[0], est, rec.Regimens, rec.Target, rec.Draws, seed, id)
	if err != nil {
		L.RaiseError("ctx:map: recommend: %v", err)
	}
	c := cands[best]
	r := L.NewTable()
	// in a fixed order: pairs() over the table is then the same on every run
	for _, kv := range []struct {
		k string
		v float64
	}{{"dose_mg", c.DoseMg}, {"interval_h", c.IntervalH}, {"infusion_h", c.InfusionH},
		{"pta", c.PTA}, {"median", c.Median}, {"p5", c.P5}, {"p95", c.P95}, {"at_mode", c.AtMode}} {
		r.RawSetString(kv.k, lua.LNumber(kv.v))
	}
	out.RawSetString("recommend", r)
	return out
}
