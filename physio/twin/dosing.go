package twin

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/models"
)

// DoseProps returns what a dose into state becomes: the bioavailable
// fraction and the lag in seconds, the model's F and ALAG where it
// implements models.Dosing (1 and 0 where it does not).
func (p *Patient) DoseProps(state string) (f, lagSec float64, err error) {
	i, err := p.StateIndex(state)
	if err != nil {
		return 0, 0, err
	}
	d, ok := p.Model.(models.Dosing)
	if !ok {
		return 1, 0, nil
	}
	f, lag := d.DoseF(i), d.DoseLag(i)
	if !(f >= 0) || math.IsInf(f, 0) || !(lag >= 0) || math.IsInf(lag, 0) {
		return 0, 0, fmt.Errorf("twin: %s: a dose into %s has F = %v and ALAG = %v, want F >= 0 and ALAG >= 0", p.info.Name, state, f, lag)
	}
	return f, lag * p.scale, nil
}
