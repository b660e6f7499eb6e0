package sensitivity

import (
	"context"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/verify"
)

func init() {
	verify.Register(verify.Check{Suite: "sensitivity", Name: "Sobol indices of the Ishigami function (100 000 samples)", Run: func(ctx context.Context, full bool) verify.Result {
		res, err := Sobol(IshigamiInputs, 100_000, 1, Ishigami, 0)
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		s, st := IshigamiIndices()
		worst, which := 0.0, ""
		for i, ix := range res.Indices {
			for _, d := range []struct {
				name      string
				got, want float64
			}{{"S" + fmt.Sprint(i+1), ix.S, s[i]}, {"ST" + fmt.Sprint(i+1), ix.ST, st[i]}} {
				if e := math.Abs(d.got - d.want); e > worst {
					worst, which = e, d.name
				}
			}
		}
		return verify.Result{Expected: st[0], Measured: res.Indices[0].ST, Tolerance: "every index within 0.02", Pass: worst <= 0.02,
			Source: "Ishigami & Homma 1990; analytic indices in Saltelli et al. 2008, §4.8",
			Detail: fmt.Sprintf("worst |error| %.4f (%s)", worst, which)}
	}})
}
