package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/medtwin/medtwin/engine/verify"
	_ "github.com/medtwin/medtwin/ops"                // registers the ED checks
	_ "github.com/medtwin/medtwin/physio/sensitivity" // registers the Sobol check
	_ "github.com/medtwin/medtwin/physio/vv"          // registers the physiology checks
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, verifyCmd()) }

func verifyCmd() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "run the verification suite: analytic solutions, published tables, determinism",
		Description: "Each check prints the expected value, the measured value (with its 95% CI where\n" +
			"statistical), the tolerance and the source. Exit code 1 if any check fails.\n" +
			"Examples:\n   medtwin verify\n   medtwin verify --suite queueing --json",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "suite", Usage: "run only these suites (queueing, determinism, ...)"},
			&cli.BoolFlag{Name: "full", Usage: "longer runs with tighter intervals"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable report"},
		},
		Action: func(c *cli.Context) error {
			res := verify.Run(context.Background(), c.StringSlice("suite"), c.Bool("full"))
			failed := 0
			for _, r := range res {
				if !r.Pass {
					failed++
				}
			}
			if c.Bool("json") {
				if err := writeJSON(c.App.Writer, res); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "result\tsuite\tcheck\texpected\tmeasured\t95% CI\ttolerance\tsource")
				for _, r := range res {
					status := "PASS"
					if !r.Pass {
						status = "FAIL"
					}
					ci := ""
					if r.Low != 0 || r.High != 0 {
						ci = fmt.Sprintf("[%.6g, %.6g]", r.Low, r.High)
					}
					if r.Err != "" {
						ci = "error: " + r.Err
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%.6g\t%.6g\t%s\t%s\t%s\n", status, r.Suite, r.Name, r.Expected, r.Measured, ci, r.Tolerance, r.Source)
				}
				tw.Flush()
				fmt.Fprintf(c.App.Writer, "\n%d passed, %d failed\n", len(res)-failed, failed)
			}
			if failed > 0 {
				return cli.Exit("", 1)
			}
			return nil
		},
	}
}
