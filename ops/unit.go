package ops

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// Unit is an inpatient unit (ward, ICU): beds, a log-normal length of stay, and
// a discharge window — a patient medically ready outside it waits in the bed
// until the window opens (discharge by hour).
type Unit struct {
	Name          string
	Beds          int
	LOSMedianDays float64
	LOSSigma      float64 // log-scale spread of the stay
	// DischargeFrom and DischargeTo bound the hours of the day when patients
	// leave (both 0: any time).
	DischargeFrom, DischargeTo float64
}

// Validate checks the unit.
func (u Unit) Validate() error {
	switch {
	case u.Beds < 1:
		return fmt.Errorf("ops: unit %s: beds must be >= 1, got %d", u.Name, u.Beds)
	case !(u.LOSMedianDays > 0) || u.LOSSigma < 0:
		return fmt.Errorf("ops: unit %s: length of stay needs a median > 0 days and sigma >= 0", u.Name)
	case u.DischargeFrom < 0 || u.DischargeTo > 24 || u.DischargeTo < u.DischargeFrom:
		return fmt.Errorf("ops: unit %s: discharge window must satisfy 0 <= from <= to <= 24", u.Name)
	}
	return nil
}

// stay keeps the patient in the unit for a drawn length of stay, then until the
// discharge window, and returns the bed.
func (u Unit) stay(p *engine.Proc, bed *engine.Request, st *rng.Stream) {
	los := st.LogNormal(math.Log(u.LOSMedianDays*86400), u.LOSSigma)
	p.Timeout(los)
	p.Timeout(untilWindow(p.Now(), u.DischargeFrom, u.DischargeTo))
	p.Release(bed)
}

// untilWindow returns the wait from t until the next moment within the daily
// window [from, to) hours (0 if inside or if the window is the whole day).
func untilWindow(t, from, to float64) float64 {
	if to <= from || to-from >= 24 {
		return 0
	}
	h := modPeriod(t, 86400) / 3600
	if h >= from && h < to {
		return 0
	}
	if h < from {
		return (from - h) * 3600
	}
	return (24 - h + from) * 3600
}
