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
// female = 0/1; an "id" column is dropped so that no identifier reaches an
// output. Errors name the line and column.
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
	seen := map[string]bool{}
	for i, h := range head {
		name := strings.TrimSpace(h)
		switch name {
		case "id", "", "crcl_ml_min": // crcl is derived again by the trial
			continue
		case "sex":
			name, isSex[i] = "female", true
		}
		if seen[name] {
			return nil, fmt.Errorf("%s line 1: column %q appears twice", path, name)
		}
		seen[name] = true
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
					return nil, fmt.Errorf("%s line %d: sex is %q; want M or F", path, line, cell)
				}
			} else if v, err = strconv.ParseFloat(cell, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s line %d: %q is %q; want a number", path, line, name, cell)
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
		if f.Type.ID() == arrow.FLOAT64 && f.Name != "crcl_ml_min" {
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
