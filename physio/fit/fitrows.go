package fit

import (
	"fmt"
	"math"
	"strings"
)

// maxNamedRows bounds the rows an unfittable data set's error lists.
const maxNamedRows = 10

// CheckData finds the rows of ds this model cannot fit, every one of them
// rather than the first, and names them by line: observations at or below
// zero under a proportional-only error (sd = prop·f cannot explain a value of
// the other sign from a positive prediction, and NONMEM, nlmixr2 and Monolix
// users expect such rows to be flagged, not fitted), and subjects with no
// value at all of a covariate the model uses (nothing to carry forward or
// back). The model must have been Checked against ds.Covariates. Population
// fits and MAP call it.
func (m *Model) CheckData(ds *DataSet) error {
	var problems []string
	if m.Error.Kind == Proportional {
		var lines []string
		for _, s := range ds.Subjects {
			for _, r := range s.Records {
				if r.Observed() && !r.BLQ && r.DV <= 0 {
					lines = append(lines, fmt.Sprintf("%d (ID %s, DV %v)", r.Row, s.ID, r.DV))
				}
			}
		}
		if len(lines) > 0 {
			problems = append(problems, fmt.Sprintf("%d observations at or below zero cannot be fitted with a proportional error only, at lines %s: use a combined (additive + proportional) error, mark them BLQ with an LLOQ, or set MDV = 1",
				len(lines), listRows(lines)))
		}
	}
	for j, p := range m.Params {
		for k, c := range p.Covariates {
			ci := m.cidx[j][k]
			var lines []string
			for _, s := range ds.Subjects {
				if len(s.Records) > 0 && math.IsNaN(s.Records[0].Cov[ci]) {
					lines = append(lines, fmt.Sprintf("ID %s (lines %d–%d)", s.ID, s.Records[0].Row, s.Records[len(s.Records)-1].Row))
				}
			}
			if len(lines) > 0 {
				problems = append(problems, fmt.Sprintf("covariate %s (on %s) is missing for every row of %d subjects: %s; give each subject at least one value, or impute it",
					c.Covariate, p.Name, len(lines), listRows(lines)))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("fit: %s: the model cannot fit this data set: %s", ds.Source, strings.Join(problems, "; "))
	}
	return nil
}

// listRows joins the first maxNamedRows items and says how many more.
func listRows(items []string) string {
	if len(items) <= maxNamedRows {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxNamedRows], ", "), len(items)-maxNamedRows)
}
