package fit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// subjectObjective is one subject's MAP objective: J(η) = −2·log p(y | η) −
// 2·log p(η) without constants, that is Σ_obs [((y−f)/sd)² + log sd²]
// + Σ_BLQ −2·log Φ((LLOQ − f)/sd) + ηᵀΩ⁻¹η (Beal 2001, J Pharmacokinet
// Pharmacodyn 28:481, method M3 for the BLQ terms; for exponential error y,
// f and LLOQ enter on the log scale). It keeps its work buffers: one per
// goroutine.
type subjectObjective struct {
	m      *Model
	s      *Subject
	cov    []float64 // the covariates the parameters are computed from
	segs   []segment
	params []float64
	pred   []float64 // per record
	buf    []float64
	obs    []int     // the records that enter the fit
	logY   []float64 // log DV per record (NaN unless DV > 0), for exponential error

	// time-varying covariates (timevarying.go): the parameters change at
	// pieceFrom (record times), computed from pieceCov; nil when constant
	pieceFrom   []float64
	pieceCov    [][]float64
	pieceParams [][]float64
	pieceRow    []int // the record that opens each piece

	// exact gradients, when the structure has Sensitivities
	sens    Sensitivities
	dpred   [][]float64 // per parameter, per record
	dbuf    [][]float64 // per parameter, views into dbufAll for one segment
	dbufAll [][]float64
	dJdf    []float64
}

// newObjective prepares subject s. Covariates that change within the subject
// change the parameters from the record that carries the new value on
// (timevarying.go). Doses into compartments the model lacks and observations
// before the first dose are refused by row.
func (m *Model) newObjective(ds *DataSet, s *Subject) (*subjectObjective, error) {
	if len(s.Records) == 0 {
		return nil, fmt.Errorf("fit: subject %s has no records", s.ID)
	}
	o := &subjectObjective{m: m, s: s, cov: s.Records[0].Cov, segs: s.segments(),
		params: make([]float64, len(m.Structure.ParamNames())), pred: make([]float64, len(s.Records))}
	ncmt := 0
	if p, ok := m.Structure.(*PK); ok {
		ncmt = p.NCmt
		if p.Absorption {
			ncmt++
		}
	}
	for _, seg := range o.segs {
		for _, d := range seg.doses {
			if ncmt > 0 && d.Cmt > ncmt {
				return nil, fmt.Errorf("fit: %s, column CMT: compartment %d cannot take a dose: the model has compartments 1..%d", d.Source, d.Cmt, ncmt)
			}
		}
		first := math.Inf(1)
		if len(seg.doses) > 0 {
			first = seg.doses[0].Time
		}
		for k, ri := range seg.rows {
			if r := s.Records[ri]; r.Observed() && seg.times[k] < first {
				return nil, fmt.Errorf("fit: %s line %d: subject %s has an observation at %v h before any dose (or after a reset without one)", ds.Source, r.Row, s.ID, r.Time)
			}
		}
		if len(seg.rows) > len(o.buf) {
			o.buf = make([]float64, len(seg.rows))
		}
	}
	o.logY = make([]float64, len(s.Records))
	for i, r := range s.Records {
		o.logY[i] = math.NaN()
		if r.Observed() {
			if m.Error.Kind == ExponentialError && !r.BLQ && !(r.DV > 0) {
				return nil, fmt.Errorf("fit: %s line %d, column DV: %v cannot be fitted under exponential (log-scale) error; mark it BLQ with an LLOQ, or use MDV = 1", ds.Source, r.Row, r.DV)
			}
			o.obs = append(o.obs, i)
			if r.DV > 0 {
				o.logY[i] = math.Log(r.DV)
			}
		}
	}
	if err := o.timeVarying(ds); err != nil {
		return nil, err
	}
	if sens, ok := m.Structure.(Sensitivities); ok && o.pieceFrom == nil {
		np := len(o.params)
		o.sens = sens
		o.dpred, o.dbuf, o.dbufAll = make([][]float64, np), make([][]float64, np), make([][]float64, np)
		nr, nb := len(s.Records), len(o.buf)
		back := make([]float64, np*(nr+nb)+nr) // one allocation for every buffer
		for i := 0; i < np; i++ {
			o.dpred[i] = back[i*nr : (i+1)*nr : (i+1)*nr]
			off := np*nr + i*nb
			o.dbufAll[i] = back[off : off+nb : off+nb]
		}
		o.dJdf = back[np*(nr+nb):]
	}
	names := m.Structure.ParamNames()
	signed, _ := m.Structure.(interface{ Signed(i int) bool })
	positive := func(i int, v float64) bool {
		return !m.Structure.Required(i) || v > 0 || signed != nil && signed.Signed(i)
	}
	if o.pieceFrom == nil {
		m.Individual(o.cov, nil, o.params)
		for i, v := range o.params {
			if !positive(i, v) {
				return nil, fmt.Errorf("fit: subject %s: the typical %s is %v with this subject's covariates; it must be positive", s.ID, names[i], v)
			}
		}
		return o, nil
	}
	o.individual(nil)
	for p, ps := range o.pieceParams {
		for i, v := range ps {
			if !positive(i, v) {
				return nil, fmt.Errorf("fit: %s line %d: subject %s: the typical %s is %v with the covariates in force from this record; it must be positive", ds.Source, s.Records[o.pieceRow[p]].Row, s.ID, names[i], v)
			}
		}
	}
	return o, nil
}

