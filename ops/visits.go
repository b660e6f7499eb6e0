package ops

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine/results"
)

// Visit is one observed ED visit. Times are seconds on the wall clock from
// midnight at the start of the observed period (day 0); a time that was not
// recorded is NaN.
type Visit struct {
	Arrival     float64
	Acuity      int     // ESI 1–5; 0 if not recorded
	Seen        float64 // provider-seen time
	Departure   float64
	Disposition string // one of Dispositions, or "" if not recorded
	// AdmitDecision is the time of the decision to admit (NaN if none was
	// recorded); the patient boards in the ED from it until departure.
	AdmitDecision float64
}

// DoorToDoctor is the time from arrival to the provider, seconds (NaN if not seen).
func (v Visit) DoorToDoctor() float64 { return v.Seen - v.Arrival }

// LOS is the length of stay, seconds (NaN if no departure time).
func (v Visit) LOS() float64 { return v.Departure - v.Arrival }

// Boarding is the time an admitted patient waited in the ED for an inpatient
// bed: departure minus the decision to admit, seconds (NaN when either is
// missing), as flow.arrow's boarding_s.
func (v Visit) Boarding() float64 { return v.Departure - v.AdmitDecision }

// Dispositions are the dispositions of a visit, as in flow.arrow; the CSV
// reader also takes "admitted" (ward), "lwbs" and "ama" (left).
var Dispositions = []string{"discharged", "admitted_ward", "admitted_icu", "left_unseen", "diverted", "left"}

var dispositionAlias = map[string]string{"admitted": "admitted_ward", "lwbs": "left_unseen", "ama": "left"}

// BadRow is one observed row left out, and why.
type BadRow struct {
	Line   int // line of the file (1 is the header) or row of the table (1-based)
	Column string
	Why    string
}

func (b BadRow) String() string { return fmt.Sprintf("line %d, %s: %s", b.Line, b.Column, b.Why) }

// Visits is an observed data set: the visits read and the rows left out.
type Visits struct {
	Path   string
	Visits []Visit
	Bad    []BadRow
	// Origin is the wall-clock midnight of day 0 when times were RFC 3339 (zero
	// when they were hours).
	Origin time.Time
}

// ReadVisits reads observed ED visits from a CSV file (see VisitsCSVDoc) or
// from the encounters.arrow that `medtwin fhir import --encounters` writes
// (emergency encounters only: arrival and departure; no acuity, provider time,
// decision to admit (FHIR R4's Encounter has none, so no boarding time) or
// disposition, and dates shifted per patient by whole days, so the hour of day
// is kept and the day of week is not). Rows that cannot be used are left out
// and listed in Bad with line, column and reason; a file with no usable row is
// an error.
func ReadVisits(path string) (*Visits, error) {
	var vs *Visits
	var err error
	if strings.HasSuffix(path, ".arrow") {
		vs, err = readEncounters(path)
	} else {
		vs, err = readVisitsCSV(path)
	}
	if err != nil {
		return nil, err
	}
	if len(vs.Visits) == 0 {
		return nil, fmt.Errorf("%s: no usable visit (%d rows left out; first: %v)", path, len(vs.Bad), first(vs.Bad))
	}
	return vs, nil
}

func first(b []BadRow) string {
	if len(b) == 0 {
		return "none"
	}
	return b[0].String()
}

// VisitsCSVDoc documents the observed-visits CSV.
const VisitsCSVDoc = `Observed ED visits, CSV with a header line; column order is free, other columns are ignored:
  arrival      required: RFC 3339 (2026-03-02T08:15:00+01:00) or hours from midnight of day 0 (a number)
  acuity       ESI 1-5, or empty
  seen         provider-seen time, same form as arrival, or empty (never seen)
  departure    departure time, same form as arrival, or empty
  disposition  discharged, admitted (= admitted_ward), admitted_ward, admitted_icu, left_unseen (lwbs),
               diverted, left (ama), or empty
  admit_decision  time of the decision to admit, same form as arrival, or empty; boarding is departure
               minus admit_decision (the boarding_h KPI, of patients with an admitted disposition)
RFC 3339 times are taken on their own wall clock (the offset in the stamp); day 0 is the day of the
earliest arrival. All times of a file take one form. A row that cannot be used is left out and reported
with its line, column and reason.`

func readVisitsCSV(path string) (*Visits, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header line (%v)", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[name]; dup && name != "" {
			return nil, fmt.Errorf("%s line 1: column %q appears twice", path, name)
		}
		col[name] = i
	}
	if _, ok := col["arrival"]; !ok {
		return nil, fmt.Errorf("%s line 1: no arrival column (columns: arrival, acuity, seen, departure, disposition, admit_decision)", path)
	}
	type raw struct {
		line  int
		cells map[string]string
	}
	var rows []raw
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		cells := map[string]string{}
		for name, i := range col {
			if i < len(rec) {
				cells[name] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, raw{line, cells})
	}
	vs := &Visits{Path: path}
	// the form of the times: RFC 3339 if the first non-empty arrival parses as one
	stamps := false
	var origin time.Time
	for _, rw := range rows {
		if t, ok := wallClock(rw.cells["arrival"]); ok {
			if !stamps || t.Before(origin) {
				origin = t
			}
			stamps = true
		}
	}
	if stamps {
		origin = time.Date(origin.Year(), origin.Month(), origin.Day(), 0, 0, 0, 0, time.UTC)
		vs.Origin = origin
	}
	parse := func(cell string) (float64, string) {
		if cell == "" {
			return math.NaN(), ""
		}
		if stamps {
			t, ok := wallClock(cell)
			if !ok {
				return 0, fmt.Sprintf("%q is not an RFC 3339 time (the file's times are RFC 3339)", cell)
			}
			return t.Sub(origin).Seconds(), ""
		}
		h, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(h) || math.IsInf(h, 0) || h < 0 {
			return 0, fmt.Sprintf("%q is not a number of hours >= 0 (the file's times are hours)", cell)
		}
		return h * 3600, ""
	}
