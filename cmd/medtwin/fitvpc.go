package main

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/scripts"
)

// fitVPC returns the report's prediction-corrected VPC of a population fit
// written to dir (its population.json) and a sentence saying how its
// replicates were simulated: by the trial engine along the path a trial's
// `population = fit("DIR")` takes (scripts.SimulateFitDesign), binned and
// corrected by fit.PCVPCOf; where the fit or the data set has no trial
// equivalent (exponential residual error, resets), by fit's own simulator,
// with the reason.
func fitVPC(dir string, ds *fit.DataSet, m *fit.Model, seed uint64) (*fit.VPC, string, error) {
	sim, err := scripts.SimulateFitDesign(dir, ds, vpcSims, seed, nil)
	if err == nil {
		v, err := m.PCVPCOf(ds, vpcBins, sim)
		return v, "simulated by the trial engine from the fit (population = fit(\"DIR\"): θ, covariate relations, η ~ N(0, Ω̂), ε from σ̂)", err
	}
	v, err2 := m.PCVPC(ds, vpcBins, vpcSims, seed)
	return v, fmt.Sprintf("simulated by the fit's own simulator (η ~ N(0, Ω̂), ε from σ̂), since the trial engine cannot: %v", err), err2
}
