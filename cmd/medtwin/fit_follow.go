package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/scripts"
)

// defaultLevelLOINC are the vancomycin serum/plasma level codes
// (cohort.VancomycinLevelLOINC), as fhir import --nonmem reads them.
var defaultLevelLOINC = strings.Join(cohort.VancomycinLevelLOINC, ",")

// weightLOINC is body weight (LOINC 29463-7), the WT covariate.
const weightLOINC = "29463-7"

// fhirResource is the part of a FHIR R4 MedicationAdministration or
// Observation that --follow reads.
type fhirResource struct {
	ResourceType string `json:"resourceType"`
	Subject      struct {
		Reference string `json:"reference"`
	} `json:"subject"`
	EffectiveDateTime string `json:"effectiveDateTime"`
	EffectivePeriod   struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"effectivePeriod"`
	Dosage struct {
		Dose struct {
			Value *float64 `json:"value"`
			Unit  string   `json:"unit"`
		} `json:"dose"`
	} `json:"dosage"`
	Code struct {
		Coding []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"coding"`
	} `json:"code"`
	ValueQuantity struct {
		Value *float64 `json:"value"`
		Unit  string   `json:"unit"`
	} `json:"valueQuantity"`
}

// followPatient is one patient's stream so far.
type followPatient struct {
	t0      time.Time
	records []fit.Record
	wt      float64
}

// followUpdate is one line of --follow's output: a patient's posterior and
// recommendation after a new level.
type followUpdate struct {
	Patient        string             `json:"patient"`
	TimeH          float64            `json:"time_h"`
	Levels         int                `json:"levels"`
	Eta            map[string]float64 `json:"eta"`
	EtaSD          map[string]any     `json:"eta_sd"`
	Params         map[string]float64 `json:"params"`
	Converged      bool               `json:"converged"`
	Warning        string             `json:"warning,omitempty"`
	Recommendation *fit.Candidate     `json:"recommendation,omitempty"`
}

// follow reads NDJSON FHIR resources from in and writes one JSON line per
// new drug level to out; it returns each update's latency.
func follow(spec *scripts.FitSpec, in io.Reader, out io.Writer, loinc string) ([]time.Duration, error) {
	codes := map[string]bool{}
	for _, c := range strings.Split(loinc, ",") {
		codes[strings.TrimSpace(c)] = true
	}
	patients := map[string]*followPatient{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(out)
	var lat []time.Duration
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		start := time.Now()
		bad := func(format string, a ...any) error {
			return fmt.Errorf("fit --follow: stdin line %d: %s", line, fmt.Sprintf(format, a...))
		}
		var r fhirResource
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			return lat, bad("not a FHIR resource in JSON: %v", err)
		}
		if r.ResourceType != "MedicationAdministration" && r.ResourceType != "Observation" {
			continue
		}
		id := strings.TrimPrefix(r.Subject.Reference, "Patient/")
		if id == "" {
			return lat, bad("%s has no subject.reference", r.ResourceType)
		}
		when := r.EffectiveDateTime
		if when == "" {
			when = r.EffectivePeriod.Start
		}
		at, err := time.Parse(time.RFC3339, when)
		if err != nil {
			return lat, bad("%s: effectiveDateTime or effectivePeriod.start %q is not an RFC 3339 time", r.ResourceType, when)
		}
		p := patients[id]
		if p == nil {
			p = &followPatient{t0: at, wt: math.NaN()}
			patients[id] = p
		}
		t := at.Sub(p.t0).Hours()
		if t < 0 {
			return lat, bad("%s at %s is before the patient's first resource (%s); send each patient's resources in time order", r.ResourceType, when, p.t0.Format(time.RFC3339))
		}
		if r.ResourceType == "MedicationAdministration" {
			v := r.Dosage.Dose.Value
			if v == nil || !(*v > 0) || (r.Dosage.Dose.Unit != "" && r.Dosage.Dose.Unit != "mg") {
				return lat, bad("MedicationAdministration needs dosage.dose with a value > 0 in mg")
			}
			d := pk.Dose{Time: t, Amt: *v, Source: fmt.Sprintf("stdin line %d", line)}
			if r.EffectivePeriod.End != "" {
				end, err := time.Parse(time.RFC3339, r.EffectivePeriod.End)
				if err != nil || !end.After(at) {
					return lat, bad("effectivePeriod.end %q is not an RFC 3339 time after the start", r.EffectivePeriod.End)
				}
				d.Rate = *v / end.Sub(at).Hours()
			}
			p.records = append(p.records, fit.Record{Row: line, Time: t, EVID: fit.EvidDose, MDV: true, Dose: d})
			continue
		}
		code := ""
		for _, c := range r.Code.Coding {
			if c.System == "" || strings.Contains(c.System, "loinc") {
				code = c.Code
			}
		}
		v := r.ValueQuantity.Value
		switch {
		case code == weightLOINC && v != nil && *v > 0:
			p.wt = *v
			continue
		case !codes[code]:
			continue
		case v == nil || math.IsNaN(*v) || *v < 0:
			return lat, bad("Observation %s needs valueQuantity.value >= 0 (mg/L)", code)
		}
		p.records = append(p.records, fit.Record{Row: line, Time: t, EVID: fit.EvidObservation, DV: *v})
		u, err := followFit(spec, id, p)
		if err != nil {
			return lat, err
		}
		lat = append(lat, time.Since(start))
		if err := enc.Encode(u); err != nil {
			return lat, err
		}
	}
	if err := sc.Err(); err != nil {
		return lat, fmt.Errorf("fit --follow: stdin: %v", err)
	}
	return lat, nil
}

