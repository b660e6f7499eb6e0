package fit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/physio/pk"
)

// EVID values of NONMEM data sets (NONMEM Users Guide, Part V; NM-TRAN).
const (
	EvidObservation = 0 // an observation (DV), used unless MDV = 1
	EvidDose        = 1 // a dose (AMT, RATE, II, ADDL, CMT, SS)
	EvidOther       = 2 // neither (a covariate change, a time to predict at)
	EvidReset       = 3 // every compartment reset to zero
	EvidResetDose   = 4 // reset, then a dose
)

// Record is one row of a data set.
type Record struct {
	Row  int     // the row's line in the file (the header is line 1)
	Time float64 // TIME, h
	EVID int
	MDV  bool    // missing dependent variable: an observation row left out of the fit
	DV   float64 // the observation, mg/L (EVID 0)
	// BLQ marks an observation below the limit of quantification LLOQ
	// (censored: it enters the likelihood by Beal's M3 method).
	BLQ  bool
	LLOQ float64
	Dose pk.Dose // EVID 1 and 4
	// Cov holds the covariates (DataSet.Covariates order) in force at this
	// record: a missing value ("." or empty) carries the last one forward.
	Cov []float64
}

// Observed reports whether the record is an observation that enters the fit.
func (r Record) Observed() bool { return r.EVID == EvidObservation && !r.MDV }

// Subject is one individual's records in time order (ties in file order).
type Subject struct {
	ID      string
	Records []Record
}

// DataSet is a NONMEM-style data set.
type DataSet struct {
	Source     string
	Covariates []string // covariate column names, upper case, in file order
	Subjects   []Subject
}

// reserved are the NM-TRAN data items that are not covariates.
var reserved = map[string]bool{"ID": true, "TIME": true, "AMT": true, "RATE": true, "II": true, "ADDL": true,
	"SS": true, "CMT": true, "EVID": true, "MDV": true, "DV": true, "BLQ": true, "LLOQ": true, "C": true}

// maxDataRows bounds a data set (a malformed file must not exhaust memory).
const maxDataRows = 10_000_000

// maxADDL bounds the additional doses of one record (as pk.Expand does).
const maxADDL = 100_000

