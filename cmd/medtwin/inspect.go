package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/urfave/cli/v2"
)

func inspectCmd() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show the schema, provenance and first rows of an Arrow file",
		ArgsUsage: "FILE.arrow",
		Description: "Example:\n   medtwin inspect out/mmc/kpis.arrow --rows 5\n" +
			"   medtwin inspect out/mmc/summary.arrow --json | jq .rows",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Value: 10, Usage: "rows to show (-1 for all)"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("inspect takes one Arrow file, got %d arguments", c.NArg())
			}
			t, err := results.Read(c.Args().First())
			if err != nil {
				return err
			}
			defer t.Release()
			rows := t.Rows(c.Int("rows"))
			if rows == nil {
				rows = [][]string{} // an empty table's rows are [] in JSON, not null
			}
			if c.Bool("json") {
				type col struct {
					Name string `json:"name"`
					Type string `json:"type"`
				}
				out := struct {
					File     string            `json:"file"`
					Rows     int64             `json:"num_rows"`
					Columns  []col             `json:"columns"`
					Metadata map[string]string `json:"metadata"`
					First    [][]string        `json:"rows"`
				}{File: t.Path, Rows: t.NumRows(), Metadata: t.Meta(), First: rows}
				for _, f := range t.Schema.Fields() {
					out.Columns = append(out.Columns, col{f.Name, f.Type.String()})
				}
				return writeJSON(c.App.Writer, out)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "%s: %d rows in %d record batches\n\ncolumns:\n", t.Path, t.NumRows(), len(t.Batches))
			for _, f := range t.Schema.Fields() {
				fmt.Fprintf(w, "  %-14s %s\n", f.Name, f.Type)
			}
			md := t.Meta()
			keys := make([]string, 0, len(md))
			for k := range md {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "\nmetadata:\n")
			for _, k := range keys {
				fmt.Fprintf(w, "  %s = %s\n", k, md[k])
			}
			fmt.Fprintf(w, "\nfirst %d rows:\n", len(rows))
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			names := make([]string, 0)
			for _, f := range t.Schema.Fields() {
				names = append(names, f.Name)
			}
			fmt.Fprintln(tw, strings.Join(names, "\t"))
			for _, r := range rows {
				fmt.Fprintln(tw, strings.Join(r, "\t"))
			}
			return tw.Flush()
		},
	}
}