// followFit refits one patient from its records so far (time order, doses
// before levels at equal times) and recommends when the spec says how.
func followFit(spec *scripts.FitSpec, id string, p *followPatient) (*followUpdate, error) {
	recs := append([]fit.Record(nil), p.records...)
	sort.SliceStable(recs, func(a, b int) bool { return recs[a].Time < recs[b].Time })
	ds := &fit.DataSet{Source: "stdin"}
	if !math.IsNaN(p.wt) {
		ds.Covariates = []string{"WT"}
		for i := range recs {
			recs[i].Cov = []float64{p.wt}
		}
	}
	ds.Subjects = []fit.Subject{{ID: id, Records: recs}}
	res, err := spec.Model.Fit(ds, fit.BFGS)
	if err != nil {
		return nil, err
	}
	e := res.Estimates[0]
	m := spec.Model
	u := &followUpdate{Patient: id, TimeH: recs[len(recs)-1].Time, Eta: map[string]float64{}, EtaSD: map[string]any{},
		Params: map[string]float64{}, Converged: e.Converged, Warning: e.Warning}
	for _, r := range recs {
		if r.Observed() {
			u.Levels++
		}
	}
	for k, n := range m.Etas {
		u.Eta[n] = e.Eta[k]
		u.EtaSD[n] = nil
		if e.Cov != nil {
			u.EtaSD[n] = math.Sqrt(e.Cov.At(k, k))
		}
	}
	names, idx := givenParams(m)
	for k, i := range idx {
		u.Params[names[k]] = e.Params[i]
	}
	if r := spec.Recommend; r != nil && e.Cov != nil {
		cands, best, err := m.Recommend(ds, &ds.Subjects[0], e, r.Regimens, r.Target, r.Draws, spec.Seed, 0)
		if err != nil {
			return nil, err
		}
		u.Recommendation = &cands[best]
	}
	return u, nil
}

// latencyQuantiles returns the p50 and p99 of ds (R type 7).
func latencyQuantiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	q := func(p float64) time.Duration {
		h := p * float64(len(s)-1)
		i := int(h)
		if i+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[i] + time.Duration((h-float64(i))*float64(s[i+1]-s[i]))
	}
	return q(0.5), q(0.99)
}
