package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, modelsCmd()) }

func modelsCmd() *cli.Command {
	return &cli.Command{
		Name:      "models",
		Usage:     "list the built-in patient models with their parameters, units and sources",
		ArgsUsage: "[NAME]",
		Description: "Examples:\n   medtwin models\n   medtwin models vancomycin\n" +
			"In a scenario: local pt = sim:patient(\"vancomycin\", { crcl = 80, wt = 90 })",
		Flags:       []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "machine-readable output"}},
		Subcommands: []*cli.Command{modelsShowCmd()},
		Action: func(c *cli.Context) error {
			list := models.List()
			if c.NArg() == 1 {
				m, err := models.New(c.Args().First(), nil)
				if err != nil {
					return usageError{err.Error()}
				}
				list = []models.Info{m.Info()}
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, list)
			}
			w := c.App.Writer
			for _, m := range list {
				fmt.Fprintf(w, "%s — %s\n  source: %s\n  time unit: %s; outputs: %v\n  states:", m.Name, m.Description, m.Citation, m.TimeUnit, m.Outputs)
				for _, s := range m.States {
					fmt.Fprintf(w, " %s (%s)", s.Name, s.Unit)
				}
				fmt.Fprintln(w)
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "  parameter\tvalue\tunit\tmeaning\tsource")
				for _, p := range m.Params {
					fmt.Fprintf(tw, "  %s\t%g\t%s\t%s\t%s\n", p.Name, p.Value, p.Unit, p.Doc, p.Source)
				}
				tw.Flush()
				fmt.Fprintln(w)
			}
			if c.NArg() == 0 {
				fmt.Fprintf(w, "model files of the model language (medtwin models show NAME): %s\n", strings.Join(modlang.LibraryNames(), " "))
			}
			return nil
		},
	}
}
