package trial

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pd"
)

// pdModel is a subject's pharmacodynamics: an Emax model (through an effect
// compartment when ke0 > 0) and an indirect response model.
type pdModel struct {
	emax pd.Emax
	ke0  float64
	ind  pd.Indirect
}

// newPD reads a subject's PD parameters (after IIV) for the endpoints in use.
func (s *Spec) newPD(params map[string]float64) (pdModel, error) {
	var p pdModel
	if s.uses("effect") {
		p.emax = pd.Emax{E0: params["e0"], Emax: params["emax"], EC50: params["ec50"], Hill: params["hill"]}
		if err := p.emax.Validate(); err != nil {
			return p, fmt.Errorf("an endpoint is on the effect, so model(s) must return ec50 > 0 (and emax, e0, hill): %v", err)
		}
		if p.ke0 = params["ke0"]; !(p.ke0 >= 0) || math.IsInf(p.ke0, 0) {
			return p, fmt.Errorf("ke0 = %v; want >= 0 (0: a direct effect)", p.ke0)
		}
	}
	if s.uses("response") {
		irm := params["irm"]
		if irm != math.Trunc(irm) || irm < 1 || irm > 4 {
			return p, fmt.Errorf("an endpoint is on the response, so model(s) must return irm = 1, 2, 3 or 4 (indirect response type), got %v", irm)
		}
		p.ind = pd.Indirect{Type: pd.IndirectType(irm), Kin: params["kin"], Kout: params["kout"], Max: params["rmax"], C50: params["r50"]}
		if err := p.ind.Validate(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// series returns the effect or response on the grid for concentrations c.
func (p pdModel) series(of string, grid, c []float64) []float64 {
	drive := c
	if p.ke0 > 0 {
		drive = pd.EffectSiteOnGrid(grid, c, p.ke0)
	}
	if of == "response" {
		return p.ind.OnGrid(grid, drive)
	}
	out := make([]float64, len(c))
	for i, v := range drive {
		out[i] = p.emax.Effect(v)
	}
	return out
}