rows:
	for _, rw := range rows {
		bad := func(c, why string) { vs.Bad = append(vs.Bad, BadRow{Line: rw.line, Column: c, Why: why}) }
		v := Visit{}
		if rw.cells["arrival"] == "" {
			bad("arrival", "empty")
			continue
		}
		for _, c := range []struct {
			name string
			dst  *float64
		}{{"arrival", &v.Arrival}, {"seen", &v.Seen}, {"departure", &v.Departure}, {"admit_decision", &v.AdmitDecision}} {
			x, why := parse(rw.cells[c.name])
			if why != "" {
				bad(c.name, why)
				continue rows
			}
			*c.dst = x
		}
		if a := rw.cells["acuity"]; a != "" {
			n, err := strconv.Atoi(a)
			if err != nil || n < 1 || n > 5 {
				bad("acuity", fmt.Sprintf("%q is not an ESI level 1-5", a))
				continue
			}
			v.Acuity = n
		}
		if d := strings.ToLower(rw.cells["disposition"]); d != "" {
			if a, ok := dispositionAlias[d]; ok {
				d = a
			}
			known := false
			for _, k := range Dispositions {
				known = known || k == d
			}
			if !known {
				bad("disposition", fmt.Sprintf("%q is not one of %s", rw.cells["disposition"], strings.Join(Dispositions, ", ")))
				continue
			}
			v.Disposition = d
		}
		// times in order (a NaN, not recorded, is never out of order)
		for _, o := range []struct {
			early, late float64
			col, why    string
		}{
			{v.Arrival, v.Seen, "seen", "before arrival"},
			{v.Arrival, v.Departure, "departure", "before arrival"},
			{v.Seen, v.Departure, "departure", "before the provider-seen time"},
			{v.Arrival, v.AdmitDecision, "admit_decision", "before arrival"},
			{v.AdmitDecision, v.Departure, "departure", "before the decision to admit"},
		} {
			if o.late < o.early {
				bad(o.col, o.why)
				continue rows
			}
		}
		vs.Visits = append(vs.Visits, v)
	}
	return vs, nil
}

// wallClock parses an RFC 3339 time and returns its wall clock as a UTC time.
func wallClock(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), true
}

// readEncounters reads the emergency (class EMER) encounters of encounters.arrow.
func readEncounters(path string) (*Visits, error) {
	t, err := results.Read(path)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	idx := map[string]int{}
	for i, f := range t.Schema.Fields() {
		idx[f.Name] = i
	}
	for _, c := range []string{"class", "start_shifted", "end_shifted"} {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("%s: no column %s; want the encounters.arrow of medtwin fhir import --encounters", path, c)
		}
	}
	type enc struct {
		row        int
		start, end string
	}
	var es []enc
	row := 0
	for _, rec := range t.Batches {
		cl, ok1 := rec.Column(idx["class"]).(*array.String)
		st, ok2 := rec.Column(idx["start_shifted"]).(*array.String)
		en, ok3 := rec.Column(idx["end_shifted"]).(*array.String)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("%s: class, start_shifted and end_shifted must be utf8 columns", path)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			row++
			if cl.Value(i) == "EMER" {
				es = append(es, enc{row, st.Value(i), en.Value(i)})
			}
		}
	}
	vs := &Visits{Path: path}
	var origin time.Time
	for _, e := range es {
		if t, ok := wallClock(e.start); ok && (origin.IsZero() || t.Before(origin)) {
			origin = t
		}
	}
	origin = time.Date(origin.Year(), origin.Month(), origin.Day(), 0, 0, 0, 0, time.UTC)
	vs.Origin = origin
	for _, e := range es {
		s, ok := wallClock(e.start)
		if !ok {
			vs.Bad = append(vs.Bad, BadRow{Line: e.row, Column: "start_shifted", Why: fmt.Sprintf("%q is not an RFC 3339 time", e.start)})
			continue
		}
		v := Visit{Arrival: s.Sub(origin).Seconds(), Seen: math.NaN(), Departure: math.NaN(), AdmitDecision: math.NaN()}
		if e.end != "" {
			d, ok := wallClock(e.end)
			if !ok || d.Before(s) {
				vs.Bad = append(vs.Bad, BadRow{Line: e.row, Column: "end_shifted", Why: fmt.Sprintf("%q is not an RFC 3339 time at or after the start", e.end)})
				continue
			}
			v.Departure = d.Sub(origin).Seconds()
		}
		vs.Visits = append(vs.Visits, v)
	}
	return vs, nil
}