// predict fills o.pred with the predictions at η (nil: the population).
func (o *subjectObjective) predict(eta []float64) error {
	o.individual(eta)
	for _, seg := range o.segs {
		out := o.buf[:len(seg.rows)]
		if len(seg.doses) == 0 {
			for k := range out {
				out[k] = 0
			}
		} else if err := o.predictSegment(seg.doses, seg.times, out); err != nil {
			return err
		}
		for k, ri := range seg.rows {
			o.pred[ri] = out[k]
		}
	}
	return nil
}

// value returns J(η); +Inf where the model cannot be evaluated (a parameter
// pushed out of its domain, a non-positive prediction under exponential error).
func (o *subjectObjective) value(eta []float64) float64 {
	if err := o.predict(eta); err != nil {
		return math.Inf(1)
	}
	return o.residualTerms(eta, nil)
}

// residualTerms returns J at the predictions in o.pred; with dJdf non-nil it
// also writes ∂J/∂f for each record (0 where the record is not observed).
func (o *subjectObjective) residualTerms(eta []float64, dJdf []float64) float64 {
	j := o.m.prior(eta)
	e := o.m.Error
	for _, i := range o.obs {
		r := &o.s.Records[i]
		pred := o.pred[i]
		f, y := pred, r.DV
		var sd, dsd, dfdpred float64 // sd, its derivative in pred, and ∂f/∂pred
		if e.Kind == ExponentialError {
			if !(pred > 0) {
				return math.Inf(1)
			}
			f, sd, dfdpred = math.Log(pred), e.Add, 1/pred
			y = o.logY[i]
			if r.BLQ {
				y = math.Log(r.LLOQ)
			} else if math.IsNaN(y) {
				return math.Inf(1)
			}
		} else {
			if r.BLQ {
				y = r.LLOQ
			}
			sd, dfdpred = e.sd(pred), 1
			switch e.Kind {
			case Proportional:
				dsd = e.Prop
				if pred < 0 {
					dsd = -dsd
				}
			case Combined:
				dsd = e.Prop * e.Prop * pred / sd
			}
		}
		if !(sd > 0) {
			return math.Inf(1)
		}
		z := (y - f) / sd
		// ∂z/∂pred = −(∂f/∂pred + z·∂sd/∂pred)/sd
		dz := -(dfdpred + z*dsd) / sd
		if r.BLQ {
			lp := logPhi(z)
			j -= 2 * lp
			if dJdf != nil {
				mills := math.Exp(-z*z/2 - 0.5*math.Log(2*math.Pi) - lp) // φ(z)/Φ(z)
				dJdf[i] = -2 * mills * dz
			}
			continue
		}
		j += z*z + 2*math.Log(sd)
		if dJdf != nil {
			dJdf[i] = 2*z*dz + 2*dsd/sd
		}
	}
	if math.IsNaN(j) {
		return math.Inf(1)
	}
	return j
}

