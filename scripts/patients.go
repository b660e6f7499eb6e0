package scripts

import (
	"encoding/csv"

	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine/results"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// patients is a cohort of imported patients: one row of covariates each.
type patients struct {
	names    []string
	rows     [][]float64
	resample bool
}

// maxPatients bounds an imported cohort (rows) so that a wrong file is an
// error, not an exhausted machine.
const maxPatients = 10_000_000

// readPatients reads a CSV of patients: a header naming the covariates (as a
// trial's model sees them: age_y, weight_kg, scr_mg_dl, female, ...), then one
// row per patient. Cells are numbers; a "sex" column of M/F (male/female) becomes
// female = 0/1; identifier columns (see identifierColumn) are dropped so that
// no identifier reaches an output. Errors name the line and column, never the
// text of a cell: that may be a patient's data.
func readPatients(path string) (*patients, error) {
	if strings.HasSuffix(path, ".arrow") {
		return readPatientsArrow(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	first, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header line (%v)", path, err)
	}
	head := append([]string(nil), first...) // the reader reuses its record
	isSex := make([]bool, len(head))
	p := &patients{}
	var keep []int
	seen := map[string]int{}
	for i, h := range head {
		name := strings.TrimSpace(h)
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a UTF-8 byte-order mark is not part of the name
		}
		if name == "" || name == "crcl_ml_min" || identifierColumn(name) { // crcl is derived again by the trial
			continue
		}
		if name == "sex" {
			name, isSex[i] = "female", true
		}
		if j, ok := seen[name]; ok {
			return nil, fmt.Errorf("%s line 1: column %d repeats column %d", path, i+1, j+1)
		}
		seen[name] = i
		p.names = append(p.names, name)
		keep = append(keep, i)
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%s line 1: no covariate columns", path)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(p.rows) >= maxPatients {
			return nil, fmt.Errorf("%s: more than %d patients", path, maxPatients)
		}
		row := make([]float64, len(keep))
		for k, i := range keep {
			cell := strings.TrimSpace(rec[i])
			name := p.names[k]
			var v float64
			if isSex[i] {
				switch strings.ToLower(cell) {
				case "f", "female":
					v = 1
				case "m", "male":
					v = 0
				default:
					return nil, fmt.Errorf("%s line %d: %s is neither M nor F", path, line, columnLabel(i, head[i]))
				}
			} else if v, err = strconv.ParseFloat(cell, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s line %d: %s is not a number", path, line, columnLabel(i, name))
			}
			if err := checkCovariate(name, v); err != nil {
				return nil, fmt.Errorf("%s line %d: %v", path, line, err)
			}
			row[k] = v
		}
		p.rows = append(p.rows, row)
	}
	if len(p.rows) == 0 {
		return nil, fmt.Errorf("%s: no patients", path)
	}
	return p, nil
}

// readPatientsArrow reads patients.arrow as `medtwin fhir import` writes it:
// every float64 column is a covariate (but crcl_ml_min, which the trial derives
// again); the pseudonym (and any other
// non-numeric column) is left out, so no identifier reaches a trial output.
func readPatientsArrow(path string) (*patients, error) {
	t, err := results.Read(path)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	p := &patients{}
	var keep []int
	for i, f := range t.Schema.Fields() {
		if f.Type.ID() == arrow.FLOAT64 && f.Name != "crcl_ml_min" && !identifierColumn(f.Name) {
			p.names = append(p.names, f.Name)
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%s: no float64 covariate columns", path)
	}
	if t.NumRows() > maxPatients {
		return nil, fmt.Errorf("%s: more than %d patients", path, maxPatients)
	}
	row0 := 0
	for _, b := range t.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]float64, len(keep))
			for k, c := range keep {
				v := b.Column(c).(*array.Float64).Value(i)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s row %d: %s is missing (%v)", path, row0+i+1, p.names[k], v)
				}
				if err := checkCovariate(p.names[k], v); err != nil {
					return nil, fmt.Errorf("%s row %d: %v", path, row0+i+1, err)
				}
				row[k] = v
			}
			p.rows = append(p.rows, row)
		}
		row0 += int(b.NumRows())
	}
	if len(p.rows) == 0 {
		return nil, fmt.Errorf("%s: no patients", path)
	}
	return p, nil
}

// checkCovariate refuses impossible values of the covariates a trial's model
// divides by or takes powers of, whichever file they come from.
func checkCovariate(name string, v float64) error {
	switch {
	case (name == "weight_kg" || name == "scr_mg_dl" || name == "height_cm") && v <= 0:
		return fmt.Errorf("%s must be > 0, got %g", name, v)
	case name == "age_y" && v < 0:
		return fmt.Errorf("age_y must be >= 0, got %g", v)
	}
	return nil
}

// identifierNames are column names (compared without case, "_" and "-") that
// hold who a patient is rather than a covariate: such a column is dropped even
// when its values are numbers, so that it cannot become a covariate in
// subjects.arrow.
var identifierNames = map[string]bool{"id": true, "mrn": true, "ssn": true, "nhs": true, "nhsnumber": true,
	"name": true, "patient": true, "patientid": true, "subject": true, "subjectid": true, "personid": true,
	"recordid": true, "recordnumber": true, "encounterid": true, "memberid": true, "pseudonym": true,
	"dob": true, "birthdate": true, "dateofbirth": true, "email": true, "phone": true, "address": true,
	"zip": true, "zipcode": true, "postcode": true, "postalcode": true}

// identifierColumn reports whether a column named name is an identifier: one
// of identifierNames, or a name ending in "_id" or beginning with "id_" or
// "mrn" (Patient_ID, site_id, mrn2). "uric_acid" is a covariate.
func identifierColumn(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return identifierNames[strings.NewReplacer("_", "", "-", "").Replace(n)] ||
		strings.HasSuffix(n, "_id") || strings.HasPrefix(n, "id_") || strings.HasPrefix(n, "mrn")
}

// safeName matches a column name that may appear in an error message: a short
// identifier, unlike a header line that is really the data of some other file.
var safeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// columnLabel names column i (0-based) of a CSV file in an error message: its
// number, and its name when that is a plain identifier.
func columnLabel(i int, name string) string {
	if safeName.MatchString(name) {
		return fmt.Sprintf("column %d (%q)", i+1, name)
	}
	return fmt.Sprintf("column %d", i+1)
}