// ReadCSV reads a NONMEM/NM-TRAN style data set from CSV with a header: ID,
// TIME and DV are required; AMT, RATE, II, ADDL, SS, CMT, EVID, MDV, BLQ and
// LLOQ are optional (column names in any case). Every other column is a
// covariate: numeric, and "." or empty carries the subject's previous value
// forward (the first value found is carried back to earlier rows); a value
// that changes within a subject changes the parameters from its record on
// (timevarying.go). Without
// EVID, a row with AMT > 0 is a dose, one with MDV = 1 is EVID 2, others are
// observations. An observation is BLQ when its BLQ column is 1, or, without a
// BLQ column, when DV < LLOQ. A subject's rows may not go back in time (the
// NM-TRAN rule); each bad row is named by line, column and why.
func ReadCSV(r io.Reader, source string) (*DataSet, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("fit: %s: cannot read the header: %v", source, err)
	}
	col := map[string]int{}
	ds := &DataSet{Source: source}
	var covCols []int
	for i, h := range head {
		name := strings.ToUpper(strings.TrimSpace(h))
		if name == "" {
			return nil, fmt.Errorf("fit: %s line 1: column %d has no name", source, i+1)
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("fit: %s line 1: column %s appears twice", source, name)
		}
		col[name] = i
		if !reserved[name] {
			ds.Covariates = append(ds.Covariates, name)
			covCols = append(covCols, i)
		}
	}
	for _, need := range []string{"ID", "TIME", "DV"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("fit: %s: the header has no %s column (it has %s)", source, need, strings.Join(head, ", "))
		}
	}
	_, hasEVID := col["EVID"]
	_, hasBLQ := col["BLQ"]
	byID := map[string]int{}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("fit: %s line %d: %v", source, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("fit: %s line %d: %v", source, line, err)
		}
		if line > maxDataRows {
			return nil, fmt.Errorf("fit: %s: more than %d rows", source, maxDataRows)
		}
		where := fmt.Sprintf("%s line %d", source, line)
		bad := func(column, format string, a ...any) error {
			return fmt.Errorf("fit: %s, column %s: %s", where, column, fmt.Sprintf(format, a...))
		}
		field := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return "", false
			}
			v := strings.TrimSpace(rec[i])
			return v, v != "" && v != "."
		}
		num := func(name string) (float64, bool, error) {
			s, ok := field(name)
			if !ok {
				return 0, false, nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, false, bad(name, "%q is not a finite number", s)
			}
			return v, true, nil
		}
		integer := func(name string, lo, hi int) (int, bool, error) {
			v, ok, err := num(name)
			if err != nil || !ok {
				return 0, ok, err
			}
			if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
				return 0, false, bad(name, "%v must be an integer in %d..%d", v, lo, hi)
			}
			return int(v), true, nil
		}
		id, ok := field("ID")
		if !ok {
			return nil, bad("ID", "the subject ID is missing")
		}
		if c, ok := field("C"); ok && c != "0" && c != "." {
			continue // NM-TRAN's comment column: a row with C set is dropped
		}
		var rw Record
		rw.Row = line
		t, ok, err := num("TIME")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, bad("TIME", "the time is missing")
		}
		rw.Time = t
		mdv, _, err := integer("MDV", 0, 1)
		if err != nil {
			return nil, err
		}
		rw.MDV = mdv == 1
		if rw.Dose, err = pk.ParseDose(rec, col, where); err != nil {
			return nil, fmt.Errorf("fit: %v", strings.TrimPrefix(err.Error(), "pk: "))
		}
		if err := rw.Dose.Validate(0); err != nil {
			return nil, fmt.Errorf("fit: %v", strings.TrimPrefix(err.Error(), "pk: "))
		}
		if rw.Dose.ADDL > maxADDL {
			return nil, bad("ADDL", "%d additional doses is more than %d", rw.Dose.ADDL, maxADDL)
		}
		if hasEVID {
			if rw.EVID, _, err = integer("EVID", 0, 4); err != nil {
				return nil, err
			}
		} else {
			switch {
			case rw.Dose.Amt > 0:
				rw.EVID = EvidDose
			case rw.MDV:
				rw.EVID = EvidOther
			}
		}
		isDose := rw.EVID == EvidDose || rw.EVID == EvidResetDose
		switch {
		case isDose && !(rw.Dose.Amt > 0):
			return nil, bad("AMT", "a dose record (EVID %d) needs AMT > 0, got %v", rw.EVID, rw.Dose.Amt)
		case !isDose && rw.Dose.Amt != 0:
			return nil, bad("AMT", "AMT = %v on a record that is not a dose (EVID %d)", rw.Dose.Amt, rw.EVID)
		case isDose && rw.Dose.Rate == -2:
			return nil, bad("RATE", "RATE = -2 (duration modelled) is not supported")
		}
		if rw.EVID != EvidObservation {
			rw.MDV = true
		}
		if rw.EVID == EvidObservation && !rw.MDV {
			dv, ok, err := num("DV")
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, bad("DV", "an observation (EVID 0, MDV 0) needs DV; set MDV = 1 to leave it out")
			}
			rw.DV = dv
			lloq, hasL, err := num("LLOQ")
			if err != nil {
				return nil, err
			}
			blq, _, err := integer("BLQ", 0, 1)
			if err != nil {
				return nil, err
			}
			rw.BLQ = blq == 1 || (!hasBLQ && hasL && dv < lloq)
			if rw.BLQ {
				if !hasL || !(lloq > 0) {
					return nil, bad("LLOQ", "a BLQ observation needs LLOQ > 0 (the M3 method censors at it)")
				}
				rw.LLOQ = lloq
			}
		}
		rw.Cov = make([]float64, len(covCols))
		for k, c := range covCols {
			rw.Cov[k] = math.NaN()
			if c < len(rec) {
				s := strings.TrimSpace(rec[c])
				if s != "" && s != "." {
					v, err := strconv.ParseFloat(s, 64)
					if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
						return nil, bad(ds.Covariates[k], "covariate %q is not a finite number (covariates must be numeric; code categories as numbers)", s)
					}
					rw.Cov[k] = v
				}
			}
		}
		si, seen := byID[id]
		if !seen {
			si = len(ds.Subjects)
			byID[id] = si
			ds.Subjects = append(ds.Subjects, Subject{ID: id})
		}
		s := &ds.Subjects[si]
		if n := len(s.Records); n > 0 {
			prev := s.Records[n-1]
			if si != len(ds.Subjects)-1 {
				return nil, bad("ID", "subject %s appears again after other subjects (line %d); keep a subject's rows together", id, prev.Row)
			}
			if rw.Time < prev.Time {
				return nil, bad("TIME", "%v goes back in time (line %d has %v); sort each subject's rows by time", rw.Time, prev.Row, prev.Time)
			}
		}
		s.Records = append(s.Records, rw)
	}
	if len(ds.Subjects) == 0 {
		return nil, fmt.Errorf("fit: %s: no data rows", source)
	}
	for i := range ds.Subjects {
		carryCovariates(ds.Subjects[i].Records, len(covCols))
	}
	return ds, nil
}