// valueGrad returns J(η) and writes ∇J into grad from the structure's
// sensitivities; ok is false where the structure has none (then use finite
// differences).
func (o *subjectObjective) valueGrad(eta, grad []float64) (j float64, ok bool) {
	m := o.m
	m.Individual(o.cov, eta, o.params)
	np := len(o.params)
	for _, seg := range o.segs {
		n := len(seg.rows)
		out := o.buf[:n]
		for i := 0; i < np; i++ {
			o.dbuf[i] = o.dbufAll[i][:n]
		}
		if len(seg.doses) == 0 {
			for k := range out {
				out[k] = 0
				for i := 0; i < np; i++ {
					o.dbuf[i][k] = 0
				}
			}
		} else {
			good, err := o.sens.PredictSens(o.params, seg.doses, seg.times, out, o.dbuf)
			if err != nil {
				return math.Inf(1), true
			}
			if !good {
				return 0, false
			}
		}
		for k, ri := range seg.rows {
			o.pred[ri] = out[k]
			for i := 0; i < np; i++ {
				o.dpred[i][ri] = o.dbuf[i][k]
			}
		}
	}
	j = o.residualTerms(eta, o.dJdf)
	if math.IsInf(j, 0) {
		return j, true
	}
	// ∂J/∂η = Σ_params (Σ_records ∂J/∂f·∂f/∂p)·∂p/∂η + 2Ω⁻¹η
	k := len(eta)
	for a := 0; a < k; a++ {
		s := 0.0
		for b := 0; b < k; b++ {
			s += m.omegaInv.At(a, b) * eta[b]
		}
		grad[a] = 2 * s
	}
	for i := 0; i < np; i++ {
		pj := m.pidx[i]
		if pj < 0 {
			continue
		}
		ei := m.eidx[pj]
		if ei < 0 {
			continue
		}
		dp := 0.0
		for _, ri := range o.obs {
			dp += o.dJdf[ri] * o.dpred[i][ri]
		}
		grad[ei] += dp * o.dParamDEta(i, pj, ei, eta)
	}
	return j, true
}

// dParamDEta is ∂P/∂η for structure parameter i (Params index pj, η index
// ei) at the current o.params.
func (o *subjectObjective) dParamDEta(i, pj, ei int, eta []float64) float64 {
	return o.m.dParamDEta(pj, o.params[i], eta[ei])
}

// fisherInverse returns the inverse of the Gauss–Newton approximation of
// J's Hessian at η (k×k, row major): twice fisher's matrix (inner.go), the
// expected information 2Ω⁻¹ + Σ_obs w·∇f∇fᵀ of the non-BLQ records. The
// last valueGrad must have been at η (its predictions and sensitivities
// are used). nil where the structure has no sensitivities or the matrix
// cannot be formed or inverted (the caller then starts from the identity).
func (o *subjectObjective) fisherInverse(eta []float64) []float64 {
	k := len(eta)
	if o.sens == nil {
		return nil
	}
	h := mat.NewSymDense(k, nil)
	if !o.fisher(eta, h, make([]float64, k)) {
		return nil
	}
	h.ScaleSym(2, h)
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return nil
	}
	inv := mat.NewSymDense(k, nil)
	if ch.InverseTo(inv) != nil {
		return nil
	}
	out := make([]float64, k*k)
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			out[a*k+b] = inv.At(a, b)
		}
	}
	return out
}

// prior is ηᵀΩ⁻¹η.
func (m *Model) prior(eta []float64) float64 {
	k := len(eta)
	s := 0.0
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			s += eta[a] * m.omegaInv.At(a, b) * eta[b]
		}
	}
	return s
}

// logPhi is log Φ(x), the standard normal CDF, accurate in the far left tail
// (where Φ underflows) by the asymptotic series of the Mills ratio.
func logPhi(x float64) float64 {
	if x > -20 {
		return math.Log(0.5 * math.Erfc(-x/math.Sqrt2))
	}
	x2 := x * x
	return -x2/2 - math.Log(-x) - 0.5*math.Log(2*math.Pi) + math.Log(1-1/x2+3/(x2*x2))
}

// iwres returns the individual weighted residual of record i at the last
// prediction: (y − f)/sd (log scale for exponential error); NaN for BLQ and
// non-observations.
func (o *subjectObjective) iwres(i int, f float64) float64 {
	r := o.s.Records[i]
	if !r.Observed() || r.BLQ {
		return math.NaN()
	}
	e := o.m.Error
	if e.Kind == ExponentialError {
		if !(f > 0) || !(r.DV > 0) {
			return math.NaN()
		}
		return (math.Log(r.DV) - math.Log(f)) / e.Add
	}
	return (r.DV - f) / e.sd(f)
}

// dParamDEta is ∂P/∂η of parameter Params[pj] at value p and its η eta.
func (m *Model) dParamDEta(pj int, p, eta float64) float64 {
	switch m.Params[pj].EtaModel {
	case EtaAdd:
		return 1
	case EtaProp:
		return p / (1 + eta)
	}
	return p
}

// drawEta writes η = L·z into eta, z standard normal draws from src and L
// the lower Cholesky factor of Ω (z is scratch of the same length).
func drawEta(src interface {
	Normal(mu, sigma float64) float64
}, l *mat.TriDense, z, eta []float64) {
	for a := range z {
		z[a] = src.Normal(0, 1)
	}
	for a := range eta {
		eta[a] = 0
		for b := 0; b <= a; b++ {
			eta[a] += l.At(a, b) * z[b]
		}
	}
}
