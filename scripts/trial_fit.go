package scripts

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/engine/rng"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// fitSource is the provenance of a population a trial took from a fit
// (`fit("DIR")` in the spec): the fit's directory (relative to the spec),
// its method, OFV and the data set it was fitted to, with its SHA-256.
type fitSource struct {
	Dir, Method, DataSHA256, Data string
	OFV                           float64
}

// addTo writes the source, the i-th fit of the spec (from 1), into a
// trial's provenance entries: fit_<i>_dir, fit_<i>_method, fit_<i>_ofv,
// fit_<i>_data and fit_<i>_data_sha256.
func (f fitSource) addTo(sources map[string]string, i int) {
	p := fmt.Sprintf("fit_%d_", i)
	sources[p+"dir"], sources[p+"method"], sources[p+"data"], sources[p+"data_sha256"] = f.Dir, f.Method, f.Data, f.DataSHA256
	sources[p+"ofv"] = strconv.FormatFloat(f.OFV, 'g', -1, 64)
}

// populationFile is the part of a fit's population.json (written by
// `medtwin fit --method foce-i|saem`) a trial needs.
type populationFile struct {
	Method string `json:"method"`
	Model  struct {
		Compartments int  `json:"compartments"`
		Absorption   bool `json:"absorption"`
		MM           bool `json:"mm"`
	} `json:"model"`
	Theta      map[string]float64 `json:"theta"`
	Eta        map[string]string  `json:"eta"`
	EtaModel   map[string]string  `json:"eta_model"`
	Covariates map[string][]struct {
		Covariate string  `json:"covariate"`
		Relation  string  `json:"relation"`
		Ref       float64 `json:"ref"`
		Coef      float64 `json:"coef"`
	} `json:"covariates"`
	Omega struct {
		Names  []string    `json:"names"`
		Matrix [][]float64 `json:"matrix"`
	} `json:"omega"`
	Sigma struct {
		Kind         string  `json:"kind"`
		Additive     float64 `json:"additive"`
		Proportional float64 `json:"proportional"`
	} `json:"sigma"`
	OFV        *float64       `json:"ofv"`
	Provenance map[string]any `json:"provenance"`
	params     []string       // θ names, sorted
	chol       *mat.TriDense  // Ω's lower Cholesky factor
	etaIndex   map[string]int // η name -> row of Ω
}

// registerFit defines fit("DIR") in a trial spec's sandbox: it reads
// DIR/population.json (DIR inside the spec's directory) and returns
//
//	{ model = function(s) ... end,       -- a trial model(s): pk parameters per subject
//	  residual = { add = ..., prop = ... }, -- for sampling.residual
//	  method = "foce-i", ofv = ..., data_sha256 = "..." }
//
// model(s) gives each subject the fit's typical values (θ) times its
// covariate relations, read from the subject's field of the covariate's name
// (the fit's column in lower case, e.g. WT -> s.wt, or as written), times
// the η of the fit's Ω: η = L·z with L Ω's Cholesky factor and z standard
// normal draws from the subject's own named stream ("fit-eta", s.id) of the
// trial's seed, so that η shared by several parameters (V = CL/ke sharing
// CL's η) and a block Ω travel exactly. The trial's iiv must not repeat
// these η. Each fit a spec loads is recorded in lt.fits and, as fitSource.addTo
// writes it, in the spec's Sources: the provenance of the trial's outputs.
func (lt *luaTrial) registerFit(L *lua.LState) {
	L.SetGlobal("fit", L.NewFunction(func(L *lua.LState) int {
		dir := L.CheckString(1)
		pf, err := lt.loadPopulationFile(dir)
		if err != nil {
			L.RaiseError("fit(%q): %v", dir, err)
		}
		out := L.NewTable()
		out.RawSetString("model", L.NewFunction(func(L *lua.LState) int {
			s := L.CheckTable(1)
			p, err := pf.subject(s, lt.spec.Seed)
			if err != nil {
				L.RaiseError("fit(%q) model: %v", dir, err)
			}
			t := L.NewTable()
			for k, v := range p {
				t.RawSetString(k, lua.LNumber(v))
			}
			L.Push(t)
			return 1
		}))
		r, err := pf.residual()
		if err != nil {
			L.RaiseError("fit(%q): %v", dir, err)
		}
		res := L.NewTable()
		if pf.Sigma.Kind != "proportional" {
			res.RawSetString("add", lua.LNumber(r.Add))
		}
		if pf.Sigma.Kind != "additive" {
			res.RawSetString("prop", lua.LNumber(r.Prop))
		}
		out.RawSetString("residual", res)
		out.RawSetString("method", lua.LString(pf.Method))
		if pf.OFV != nil {
			out.RawSetString("ofv", lua.LNumber(*pf.OFV))
		}
		out.RawSetString("data_sha256", lua.LString(fmt.Sprint(pf.Provenance["data_sha256"])))
		L.Push(out)
		return 1
	}))
}

