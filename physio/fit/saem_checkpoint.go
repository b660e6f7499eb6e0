package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// SAEMState is the whole state of a SAEM fit after an iteration
// (Checkpoint.SAEM): the population values, the stochastic approximations of
// the sufficient statistics and every subject's Markov chain with its random
// stream's position, so that a resumed fit draws exactly the numbers the
// uninterrupted one would have and ends on the same bits. Values that may be
// infinite or NaN (a chain's data term, its predictions) are kept as IEEE
// bits, since JSON has no Inf or NaN.
type SAEMState struct {
	Theta     []float64 `json:"theta"` // every parameter's typical value (Model.Params order)
	Omega     []float64 `json:"omega"` // Ω, row-major k×k
	Add, Prop float64
	S1        []float64 `json:"s1"` // SA of the mean φ
	S2        []float64 `json:"s2"` // SA of the mean φφᵀ, row-major k×k
	SFree     []float64 `json:"s_free"`
	SSigma    []float64 `json:"s_sigma"`
	Mu        []float64 `json:"mu"`
	Chains    []SAEMChainState
}

// SAEMChainState is one subject's Markov chain in a SAEMState.
type SAEMChainState struct {
	Eta      []float64 `json:"eta"`
	LLBits   uint64    `json:"ll_bits"`
	PredBits []uint64  `json:"pred_bits"`
	// RNG is the chain's stream (a math/rand/v2 PCG's MarshalBinary).
	RNG           []byte    `json:"rng"`
	Scale         []float64 `json:"scale"`
	Accept, Tries []int
}

// saemSnapshot returns the checkpoint after iteration it.
func (p *popProblem) saemSnapshot(it int, chains []*saemChain, s1 []float64, s2 *mat.SymDense, sFree, sSigma, mu []float64) (*Checkpoint, error) {
	m := p.m
	k := len(m.Etas)
	st := &SAEMState{Add: m.Error.Add, Prop: m.Error.Prop, S1: append([]float64(nil), s1...), SFree: append([]float64(nil), sFree...),
		SSigma: append([]float64(nil), sSigma...), Mu: append([]float64(nil), mu...)}
	for _, q := range m.Params {
		st.Theta = append(st.Theta, q.Typical)
	}
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			st.Omega = append(st.Omega, m.Omega.At(a, b))
			st.S2 = append(st.S2, s2.At(a, b))
		}
	}
	for _, c := range chains {
		pcg, ok := c.src.Source().(*rand.PCG)
		if !ok {
			return nil, fmt.Errorf("fit: SAEM checkpoint: the chain's stream is not a PCG")
		}
		raw, err := pcg.MarshalBinary()
		if err != nil {
			return nil, err
		}
		cs := SAEMChainState{Eta: append([]float64(nil), c.eta...), LLBits: math.Float64bits(c.ll), RNG: raw,
			Scale: append([]float64(nil), c.scale...), Accept: append([]int(nil), c.accept...), Tries: append([]int(nil), c.tries...)}
		for _, v := range c.pred {
			cs.PredBits = append(cs.PredBits, math.Float64bits(v))
		}
		st.Chains = append(st.Chains, cs)
	}
	cp := &Checkpoint{Method: "saem", Iteration: it, SAEM: st}
	for _, q := range p.params {
		cp.Names = append(cp.Names, q.Name)
	}
	return cp, nil
}

// saemRestore checks a SAEM checkpoint against the problem and restores
// its state (the model's values, the statistics and the chains).
func (p *popProblem) saemRestore(cp *Checkpoint, ds *DataSet, chains []*saemChain, s1 []float64, s2 *mat.SymDense, sFree, sSigma, mu []float64) error {
	m := p.m
	k := len(m.Etas)
	var names []string
	for _, q := range p.params {
		names = append(names, q.Name)
	}
	st := cp.SAEM
	if cp.Method != "saem" || st == nil || strings.Join(cp.Names, ",") != strings.Join(names, ",") || len(st.Theta) != len(m.Params) ||
		len(st.Omega) != k*k || len(st.S2) != k*k || len(st.S1) != k || len(st.Mu) != k || len(st.SFree) != len(sFree) ||
		len(st.SSigma) != len(sSigma) || len(st.Chains) != len(chains) {
		return fmt.Errorf("fit: --resume: the checkpoint is of another fit (method %s, parameters %s; this fit: saem, %s)",
			cp.Method, strings.Join(cp.Names, ", "), strings.Join(names, ", "))
	}
	for i, cs := range st.Chains {
		c := chains[i]
		if len(cs.Eta) != k || len(cs.Scale) != k || len(cs.Accept) != k || len(cs.Tries) != k || len(cs.PredBits) != len(c.pred) {
			return fmt.Errorf("fit: --resume: the checkpoint's chain of subject %d does not fit this model and data set", i+1)
		}
		pcg, ok := c.src.Source().(*rand.PCG)
		if !ok {
			return fmt.Errorf("fit: SAEM checkpoint: the chain's stream is not a PCG")
		}
		if err := pcg.UnmarshalBinary(cs.RNG); err != nil {
			return fmt.Errorf("fit: --resume: subject %d's random stream: %v", i+1, err)
		}
		copy(c.eta, cs.Eta)
		copy(c.scale, cs.Scale)
		copy(c.accept, cs.Accept)
		copy(c.tries, cs.Tries)
		c.ll = math.Float64frombits(cs.LLBits)
		for j, b := range cs.PredBits {
			c.pred[j] = math.Float64frombits(b)
		}
	}
	for j := range m.Params {
		m.Params[j].Typical = st.Theta[j]
	}
	om := mat.NewSymDense(k, nil)
	for a := 0; a < k; a++ {
		for b := 0; b <= a; b++ {
			om.SetSym(a, b, st.Omega[a*k+b])
			s2.SetSym(a, b, st.S2[a*k+b])
		}
	}
	m.Omega = om
	m.Error.Add, m.Error.Prop = st.Add, st.Prop
	copy(s1, st.S1)
	copy(sFree, st.SFree)
	copy(sSigma, st.SSigma)
	copy(mu, st.Mu)
	if err := m.Check(ds.Covariates); err != nil {
		return fmt.Errorf("fit: --resume: the checkpoint's model: %v", err)
	}
	return nil
}
