package fhir

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	dtpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	mapb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/medication_administration_go_proto"
	"github.com/medtwin/medtwin/physio/cohort"
)

// drugFilter says which resources are drug administrations and drug levels.
type drugFilter struct {
	levels map[string]bool // LOINC codes of drug levels
	meds   map[string]bool // RxNorm codes kept (nil: any)
}

func newDrugFilter(opt cohort.ImportOptions) drugFilter {
	f := drugFilter{levels: map[string]bool{}}
	codes := opt.LevelLOINC
	if codes == nil {
		codes = cohort.VancomycinLevelLOINC
	}
	for _, c := range codes {
		f.levels[c] = true
	}
	if opt.MedicationRxNorm != nil {
		f.meds = map[string]bool{}
		for _, c := range opt.MedicationRxNorm {
			f.meds[c] = true
		}
	}
	return f
}

// drugRec is an administration or a level with its absolute time (dropped
// when the patient is de-identified).
type drugRec struct {
	t            time.Time
	dose         bool
	amtMg, hours float64 // an administration: its dose and its length (0: bolus)
	level        float64
	loinc        string
}

const rxnormSystem = "http://www.nlm.nih.gov/research/umls/rxnorm"

// administration reads a MedicationAdministration: its dose (dosage.dose in
// mg, or g) at effectiveDateTime (a bolus) or over effectivePeriod (an
// infusion at the dose over the period). Administrations not done, entered in
// error, of another medication (f.meds) or without a dose are skipped (ok
// false); a dose that is not a positive number in mg or g is an error.
func administration(m *mapb.MedicationAdministration, f drugFilter) (drugRec, bool, error) {
	switch m.GetStatus().GetValue().String() {
	case "NOT_DONE", "ENTERED_IN_ERROR", "STOPPED", "ON_HOLD":
		return drugRec{}, false, nil
	}
	if f.meds != nil {
		keep := false
		for _, c := range m.GetMedication().GetCodeableConcept().GetCoding() {
			keep = keep || c.GetSystem().GetValue() == rxnormSystem && f.meds[c.GetCode().GetValue()]
		}
		if !keep {
			return drugRec{}, false, nil
		}
	}
	dose := m.GetDosage().GetDose()
	if dose == nil {
		return drugRec{}, false, nil
	}
	where := fmt.Sprintf("MedicationAdministration/%s", m.GetId().GetValue())
	v, err := strconv.ParseFloat(dose.GetValue().GetValue(), 64)
	unit := dose.GetCode().GetValue()
	if unit == "" {
		unit = dose.GetUnit().GetValue()
	}
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0) || !(v > 0):
		return drugRec{}, false, fmt.Errorf("%s: dosage.dose %q is not a positive number", where, dose.GetValue().GetValue())
	case unit == "g":
		v *= 1000
	case unit != "mg":
		return drugRec{}, false, fmt.Errorf("%s: dosage.dose is in %q; want mg or g", where, unit)
	}
	r := drugRec{dose: true, amtMg: v}
	eff := m.GetEffective()
	switch {
	case eff.GetDateTime() != nil:
		r.t = usTime(eff.GetDateTime().GetValueUs())
	case eff.GetPeriod().GetStart() != nil:
		p := eff.GetPeriod()
		r.t = usTime(p.GetStart().GetValueUs())
		if p.GetEnd() != nil {
			end := usTime(p.GetEnd().GetValueUs())
			if end.Before(r.t) {
				return drugRec{}, false, fmt.Errorf("%s: effectivePeriod ends before it starts", where)
			}
			r.hours = end.Sub(r.t).Hours()
		}
	default:
		return drugRec{}, false, fmt.Errorf("%s: no effectiveDateTime or effectivePeriod.start", where)
	}
	return r, true, nil
}

// level reads a drug-level Observation value (mg/L or the equal µg/mL); ok
// is false for other units.
func level(q *dtpb.Quantity, v float64, code string, t time.Time) (drugRec, bool) {
	unit := q.GetCode().GetValue()
	if unit == "" {
		unit = q.GetUnit().GetValue()
	}
	switch unit {
	case "mg/L", "ug/mL", "µg/mL", "mcg/mL":
		return drugRec{t: t, level: v, loinc: code}, true
	}
	return drugRec{}, false
}

// drugEvents de-identifies a patient's drug records: times in hours from the
// first administration, levels before it left out (counted in dropped).
func drugEvents(recs []drugRec) (out []cohort.DrugEvent, dropped int) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].t.Before(recs[j].t) })
	var t0 time.Time
	for _, r := range recs {
		if r.dose {
			t0 = r.t
			break
		}
	}
	if t0.IsZero() {
		return nil, 0
	}
	for _, r := range recs {
		h := r.t.Sub(t0).Hours()
		if !r.dose {
			if h < 0 {
				dropped++
				continue
			}
			out = append(out, cohort.DrugEvent{TimeH: h, LevelMgL: r.level, LOINC: r.loinc})
			continue
		}
		e := cohort.DrugEvent{TimeH: h, Dose: true, AmtMg: r.amtMg}
		if r.hours > 0 {
			e.RateMgH = r.amtMg / r.hours
		}
		out = append(out, e)
	}
	return out, dropped
}
