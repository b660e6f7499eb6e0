package scripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/medtwin/medtwin/physio/fit"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// FitSpec is a fit spec written in Lua (`return fit { ... }`): a structural
// model, the population values (theta, the η on each parameter, omega,
// sigma, covariate effects) and, optionally, what a dose recommendation
// aims at. All its checks are here and in fit.Model.Check.
type FitSpec struct {
	Path, Name, Description, SHA256 string
	Seed                            uint64
	Model                           *fit.Model
	// Recommend is nil when the spec asks for no recommendation.
	Recommend *FitRecommend
}

// FitRecommend is the spec's dose-recommendation part.
type FitRecommend struct {
	Target   fit.Target
	Regimens []fit.Regimen
	Draws    int
}

var fitFields = []string{"name", "description", "model", "theta", "eta", "eta_model", "omega", "sigma", "covariates", "recommend", "seed"}

// LoadFitSpec reads and checks a fit spec; errors name the file and line.
//
//	return fit {
//	  name = "theophylline",
//	  model = { compartments = 1, absorption = true },  -- michaelis_menten = true adds VMAX, KM
//	  theta = { CL = 0.0397, V1 = 0.466, KA = 1.59 },   -- typical values (L/h, L, 1/h)
//	  eta = { CL = "eta_cl", V1 = "eta_cl", KA = "eta_ka" },
//	  omega = { names = { "eta_ka", "eta_cl" }, diag = { 0.414, 0.0279 } },  -- or matrix = {{..},{..}}
//	  sigma = { additive = 0.709 },    -- proportional, both (combined), or exponential
//	  covariates = { CL = { { name = "WT", relation = "power", ref = 70, coef = 0.75 } } },
//	  recommend = { target = { metric = "auc24", min = 400, max = 600 },
//	                doses = { 500, 1000, 1500 }, intervals = { 8, 12, 24 }, infusion = 1, draws = 1000 },
//	}
func LoadFitSpec(path string) (*FitSpec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read fit spec: %w", err)
	}
	chunk := filepath.ToSlash(path)
	proto, err := Compile(string(src), chunk)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	fs := &FitSpec{Path: chunk, SHA256: hex.EncodeToString(sum[:]), Seed: 1}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	L, err := newSandbox(ctx, Limits{}, nil, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer L.Close()
	L.SetGlobal("fit", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		t.RawSetString("__fit", lua.LTrue)
		t.RawSetString("__where", lua.LString(strings.TrimSuffix(L.Where(1), ":")))
		L.Push(t)
		return 1
	}))
	strictGlobals(L)
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 1, nil); err != nil {
		return nil, luaError(err, chunk, ctx)
	}
	t, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok || t.RawGetString("__fit") != lua.LTrue {
		return nil, fmt.Errorf("%s: a fit spec must end with `return fit { ... }`", chunk)
	}
	where := lua.LVAsString(t.RawGetString("__where"))
	var derr error
	fn := L.NewFunction(func(L *lua.LState) int {
		derr = fs.describe(L, t)
		return 0
	})
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}); err != nil {
		return nil, fmt.Errorf("%s: %s", where, strings.TrimSpace(luaMessage(err)))
	}
	if derr != nil {
		return nil, fmt.Errorf("%s: %v", where, strings.TrimPrefix(derr.Error(), "fit: "))
	}
	return fs, nil
}

func (fs *FitSpec) describe(L *lua.LState, t *lua.LTable) error {
	L.Push(t)
	top := newCfg(L, L.GetTop(), "fit", append(fitFields, "__fit", "__where")...)
	L.Pop(1)
	fs.Name = lua.LVAsString(t.RawGetString("name"))
	fs.Description = lua.LVAsString(t.RawGetString("description"))
	if fs.Name == "" {
		return fmt.Errorf("the fit spec needs a name")
	}
	if v, ok := t.RawGetString("seed").(lua.LNumber); ok {
		if v < 0 || float64(v) != float64(uint64(v)) {
			return fmt.Errorf("seed must be a non-negative integer, got %v", v)
		}
		fs.Seed = uint64(v)
	}
	m, rec, err := fitModelFromLua(L, top, "the fit spec")
	if err != nil {
		return err
	}
	fs.Model, fs.Recommend = m, rec
	return nil
}

