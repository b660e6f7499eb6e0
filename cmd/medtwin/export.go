package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, exportCmd()) }

func exportCmd() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "convert Arrow outputs to Parquet (DuckDB, Spark, pandas, R arrow) or CSV (plain Python or R)",
		ArgsUsage: "FILE.arrow|DIR ...",
		Description: "A directory exports every .arrow file in it. Parquet keeps the provenance (scenario,\n" +
			"   parameters, seed) as key-value metadata; a CSV export writes it to NAME.meta.json beside it.\n" +
			"   Examples:\n" +
			"   medtwin export out/mmc                       out/mmc/kpis.parquet, summary.parquet, ...\n" +
			"   medtwin export --format csv out/ed-base      out/ed-base/kpis.csv, ...\n" +
			"   medtwin export --format parquet,csv --out exports out/mmc/kpis.arrow",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: results.FormatParquet, Usage: "parquet, csv, or both as parquet,csv"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "directory for the exported files (default: beside each input)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("export needs an Arrow file or an output directory (e.g. medtwin export out/mmc)")
			}
			var formats []string
			for _, f := range strings.Split(c.String("format"), ",") {
				f = strings.ToLower(strings.TrimSpace(f))
				if f != results.FormatParquet && f != results.FormatCSV {
					return usagef("--format %q: want parquet, csv or parquet,csv", c.String("format"))
				}
				formats = append(formats, f)
			}
			// every input is checked before anything is written
			var files []string
			for _, p := range c.Args().Slice() {
				fs, err := results.ArrowFiles(p)
				if err != nil {
					return usageError{err.Error()}
				}
				files = append(files, fs...)
			}
			out := c.String("out")
			if out != "" {
				if err := os.MkdirAll(out, 0o755); err != nil {
					return err
				}
			}
			for _, src := range files {
				dir := out
				if dir == "" {
					dir = filepath.Dir(src)
				}
				for _, f := range formats {
					dst := results.ExportPath(src, dir, f)
					if err := results.Export(src, dst, f); err != nil {
						return err
					}
					fmt.Fprintln(c.App.Writer, dst)
				}
			}
			return nil
		},
	}
}
