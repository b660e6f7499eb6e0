package fit

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/pk"
)

// Time-varying covariates. A covariate's value on a record applies from that
// record on, until a record with another value (last observation carried
// forward; a missing value, "." or empty, carries the previous one, see
// ReadCSV): the parameters change at that record's time, the amounts in the
// compartments and running infusions carry over, and a prediction at that
// record already uses the new values. This is mrgsolve's LOCF convention
// (nocb = FALSE). NONMEM's PREDPP instead advances the system to a record
// with that record's values (next observation carried backward, mrgsolve's
// default nocb = TRUE); to reproduce it, move each new value one record
// earlier in the data set.
//
// A dose takes its bioavailability, lag and compartment from the values in
// force at its record; a steady-state dose (SS) under covariates that change
// is refused. The subject's Estimate.Params are those at its last record (the
// patient as they are now), which a dose recommendation also uses.

// PiecewiseStructure is a Structure whose parameters may change over a
// subject's time: params[p] are in force from from[p] on (ascending; the
// first also before its time).
type PiecewiseStructure interface {
	PredictPiecewise(params [][]float64, from []float64, doses []pk.Dose, times []float64, out []float64) error
}

// PredictPiecewise implements PiecewiseStructure by pk.SimulatePiecewise.
func (m *PK) PredictPiecewise(params [][]float64, from []float64, doses []pk.Dose, times []float64, out []float64) error {
	models := make([]pk.Model, len(params))
	for p, ps := range params {
		models[p] = m.Model(ps)
	}
	c, err := pk.SimulatePiecewise(models, from, doses, times, models[0].NaturalPath())
	if err != nil {
		return err
	}
	copy(out, c)
	return nil
}

// timeVarying finds the records at which the subject's typical parameters
// change (their covariates differ from the previous record's) and prepares
// the pieces; nothing when they are constant.
func (o *subjectObjective) timeVarying(ds *DataSet) error {
	m, rs := o.m, o.s.Records
	// the usual case, covariates the model uses constant, without computing
	// any parameter
	varies := false
	for _, cs := range m.cidx {
		for _, c := range cs {
			for i := 1; i < len(rs) && !varies; i++ {
				varies = rs[i].Cov[c] != rs[0].Cov[c]
			}
		}
	}
	if !varies {
		return nil
	}
	np := len(o.params)
	prev, cur := make([]float64, np), make([]float64, np)
	m.Individual(rs[0].Cov, nil, prev)
	pieces := []int{0}
	for i := 1; i < len(rs); i++ {
		m.Individual(rs[i].Cov, nil, cur)
		for j := range cur {
			if cur[j] != prev[j] {
				pieces = append(pieces, i)
				prev, cur = cur, prev
				break
			}
		}
	}
	if len(pieces) == 1 {
		return nil
	}
	if _, ok := m.Structure.(PiecewiseStructure); !ok {
		return fmt.Errorf("fit: %s line %d: subject %s: a covariate changes here, and this model cannot take parameters that change over time", ds.Source, rs[pieces[1]].Row, o.s.ID)
	}
	for _, i := range pieces {
		o.pieceFrom = append(o.pieceFrom, rs[i].Time)
		o.pieceCov = append(o.pieceCov, rs[i].Cov)
		o.pieceParams = append(o.pieceParams, make([]float64, np))
		o.pieceRow = append(o.pieceRow, i)
	}
	return nil
}

// individual computes the parameters at η (nil: typical): o.params, and with
// time-varying covariates every piece's (o.params then the last piece's).
func (o *subjectObjective) individual(eta []float64) {
	if o.pieceFrom == nil {
		o.m.Individual(o.cov, eta, o.params)
		return
	}
	for p, c := range o.pieceCov {
		o.m.Individual(c, eta, o.pieceParams[p])
	}
	copy(o.params, o.pieceParams[len(o.pieceParams)-1])
}

// predictSegment predicts one segment's times with the parameters of the last
// individual call.
func (o *subjectObjective) predictSegment(doses []pk.Dose, times, out []float64) error {
	if o.pieceFrom == nil {
		return o.m.Structure.Predict(o.params, doses, times, out)
	}
	return o.m.Structure.(PiecewiseStructure).PredictPiecewise(o.pieceParams, o.pieceFrom, doses, times, out)
}

// lastCov is the covariates at the subject's last record.
func (o *subjectObjective) lastCov() []float64 {
	return o.s.Records[len(o.s.Records)-1].Cov
}