// fitModelFromLua reads the statistical model (model, theta, eta, eta_model,
// omega, sigma, covariates) and the optional recommend part of a fit spec's
// table, or of the same keys given to a trial's ctx:map{ ... }; what names the
// table in errors.
func fitModelFromLua(L *lua.LState, top *cfg, what string) (*fit.Model, *FitRecommend, error) {
	for _, key := range []string{"model", "theta", "omega", "sigma"} {
		if !top.has(key) {
			return nil, nil, fmt.Errorf("%s needs %s = { ... }", what, key)
		}
	}
	// the structure
	mc := need(top, "model", "compartments", "absorption", "michaelis_menten")
	st, err := fit.NewPK(mc.int("compartments", 1), lua.LVAsBool(mc.t.RawGetString("absorption")), lua.LVAsBool(mc.t.RawGetString("michaelis_menten")))
	if err != nil {
		return nil, nil, err
	}
	names := st.ParamNames()
	m := &fit.Model{Structure: st}
	theta := need(top, "theta", names...)
	etaOf := need(top, "eta", names...)
	etaModel := need(top, "eta_model", names...)
	covs := need(top, "covariates", names...)
	for _, n := range names {
		if !theta.has(n) {
			continue
		}
		p := fit.Param{Name: n, Typical: theta.num(n, 0)}
		if etaOf.has(n) {
			p.Eta = lua.LVAsString(etaOf.t.RawGetString(n))
		}
		switch s := lua.LVAsString(etaModel.t.RawGetString(n)); s {
		case "", "exp", "exponential":
		case "add", "additive":
			p.EtaModel = fit.EtaAdd
		case "prop", "proportional":
			p.EtaModel = fit.EtaProp
		default:
			return nil, nil, fmt.Errorf("eta_model.%s = %q: want exp, add or prop", n, s)
		}
		if ct, ok := covs.t.RawGetString(n).(*lua.LTable); ok {
			for i := 1; i <= ct.Len(); i++ {
				L.Push(ct.RawGetInt(i))
				c := newCfg(L, L.GetTop(), fmt.Sprintf("covariates.%s[%d]", n, i), "name", "relation", "ref", "coef")
				L.Pop(1)
				rel, err := fit.ParseRelation(lua.LVAsString(c.t.RawGetString("relation")))
				if err != nil {
					return nil, nil, fmt.Errorf("covariates.%s[%d]: %v", n, i, err)
				}
				cname := lua.LVAsString(c.t.RawGetString("name"))
				if cname == "" {
					return nil, nil, fmt.Errorf("covariates.%s[%d] needs the covariate's name (a data-set column)", n, i)
				}
				p.Covariates = append(p.Covariates, fit.CovariateEffect{Covariate: cname, Relation: rel, Ref: c.num("ref", 0), Coef: c.num("coef", 0)})
			}
		}
		m.Params = append(m.Params, p)
	}
	// omega
	oc := need(top, "omega", "names", "diag", "matrix")
	nt, ok := oc.t.RawGetString("names").(*lua.LTable)
	if !ok || nt.Len() == 0 {
		return nil, nil, fmt.Errorf("omega needs names = { \"eta_...\", ... } (the η, in the order of its rows)")
	}
	for i := 1; i <= nt.Len(); i++ {
		m.Etas = append(m.Etas, lua.LVAsString(nt.RawGetInt(i)))
	}
	k := len(m.Etas)
	switch {
	case oc.has("diag") && oc.has("matrix"):
		return nil, nil, fmt.Errorf("omega: give diag or matrix, not both")
	case oc.has("diag"):
		d := oc.list("diag", k)
		m.Omega = mat.NewSymDense(k, nil)
		for i, v := range d {
			m.Omega.SetSym(i, i, v)
		}
	case oc.has("matrix"):
		mt, _ := oc.t.RawGetString("matrix").(*lua.LTable)
		if mt == nil || mt.Len() != k {
			return nil, nil, fmt.Errorf("omega.matrix must have %d rows", k)
		}
		data := make([]float64, 0, k*k)
		for i := 1; i <= k; i++ {
			data = append(data, numList(L, mt.RawGetInt(i), fmt.Sprintf("omega.matrix row %d", i), k)...)
		}
		for i := 0; i < k; i++ {
			for j := 0; j < i; j++ {
				if data[i*k+j] != data[j*k+i] {
					return nil, nil, fmt.Errorf("omega.matrix is not symmetric at %d,%d", i+1, j+1)
				}
			}
		}
		m.Omega = mat.NewSymDense(k, data)
	default:
		return nil, nil, fmt.Errorf("omega needs diag = { ... } or matrix = { { ... }, ... }")
	}
	// sigma
	sc := need(top, "sigma", "additive", "proportional", "exponential")
	switch {
	case sc.has("exponential"):
		if sc.has("additive") || sc.has("proportional") {
			return nil, nil, fmt.Errorf("sigma: exponential error stands alone (no additive or proportional part)")
		}
		m.Error = fit.ErrorModel{Kind: fit.ExponentialError, Add: sc.num("exponential", 0)}
	case sc.has("additive") && sc.has("proportional"):
		m.Error = fit.ErrorModel{Kind: fit.Combined, Add: sc.num("additive", 0), Prop: sc.num("proportional", 0)}
	case sc.has("additive"):
		m.Error = fit.ErrorModel{Kind: fit.Additive, Add: sc.num("additive", 0)}
	case sc.has("proportional"):
		m.Error = fit.ErrorModel{Kind: fit.Proportional, Prop: sc.num("proportional", 0)}
	default:
		return nil, nil, fmt.Errorf("sigma needs additive, proportional (or both) or exponential: residual error SDs")
	}
	// recommendation
	var rec *FitRecommend
	if top.has("recommend") {
		rc := need(top, "recommend", "target", "doses", "intervals", "infusion", "draws", "cmt")
		tc := need(rc, "target", "metric", "min", "max")
		r := &FitRecommend{Draws: rc.int("draws", 1000),
			Target: fit.Target{Metric: lua.LVAsString(tc.t.RawGetString("metric")), Min: tc.num("min", 0), Max: tc.num("max", 0)}}
		if r.Draws < 10 || r.Draws > 1_000_000 {
			return nil, nil, fmt.Errorf("recommend.draws must be in 10..1000000, got %d", r.Draws)
		}
		doses, intervals := rc.list("doses", -1), rc.list("intervals", -1)
		if len(doses) == 0 || len(intervals) == 0 || len(doses)*len(intervals) > 10000 {
			return nil, nil, fmt.Errorf("recommend needs doses = { mg, ... } and intervals = { h, ... } (at most 10000 regimens)")
		}
		for _, tau := range intervals {
			for _, d := range doses {
				r.Regimens = append(r.Regimens, fit.Regimen{DoseMg: d, IntervalH: tau, InfusionH: rc.num("infusion", 0), Cmt: rc.int("cmt", 0)})
			}
		}
		rec = r
	}
	return m, rec, nil
}

// need is c.sub that treats a missing table as empty (its checks then say
// what is missing).
func need(c *cfg, key string, known ...string) *cfg {
	if s := c.sub(key, known...); s != nil {
		return s
	}
	return &cfg{L: c.L, what: c.what + "." + key, t: c.L.NewTable(), known: known}
}