// loadPopulationFile reads and checks DIR/population.json and records its
// provenance in lt.fits and the spec's Sources (once per directory).
func (lt *luaTrial) loadPopulationFile(dir string) (*populationFile, error) {
	hint := fmt.Sprintf("write it with `medtwin fit SPEC.lua --data DATA.csv --method foce-i --out %s` beside the trial spec", dir)
	path, err := insideDir(filepath.Dir(lt.spec.Path), filepath.Join(dir, "population.json"))
	if err != nil {
		return nil, fmt.Errorf("%s/population.json: %v; %s", dir, err, hint)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the fit's population.json (%s): %v", hint, err)
	}
	pf := &populationFile{}
	if err := json.Unmarshal(raw, pf); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.ToSlash(path), err)
	}
	if pf.Model.Compartments < 1 || pf.Model.Compartments > 3 {
		return nil, fmt.Errorf("%s: the fit's model has %d compartments; a trial takes fits of medtwin's 1–3 compartment models", filepath.ToSlash(path), pf.Model.Compartments)
	}
	k := len(pf.Omega.Names)
	om := mat.NewSymDense(max(k, 1), nil)
	if len(pf.Omega.Matrix) != k {
		return nil, fmt.Errorf("%s: omega.matrix has %d rows for %d η", filepath.ToSlash(path), len(pf.Omega.Matrix), k)
	}
	pf.etaIndex = map[string]int{}
	for a, n := range pf.Omega.Names {
		pf.etaIndex[n] = a
		if len(pf.Omega.Matrix[a]) != k {
			return nil, fmt.Errorf("%s: omega.matrix row %d has %d values, want %d", filepath.ToSlash(path), a+1, len(pf.Omega.Matrix[a]), k)
		}
		for b := 0; b <= a; b++ {
			om.SetSym(a, b, pf.Omega.Matrix[a][b])
		}
	}
	if k > 0 {
		var ch mat.Cholesky
		if !ch.Factorize(om) {
			return nil, fmt.Errorf("%s: omega is not positive definite", filepath.ToSlash(path))
		}
		pf.chol = mat.NewTriDense(k, mat.Lower, nil)
		ch.LTo(pf.chol)
	}
	for p, e := range pf.Eta {
		if _, ok := pf.etaIndex[e]; !ok {
			return nil, fmt.Errorf("%s: parameter %s has η %q, which is not in omega.names", filepath.ToSlash(path), p, e)
		}
	}
	for p := range pf.Theta {
		pf.params = append(pf.params, p)
	}
	sort.Strings(pf.params)
	src := fitSource{Dir: dir, Method: pf.Method, Data: fmt.Sprint(pf.Provenance["data"]), DataSHA256: fmt.Sprint(pf.Provenance["data_sha256"]), OFV: math.NaN()}
	if pf.OFV != nil {
		src.OFV = *pf.OFV
	}
	for _, f := range lt.fits {
		if f.Dir == dir {
			return pf, nil
		}
	}
	lt.fits = append(lt.fits, src)
	if lt.spec.Sources == nil {
		lt.spec.Sources = map[string]string{}
	}
	src.addTo(lt.spec.Sources, len(lt.fits))
	return pf, nil
}

// subject returns a subject's pk parameters (lower-case trial names).
func (pf *populationFile) subject(s *lua.LTable, seed uint64) (map[string]float64, error) {
	id, ok := s.RawGetString("id").(lua.LNumber)
	if !ok {
		return nil, fmt.Errorf("the subject has no id")
	}
	k := len(pf.Omega.Names)
	eta := make([]float64, k)
	if k > 0 {
		src := rng.New(seed, 0, "fit-eta", uint64(id))
		z := make([]float64, k)
		for a := range z {
			z[a] = src.Normal(0, 1)
		}
		for a := 0; a < k; a++ {
			for b := 0; b <= a; b++ {
				eta[a] += pf.chol.At(a, b) * z[b]
			}
		}
	}
	out := map[string]float64{"ncmt": float64(pf.Model.Compartments)}
	for _, p := range pf.params {
		v := pf.Theta[p]
		for _, c := range pf.Covariates[p] {
			x, err := covariateValue(s, c.Covariate)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %v", p, err)
			}
			switch c.Relation {
			case "exponential":
				v *= math.Exp(c.Coef * (x - c.Ref))
			case "linear":
				v *= 1 + c.Coef*(x-c.Ref)
			default:
				v *= math.Pow(x/c.Ref, c.Coef)
			}
		}
		if e, ok := pf.Eta[p]; ok {
			h := eta[pf.etaIndex[e]]
			switch pf.EtaModel[p] {
			case "additive":
				v += h
			case "proportional":
				v *= 1 + h
			default:
				v *= math.Exp(h)
			}
		}
		out[strings.ToLower(p)] = v
	}
	return out, nil
}

// covariateValue reads a fit covariate from the subject: its name as the
// fit wrote it, or in lower case.
func covariateValue(s *lua.LTable, name string) (float64, error) {
	for _, k := range []string{name, strings.ToLower(name)} {
		if v, ok := s.RawGetString(k).(lua.LNumber); ok {
			return float64(v), nil
		}
	}
	var have []string
	s.ForEach(func(k, _ lua.LValue) { have = append(have, k.String()) })
	sort.Strings(have)
	return 0, fmt.Errorf("the fit's covariate %s is not a covariate of the trial's population (it has %s): name a population covariate %s", name, strings.Join(have, ", "), strings.ToLower(name))
}
