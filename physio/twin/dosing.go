package twin

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/pk"
)

// DoseProps returns what a dose into state becomes: the bioavailable
// fraction and the lag in seconds, the model's F and ALAG where it
// implements models.Dosing (1 and 0 where it does not).
func (p *Patient) DoseProps(state string) (f, lagSec float64, err error) {
	i, err := p.StateIndex(state)
	if err != nil {
		return 0, 0, err
	}
	d, ok := p.Model.(models.Dosing)
	if !ok {
		return 1, 0, nil
	}
	f, lag := d.DoseF(i), d.DoseLag(i)
	if !(f >= 0) || math.IsInf(f, 0) || !(lag >= 0) || math.IsInf(lag, 0) {
		return 0, 0, fmt.Errorf("twin: %s: a dose into %s has F = %v and ALAG = %v, want F >= 0 and ALAG >= 0", p.info.Name, state, f, lag)
	}
	return f, lag * p.scale, nil
}

// SteadyState puts the patient now (tSec) in the steady state of the
// regimen d (a NONMEM SS record; its Time, II and Rate in the model's time
// unit, Cmt the 1-based state number): with d.SS = 1 the state becomes that
// steady state and running infusions stop; with d.SS = 2 the steady state is
// added to the current state. The dose at tSec itself is the caller's to
// give. A model that cannot compute a steady state (models.SteadyStater) is
// an error naming the record.
func (p *Patient) SteadyState(d pk.Dose, tSec float64) error {
	ss, err := p.steadyState(d)
	if err != nil {
		return err
	}
	if err := p.AdvanceTo(tSec); err != nil {
		return err
	}
	y := append([]float64(nil), p.s.Y...)
	for i := range y {
		if d.SS == 1 {
			y[i] = ss[i]
		} else {
			y[i] += ss[i]
		}
	}
	if d.SS == 1 {
		p.inf = p.inf[:0] // a reset ends running infusions, as NONMEM's SS=1 does
		p.setRates(p.t)
	}
	p.s.Reset(p.t, y)
	return p.repredict()
}

// CheckSteadyState reports whether SteadyState(d) would succeed with the
// current parameters, so that a bad record is refused when it is given, not
// when it comes due.
func (p *Patient) CheckSteadyState(d pk.Dose) error {
	_, err := p.steadyState(d)
	return err
}

// steadyState is the model's steady state of d, errors naming the record.
func (p *Patient) steadyState(d pk.Dose) ([]float64, error) {
	sm, ok := p.Model.(models.SteadyStater)
	if !ok {
		return nil, fmt.Errorf("twin: %s: SS = %d is not supported by model %s: it is integrated forward from its state and has no steady-state solver; give the doses that reach steady state (addl, ii) or write the model in the model language", d.Source, d.SS, p.info.Name)
	}
	if d.SS != 1 && d.SS != 2 {
		return nil, fmt.Errorf("twin: %s: SS must be 1 or 2, got %d", d.Source, d.SS)
	}
	ss, err := sm.SteadyState(d)
	if err != nil {
		return nil, fmt.Errorf("twin: %s: %v", d.Source, err)
	}
	return ss, nil
}
