package main

import (
	"fmt"
	"strconv"

	"github.com/medtwin/medtwin/scripts"
)

// addFitProvenance writes into a trial's provenance parameters where its
// population model came from, for each fit("DIR") of the spec: fit_<i>_dir,
// fit_<i>_method, fit_<i>_ofv, fit_<i>_data and fit_<i>_data_sha256 (i from 1).
func addFitProvenance(tr *scripts.Trial, params map[string]string) {
	for i, f := range tr.Fits {
		p := fmt.Sprintf("fit_%d_", i+1)
		params[p+"dir"], params[p+"method"], params[p+"data"], params[p+"data_sha256"] = f.Dir, f.Method, f.Data, f.DataSHA256
		params[p+"ofv"] = strconv.FormatFloat(f.OFV, 'g', -1, 64)
	}
}
