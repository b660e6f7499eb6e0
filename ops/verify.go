package ops

import (
	"context"
	"fmt"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/engine/verify"
)

// Little's law on the default ED: the time-average number of patients in the ED
// equals their throughput times their mean time in the ED (Little 1961, Oper Res
// 9:383). Over a finite horizon the two differ only by end effects, so the
// relative difference must be 0 within its CI or within 1%.
func init() {
	verify.Register(verify.Check{Suite: "queueing", Name: "Little's law L = lambda W on the ED (150 visits/day)", Run: func(ctx context.Context, full bool) verify.Result {
		reps := 20
		if full {
			reps = 80
		}
		const horizon = 56 * 86400.0
		e := engine.Experiment{Seed: 61, From: 0, To: reps, Horizon: horizon, Warmup: 2 * 86400, Build: func(s *engine.Sim) error {
			ed, err := DefaultED(150)
			if err != nil {
				return err
			}
			return ed.Build(s)
		}}
		var ls, lw []float64
		err := e.Run(ctx, func(r engine.RepResult) error {
			var l, w float64
			var n int64
			for _, k := range r.KPIs {
				switch k.Name {
				case "patients_in_ed":
					l = k.Value
				case "los_h":
					w, n = k.Value*3600, k.N
				}
			}
			ls = append(ls, l)
			lw = append(lw, float64(n)/(horizon-2*86400)*w)
			return nil
		})
		if err != nil {
			return verify.Result{Err: err.Error()}
		}
		sl, sw := stats.Summarize(ls, 0.95), stats.Summarize(lw, 0.95)
		diff := make([]float64, len(ls))
		for i := range ls {
			diff[i] = (ls[i] - lw[i]) / ls[i]
		}
		sd := stats.Summarize(diff, 0.95)
		pass := (sd.Contains(0) || (sd.Low > -0.01 && sd.High < 0.01)) && sl.HalfWidth/sl.Mean < 0.02
		return verify.Result{Expected: sw.Mean, Measured: sl.Mean, Low: sl.Low, High: sl.High, Pass: pass,
			Tolerance: "relative difference 0 within its CI or within ±1%; half-width < 2%",
			Source:    "Little 1961, Oper Res 9:383",
			Detail:    fmt.Sprintf("L %.3f, lambda*W %.3f, relative difference %.4f [%.4f, %.4f]", sl.Mean, sw.Mean, sd.Mean, sd.Low, sd.High)}
	}})
}
