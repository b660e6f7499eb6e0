package main

import (
	"math"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchODECmd()) }

func benchODECmd() *cli.Command {
	return &cli.Command{
		Name:  "ode",
		Usage: "the reference PK cohort through the ODE path (rtol 1e-8) against deSolve and cohort_floor",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "subjects", Value: 4000, Usage: "subjects per measurement"},
			&cli.IntFlag{Name: "desolve-subjects", Value: 300, Usage: "subjects for deSolve (slow)"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			bins, cleanup, err := buildFloors(c, "cohort_floor")
			defer cleanup()
			if err != nil {
				return err
			}
			dir, floorBin := bins["dir"], bins["cohort_floor"]
			n := c.Int("subjects")
			var floor, desolve, ty1, tyAll, d81, d8All, gbs1, dp1 float64
			var ref pk.ReferenceCohort
			var x, tyMean float64
			exactMean, err := ref.MeanExact(n, 336)
			if err != nil {
				return err
			}
			for r := 0; r < c.Int("rounds"); r++ {
				res, err := benchref.Run(floorBin, "100000")
				if err != nil {
					return err
				}
				floor = math.Max(floor, res["floor"]["subjects_per_s"])
				x, tyMean, err = ref.TimeODE(n, 1, pk.Taylor)
				if err != nil {
					return err
				}
				ty1 = math.Max(ty1, x)
				x, _, _ = ref.TimeODE(n, 0, pk.Taylor)
				tyAll = math.Max(tyAll, x)
				x, _, _ = ref.TimeODE(n, 1, pk.DOP853)
				d81 = math.Max(d81, x)
				x, _, _ = ref.TimeODE(n, 0, pk.DOP853)
				d8All = math.Max(d8All, x)
				x, _, _ = ref.TimeODE(n/2, 1, pk.GBS)
				gbs1 = math.Max(gbs1, x)
				x, _, _ = ref.TimeODE(n/2, 1, pk.DOPRI5)
				dp1 = math.Max(dp1, x)
				if _, err := exec.LookPath("Rscript"); err == nil && r == 0 {
					out, err := exec.Command("Rscript", filepath.Join(dir, "cohort", "cohort_desolve.R"), strconv.Itoa(c.Int("desolve-subjects"))).Output()
					if err == nil {
						desolve = benchref.Parse(out)["desolve"]["subjects_per_s"]
					}
				}
			}
			rows := []benchRow{
				{Name: "cohort_floor (C, exact, reference)", Value: floor, Unit: "subjects/s"},
				{Name: "deSolve lsoda (R, reference)", Value: desolve, Unit: "subjects/s"},
				{Name: "medtwin ODE path, Taylor order 20, 1 core", Value: ty1, Unit: "subjects/s", Floor: desolve, Ratio: ty1 / desolve},
				{Name: "medtwin ODE path, Taylor order 20, all cores", Value: tyAll, Unit: "subjects/s", Floor: desolve, Ratio: tyAll / desolve, Target: ">= 50x deSolve"},
				{Name: "medtwin ODE path, Taylor order 20, all cores vs cohort_floor", Value: tyAll, Unit: "subjects/s", Floor: floor, Ratio: tyAll / floor},
				{Name: "mean conc at 336 h, Taylor vs exact path, same subjects", Value: math.Abs(tyMean-exactMean) / exactMean, Unit: "relative", Target: "<= 1e-6"},
				{Name: "medtwin ODE path, DOP853, 1 core", Value: d81, Unit: "subjects/s", Floor: desolve, Ratio: d81 / desolve},
				{Name: "medtwin ODE path, DOP853, all cores", Value: d8All, Unit: "subjects/s", Floor: desolve, Ratio: d8All / desolve},
				{Name: "medtwin ODE path, GBS, 1 core", Value: gbs1, Unit: "subjects/s", Floor: desolve, Ratio: gbs1 / desolve},
				{Name: "medtwin ODE path, DOPRI5, 1 core", Value: dp1, Unit: "subjects/s", Floor: desolve, Ratio: dp1 / desolve},
			}
			if desolve == 0 {
				for i := range rows {
					if rows[i].Floor == 0 { // the deSolve rows
						rows[i].Ratio = 0
					}
				}
				rows[1].Name += " — Rscript/deSolve not installed (apt-get install r-base-core r-cran-desolve)"
			}
			return printBench(c, rows)
		},
	}
}
