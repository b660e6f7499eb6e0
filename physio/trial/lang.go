package trial

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
	"gonum.org/v1/gonum/mat"
)

// LangModel is a trial's model written in the model language (physio/modlang);
// in a Lua spec, model = model.library("pk2_oral") (or model { ... }) with
// params, iiv, omega, output and solver fields (scripts.LoadTrial).
//
// Each subject's parameter P is typical(P)·exp(η_P). The η are drawn from one
// stream per subject and parameter (engine/rng "eta:P"), so adding IIV on one
// parameter does not change another's draws. The block is a lower triangle of
// variances and covariances, row by row, as NONMEM's $OMEGA BLOCK(n); its η
// are L·z with L the Cholesky factor and z the block parameters' own
// standard normal draws (appending a parameter to a block keeps the earlier
// parameters' η).
//
// Solver "auto" takes the exact matrix-exponential path for models linear in
// their states and the Taylor path (rtol 1e-8, atol 1e-10, the reference
// benchmark's tolerances) otherwise; "radau5" is the choice for a stiff model.
// These subjects run on the trial's Runner when it runs model-language jobs
// (a cohort.ModelRunner: cpu, on all cores, and cuda, whose kernel
// physio/modlang generates and the CUDA worker compiles with NVRTC), else on
// the CPU.
// Dosing records' cmt is the 1-based number of the dosed state (0: the
// first state); SS = 1 and 2 are NONMEM's, as for pk models (modlang.Dose:
// the steady state of one dosing interval's map, on the CPU). Endpoints default to the output; an
// endpoint's of may name any state, output or assigned quantity of the model.
type LangModel struct {
	Model  *modlang.Model
	Output string
	Path   modlang.Path
	// SD is the standard deviation of η by parameter (diagonal IIV).
	SD map[string]float64
	// Block names the parameters of the Ω block; Chol is its lower Cholesky
	// factor (nil: no block).
	Block []string
	Chol  *mat.TriDense
}

// checkOf checks an endpoint's quantity for a model-language model: "conc"
// (the output) or a quantity of the model.
func (lm *LangModel) checkOf(of string) error {
	if of == "conc" {
		return nil
	}
	_, err := lm.valueAtDefaults(of)
	if err != nil {
		return fmt.Errorf("of: %v", err)
	}
	return nil
}

// valueAtDefaults evaluates quantity q at time 0 with the model's default
// parameters and initial state: an error when the model has no such quantity.
func (lm *LangModel) valueAtDefaults(q string) (float64, error) {
	in := lm.Model.NewInstance()
	if err := in.SetParams(lm.Model.Defaults()); err != nil {
		return 0, err
	}
	y := make([]float64, lm.Model.NumStates())
	in.Init(y)
	return in.Value(q, 0, y)
}

// dims returns the size of the block's factor (0 without one).
func (lm *LangModel) dims() (int, int) {
	if lm.Chol == nil {
		return 0, 0
	}
	return lm.Chol.Dims()
}

// validate checks the variability (parameters exist, SDs finite and >= 0,
// a block's factor matches its parameters, a parameter's variability given
// once), the solver and the output.
func (lm *LangModel) validate() error {
	m := lm.Model
	if m == nil {
		return fmt.Errorf("the model-language model is nil")
	}
	names := lm.ParamNames()
	check := func(what, p string) error {
		if m.ParamIndex(p) < 0 {
			return fmt.Errorf("%s: model %s has no parameter %q (parameters: %v)", what, m.Spec.Name, p, names)
		}
		return nil
	}
	for _, p := range slices.Sorted(maps.Keys(lm.SD)) {
		if err := check("iiv", p); err != nil {
			return err
		}
		if sd := lm.SD[p]; !(sd >= 0) || math.IsInf(sd, 0) {
			return fmt.Errorf("iiv.%s must be a standard deviation >= 0 (log scale)", p)
		}
	}
	for i, p := range lm.Block {
		if err := check("omega.params", p); err != nil {
			return err
		}
		if _, ok := lm.SD[p]; ok {
			return fmt.Errorf("omega.params: %s also has iiv.%s; give a parameter's variability once", p, p)
		}
		if slices.Contains(lm.Block[:i], p) {
			return fmt.Errorf("omega.params lists %s twice", p)
		}
	}
	if lm.Chol != nil || len(lm.Block) > 0 {
		if r, _ := lm.dims(); r != len(lm.Block) {
			return fmt.Errorf("omega: the Cholesky factor must be %d×%d, one row per block parameter", len(lm.Block), len(lm.Block))
		}
	}
	if err := lm.exactOnNonlinear(); err != nil {
		return err
	}
	if lm.Output == "" {
		return fmt.Errorf("model %s declares no output: give output = \"<state or quantity>\" for the endpoints", m.Spec.Name)
	}
	if _, err := lm.valueAtDefaults(lm.Output); err != nil {
		return fmt.Errorf("output: %v", err)
	}
	return nil
}

