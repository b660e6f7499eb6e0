package main

import (
	"math"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchEDCmd()) }

func benchEDCmd() *cli.Command {
	return &cli.Command{
		Name:  "ed",
		Usage: "scenarios/ed_staffing.lua (Lua + medtwin.ops) in events/s against mmc_floor",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "scenario", Value: "scenarios/ed_staffing.lua", Usage: "the ED scenario to time"},
			&cli.StringSliceFlag{Name: "set", Usage: "parameter overrides"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			bins, cleanup, err := buildFloors(c, "mmc_floor")
			defer cleanup()
			if err != nil {
				return err
			}
			bin := bins["mmc_floor"]
			var floor, rate float64
			var events uint64
			for r := 0; r < c.Int("rounds"); r++ {
				res, err := benchref.Run(bin, "1000000")
				if err != nil {
					return err
				}
				// the floor fires two events per customer
				floor = math.Max(floor, res["floor"]["events"]/res["floor"]["wall_s"])
				x, n, err := scripts.EventRate(c.String("scenario"), c.StringSlice("set")...)
				if err != nil {
					return err
				}
				rate, events = math.Max(rate, x), n
			}
			return printBench(c, []benchRow{
				{Name: "mmc_floor (reference)", Value: floor, Unit: "events/s"},
				{Name: "ED scenario (Lua + ops), 28 days", Value: rate, Unit: "events/s", Floor: floor, Ratio: rate / floor, Target: ">= 1,000,000 events/s"},
				{Name: "events in one replication", Value: float64(events), Unit: "events"},
			})
		},
	}
}
