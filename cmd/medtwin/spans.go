package main

import (
	"math"

	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

// applySpans applies --horizon and --warmup to a loaded scenario, with the
// scenario file's own rule: a positive horizon, a warm-up in [0, horizon).
func applySpans(c *cli.Context, sc *scripts.Scenario) error {
	if s := c.String("horizon"); c.IsSet("horizon") {
		h, err := parseSpan(s)
		if err != nil {
			return usagef("--horizon %v", err)
		}
		sc.Horizon = h
	}
	if s := c.String("warmup"); c.IsSet("warmup") {
		w := 0.0
		if s != "0" {
			var err error
			if w, err = parseSpan(s); err != nil {
				return usagef("--warmup %v", err)
			}
		}
		sc.Warmup = w
	}
	if sc.Warmup >= sc.Horizon {
		return usagef("the warm-up (%s) must be shorter than the horizon (%s)", fmtSeconds(sc.Warmup), fmtSeconds(sc.Horizon))
	}
	if sc.SampleEvery > 0 && math.IsInf(sc.Horizon, 1) {
		return usagef("the scenario samples series (sample_every) and needs a finite horizon")
	}
	return nil
}