// ParamNames lists the model's parameters, in declaration order.
func (lm *LangModel) ParamNames() []string {
	out := make([]string, len(lm.Model.Spec.Params))
	for i, p := range lm.Model.Spec.Params {
		out[i] = p.Name
	}
	return out
}

// Etas returns subject's η by parameter (0 for parameters without IIV): one
// standard normal stream per subject and parameter, the block's through its
// Cholesky factor.
func (lm *LangModel) Etas(seed uint64, subject int) map[string]float64 {
	z := func(p string) float64 { return etaStream(seed, p, subject).Normal(0, 1) }
	eta := map[string]float64{}
	for p, sd := range lm.SD {
		if sd > 0 {
			eta[p] = sd * z(p)
		}
	}
	if lm.Chol != nil {
		zs := make([]float64, len(lm.Block))
		for j, p := range lm.Block {
			zs[j] = z(p)
		}
		for i, p := range lm.Block {
			v := 0.0
			for j := 0; j <= i; j++ {
				v += lm.Chol.At(i, j) * zs[j]
			}
			eta[p] = v
		}
	}
	return eta
}

// subjectParams returns a subject's parameters: the typical values (defaults
// overridden by params(s)) times exp(η).
func (lm *LangModel) subjectParams(typ map[string]float64, eta map[string]float64) ([]float64, map[string]float64, error) {
	p, err := lm.Model.Params(typ)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]float64{}
	for i, q := range lm.Model.Spec.Params {
		if e, ok := eta[q.Name]; ok {
			p[i] *= math.Exp(e)
		}
		byName[q.Name] = p[i]
	}
	return p, byName, nil
}

// langDoses converts trial dosing records to the model's.
func (lm *LangModel) langDoses(doses []pk.Dose) ([]modlang.Dose, error) {
	out := make([]modlang.Dose, len(doses))
	ns := lm.Model.NumStates()
	for i, d := range doses {
		if d.Cmt < 0 || d.Cmt > ns {
			return nil, fmt.Errorf("%s: cmt = %d; model %s has states 1..%d", d.Source, d.Cmt, lm.Model.Spec.Name, ns)
		}
		cmt := ""
		if d.Cmt > 0 {
			cmt = lm.Model.Spec.States[d.Cmt-1].Name
		}
		out[i] = modlang.Dose{Time: d.Time, Amt: d.Amt, Rate: d.Rate, II: d.II, ADDL: d.ADDL, Cmt: cmt, SS: d.SS, Source: d.Source}
	}
	return out, nil
}

// langSubject is one subject's bound model.
type langSubject struct {
	lm    *LangModel
	p     []float64
	doses []modlang.Dose
}

// lag returns the lag time of doses into state cmt (1-based; 0 the first).
func (s *langSubject) lag(in *modlang.Instance, cmt int) float64 {
	if cmt > 0 {
		cmt--
	}
	v, _ := in.Dose(cmt, modlang.DoseALAG)
	return v
}

// instance binds the subject's parameters to a fresh instance.
func (s *langSubject) instance() (*modlang.Instance, error) {
	in := s.lm.Model.NewInstance()
	return in, in.SetParams(s.p)
}

// job returns the subject's backend job at times, reporting the named
// quantities ("conc": the model's output).
func (s *langSubject) job(times []float64, names []string) cohort.ModelJob {
	q := make([]string, len(names))
	for k, n := range names {
		q[k] = n
		if n == "conc" {
			q[k] = s.lm.Output
		}
	}
	o := modlang.SimOptions{Path: s.lm.Path}
	if !s.lm.Model.Linear() {
		o.RTol, o.ATol = odeRTol, odeATol
	}
	return cohort.ModelJob{Model: s.lm.Model, Params: s.p, Doses: s.doses, Times: times, Names: q, Options: o}
}

// quantities lists the distinct quantities the endpoints read, "conc" first.
func (s *Spec) quantities() []string {
	seen := map[string]bool{"conc": true}
	out := []string{"conc"}
	for _, e := range s.Endpoints {
		if o := e.of(); !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	sort.Strings(out[1:])
	return out
}
