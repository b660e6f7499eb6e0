package pk

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Dose is one dosing record in NONMEM style. Times are in hours.
type Dose struct {
	Time float64 // TIME: when the dose is given
	Amt  float64 // AMT: amount, mg
	Rate float64 // RATE: 0 for a bolus, else a zero-order infusion at this rate (mg/h)
	II   float64 // II: interdose interval for ADDL and SS, h
	ADDL int     // ADDL: additional doses every II after the first
	Cmt  int     // CMT: 1-based compartment (0: the default, depot if any, else central)
	SS   int     // SS: 0 none, 1 reset to steady state, 2 steady state added to the current state
	// Source names the record in error messages (e.g. "doses.csv line 4").
	Source string
}

func (d Dose) name(i int) string {
	if d.Source != "" {
		return d.Source
	}
	return fmt.Sprintf("dose record %d", i+1)
}

// MaxADDL bounds the additional doses of one record (100,000: daily dosing for
// 270 years), so that a wrong ADDL is an error, not an exhausted memory.
const MaxADDL = 100_000

// MaxTimeH bounds TIME and II (hours): far beyond any regimen, and small
// enough that the matrix exponential of a step stays cheap (a TIME of 1e308
// never finished).
const MaxTimeH = 1e6

// bad is an error about the i-th record.
func (d Dose) bad(i int, format string, a ...any) error {
	return fmt.Errorf("pk: %s: %s", d.name(i), fmt.Sprintf(format, a...))
}

// check validates a record against the model: its fields, then what the
// model's F and lag make of a steady-state record.
func (d Dose) check(m Model, i int) error {
	if err := d.checkFields(i, m.N()); err != nil {
		return err
	}
	if d.SS > 0 && d.Rate > 0 {
		idx := m.cmtIndex(d.Cmt)
		dur := d.Amt * m.bioavail(idx) / d.Rate
		if dur+m.lag(idx) > d.II {
			return d.bad(i, "a steady-state infusion of %g h (plus lag) longer than II = %g h is not supported", dur, d.II)
		}
	}
	if d.SS > 0 && d.Rate == 0 && m.lag(m.cmtIndex(d.Cmt)) >= d.II {
		return d.bad(i, "steady state with a lag time >= II is not supported")
	}
	return nil
}

// checkFields validates a record's fields for a model of n compartments.
func (d Dose) checkFields(i, n int) error {
	bad := func(format string, a ...any) error { return d.bad(i, format, a...) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case !finite(d.Time):
		return bad("TIME must be a finite number, got %v", d.Time)
	case !finite(d.Amt) || d.Amt < 0:
		return bad("AMT must be >= 0 mg and finite, got %v", d.Amt)
	case !finite(d.Rate) || d.Rate < 0:
		return bad("RATE must be >= 0 and finite (0 for a bolus), got %v", d.Rate)
	case !finite(d.II) || d.II < 0:
		return bad("II must be >= 0 h and finite, got %v", d.II)
	case math.Abs(d.Time) > MaxTimeH || d.II > MaxTimeH:
		return bad("TIME and II must be within ±%g h (about 114 years), got TIME %v, II %v", float64(MaxTimeH), d.Time, d.II)
	case d.ADDL < 0 || d.ADDL > MaxADDL:
		return bad("ADDL must be between 0 and %d, got %d", MaxADDL, d.ADDL)
	case d.ADDL > 0 && d.II == 0:
		return bad("II = 0 with ADDL = %d: additional doses need an interdose interval > 0", d.ADDL)
	case d.SS < 0 || d.SS > 2:
		return bad("SS must be 0, 1 or 2, got %d", d.SS)
	case d.SS > 0 && d.II == 0:
		return bad("SS = %d needs an interdose interval II > 0", d.SS)
	case d.Cmt < 0 || d.Cmt > n:
		return bad("CMT %d does not exist: this model has compartments 1..%d", d.Cmt, n)
	}
	return nil
}

// cmtIndex maps a 1-based CMT (0 = default) to a state index.
func (m Model) cmtIndex(cmt int) int {
	if cmt == 0 {
		if m.Absorption {
			return 0
		}
		return m.Central()
	}
	return cmt - 1
}

// ReadDosesCSV reads dosing records from CSV with a header naming the columns
// TIME and AMT and optionally RATE, II, ADDL, CMT, SS (any case; other columns,
// such as ID or EVID, are ignored). source names the input in errors.
func ReadDosesCSV(r io.Reader, source string) ([]Dose, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("pk: %s: cannot read the header: %v", source, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"TIME", "AMT"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("pk: %s: the header has no %s column (it has %s)", source, need, strings.Join(head, ", "))
		}
	}
	var out []Dose
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pk: %s line %d: %v", source, line, err)
		}
		d, err := ParseDose(rec, col, fmt.Sprintf("%s line %d", source, line))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// ParseDose reads the dose-record fields (TIME, AMT, RATE, II, ADDL, CMT, SS)
// of one CSV row; col maps upper-case column names to field indices (absent,
// empty or "." fields are 0). where names the row in errors and becomes the
// record's Source. ReadDosesCSV and NONMEM data-set readers share it.
func ParseDose(rec []string, col map[string]int, where string) (Dose, error) {
	get := func(name string) (float64, error) {
		i, ok := col[name]
		if !ok || i >= len(rec) || strings.TrimSpace(rec[i]) == "" || strings.TrimSpace(rec[i]) == "." {
			return 0, nil
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
		if err != nil {
			return 0, fmt.Errorf("pk: %s: %s is %q, not a number", where, name, rec[i])
		}
		return v, nil
	}
	var vals [7]float64
	for k, name := range []string{"TIME", "AMT", "RATE", "II", "ADDL", "CMT", "SS"} {
		v, err := get(name)
		if err != nil {
			return Dose{}, err
		}
		vals[k] = v
	}
	for k, name := range []string{"ADDL", "CMT", "SS"} {
		if v := vals[4+k]; v != math.Trunc(v) || math.Abs(v) > MaxADDL {
			return Dose{}, fmt.Errorf("pk: %s: %s must be an integer within ±%d, got %v", where, name, MaxADDL, v)
		}
	}
	return Dose{Time: vals[0], Amt: vals[1], Rate: vals[2], II: vals[3], ADDL: int(vals[4]),
		Cmt: int(vals[5]), SS: int(vals[6]), Source: where}, nil
}
