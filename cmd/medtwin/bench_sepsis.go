package main

import (
	"context"
	"math"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/physio/twin"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchSepsisCmd()) }

func benchSepsisCmd() *cli.Command {
	return &cli.Command{
		Name:  "sepsis",
		Usage: "the hybrid sepsis ED: events/s, patient-hours/s, and the physiology's share of the time",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "scenario", Value: "scenarios/sepsis_ed.lua", Usage: "the hybrid (DES + ODE) scenario to time"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a parameter of the scenario: --set name=value (repeatable)"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			var best struct{ wall, phys, events, hours float64 }
			for r := 0; r < c.Int("rounds"); r++ {
				sc, err := scripts.Load(c.String("scenario"), time.Minute)
				if err != nil {
					return err
				}
				for _, a := range c.StringSlice("set") {
					if err := sc.Set(a); err != nil {
						return usageError{err.Error()}
					}
				}
				s := engine.New(engine.Options{Seed: sc.Seed})
				s.Warmup(sc.Warmup)
				if err := sc.Build(context.Background(), s); err != nil {
					return err
				}
				twin.PhysiologyNanos.Store(0)
				twin.Timing.Store(true)
				t0 := time.Now()
				err = s.Run(sc.Horizon)
				wall := time.Since(t0).Seconds()
				twin.Timing.Store(false)
				if err != nil {
					return err
				}
				hours := 0.0
				for _, k := range s.Results() {
					if k.Name == "sepsis_patient_hours" {
						hours = k.Value
					}
				}
				s.Close()
				if r == 0 || wall < best.wall {
					best.wall, best.phys, best.events, best.hours = wall, float64(twin.PhysiologyNanos.Load())/1e9, float64(s.Fired()), hours
				}
			}
			des := best.wall - best.phys
			return printBench(c, []benchRow{
				{Name: "kernel events per second (whole run)", Value: best.events / best.wall, Unit: "events/s"},
				{Name: "septic patient-hours simulated per second", Value: best.hours / best.wall, Unit: "patient-h/s"},
				{Name: "physiology (ODE) share of wall time", Value: 100 * best.phys / best.wall, Unit: "%"},
				{Name: "DES events per second of DES time", Value: best.events / math.Max(des, 1e-9), Unit: "events/s"},
				{Name: "patient-hours per second of ODE time", Value: best.hours / math.Max(best.phys, 1e-9), Unit: "patient-h/s"},
			})
		},
	}
}
