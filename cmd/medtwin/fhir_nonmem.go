package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/cohort"
)

// nonmemCovariates are the covariate columns of the data set `fhir import
// --nonmem` writes (NM-TRAN names) and the patients.arrow columns they come
// from; constant within a patient (each is the latest value in the records).
var nonmemCovariates = []struct{ col, cov string }{
	{"AGE", "age_y"}, {"FEMALE", "female"}, {"WT", "weight_kg"}, {"SCR", "scr_mg_dl"}, {"CRCL", "crcl_ml_min"},
}

// nonmemDataSet writes the imported patients' drug administrations and drug
// levels as a NONMEM (NM-TRAN) data set, read by `medtwin fit --data` and by
// physio/fit.ReadCSV: ID (the patient's pseudonym, as in patients.arrow;
// NONMEM itself wants numeric IDs: renumber them there), TIME (hours from the
// patient's first administration: no dates), AMT (mg), RATE (mg/h, 0 for a
// bolus), CMT 1, EVID (1 dose, 0 level), MDV, DV (mg/L), then the covariates
// (nonmemCovariates; "." where unknown). Patients without administrations are
// left out; it returns how many patients it wrote.
func nonmemDataSet(pts []cohort.ImportedPatient) (string, int) {
	var b strings.Builder
	b.WriteString("ID,TIME,AMT,RATE,CMT,EVID,MDV,DV")
	for _, c := range nonmemCovariates {
		b.WriteString("," + c.col)
	}
	b.WriteByte('\n')
	idx := make([]int, 0, len(pts))
	for i := range pts {
		if len(pts[i].Drug) > 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, c int) bool { return pts[idx[a]].Pseudonym < pts[idx[c]].Pseudonym })
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, i := range idx {
		p := pts[i]
		var cov strings.Builder
		for _, c := range nonmemCovariates {
			v, ok := p.Covariates[c.cov]
			if !ok || math.IsNaN(v) {
				cov.WriteString(",.")
			} else {
				cov.WriteString("," + num(v))
			}
		}
		for _, e := range p.Drug {
			if e.Dose {
				fmt.Fprintf(&b, "%s,%s,%s,%s,1,1,1,.%s\n", p.Pseudonym, num(e.TimeH), num(e.AmtMg), num(e.RateMgH), cov.String())
			} else {
				fmt.Fprintf(&b, "%s,%s,0,0,1,0,0,%s%s\n", p.Pseudonym, num(e.TimeH), num(e.LevelMgL), cov.String())
			}
		}
	}
	return b.String(), len(idx)
}

// writeNonmem writes nonmemDataSet to path (atomically).
func writeNonmem(path string, pts []cohort.ImportedPatient) (int, error) {
	s, n := nonmemDataSet(pts)
	if n == 0 {
		return 0, fmt.Errorf("--nonmem: no imported patient has a MedicationAdministration with a dose in mg (nothing to write)")
	}
	return n, results.WriteFileAtomic(path, []byte(s))
}