// carryCovariates fills missing covariates: last observation carried forward,
// the first observed value carried back to earlier rows.
func carryCovariates(rs []Record, n int) {
	for k := 0; k < n; k++ {
		first := math.NaN()
		for _, r := range rs {
			if !math.IsNaN(r.Cov[k]) {
				first = r.Cov[k]
				break
			}
		}
		last := first
		for i := range rs {
			if math.IsNaN(rs[i].Cov[k]) {
				rs[i].Cov[k] = last
			} else {
				last = rs[i].Cov[k]
			}
		}
	}
}

// Covariate returns the index of covariate name (any case) or -1.
func (ds *DataSet) Covariate(name string) int {
	for i, c := range ds.Covariates {
		if strings.EqualFold(c, name) {
			return i
		}
	}
	return -1
}

// Observations returns the subject's records that enter the fit.
func (s Subject) Observations() []Record {
	var out []Record
	for _, r := range s.Records {
		if r.Observed() {
			out = append(out, r)
		}
	}
	return out
}

// segment is a stretch of a subject's records between resets: the doses given
// in it (ADDL expanded and cut at the next reset) and the times to predict at.
type segment struct {
	start float64 // the reset time that opens it (−Inf for the first)
	doses []pk.Dose
	rows  []int // indices into Subject.Records predicted in this segment
	times []float64
}

// segments splits the subject's records at resets (EVID 3 and 4) and expands
// ADDL. Every record gets a prediction time (observations, doses and others).
func (s Subject) segments() []segment {
	var out []segment
	cur := segment{start: math.Inf(-1)}
	var resets []float64
	for _, r := range s.Records {
		if r.EVID == EvidReset || r.EVID == EvidResetDose {
			resets = append(resets, r.Time)
		}
	}
	nextReset := func(t float64, after int) float64 {
		for _, rt := range resets[after:] {
			if rt > t {
				return rt
			}
		}
		return math.Inf(1)
	}
	nr := 0
	if len(resets) == 0 { // the usual case: one segment, sized at once
		cur.rows, cur.times = make([]int, 0, len(s.Records)), make([]float64, 0, len(s.Records))
	}
	for i, r := range s.Records {
		if r.EVID == EvidReset || r.EVID == EvidResetDose {
			if len(cur.doses) > 0 || len(cur.rows) > 0 {
				out = append(out, cur)
			}
			cur = segment{start: r.Time}
			nr++
		}
		if r.EVID == EvidDose || r.EVID == EvidResetDose {
			d := r.Dose
			end := nextReset(d.Time, nr)
			n := d.ADDL
			d.ADDL = 0
			cur.doses = append(cur.doses, d)
			for k := 1; k <= n; k++ {
				e := d
				e.SS = 0
				e.Time = d.Time + float64(k)*d.II
				if e.Time >= end {
					break
				}
				cur.doses = append(cur.doses, e)
			}
		}
		cur.rows = append(cur.rows, i)
		cur.times = append(cur.times, r.Time)
	}
	if len(cur.doses) > 0 || len(cur.rows) > 0 {
		out = append(out, cur)
	}
	for i := range out {
		d := out[i].doses
		if !sort.SliceIsSorted(d, func(a, b int) bool { return d[a].Time < d[b].Time }) {
			sort.SliceStable(d, func(a, b int) bool { return d[a].Time < d[b].Time })
		}
	}
	return out
}
