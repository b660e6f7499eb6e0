package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/trial"
)

// README documents every Arrow table; the documented columns and types must be
// exactly the ones the writer uses.
func TestREADMESchemasMatchWriter(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	row := regexp.MustCompile(`^\| ([a-z_0-9]+) \| ([a-z0-9]+) \|`)
	tables := map[string][]results.Column{"trial timeseries.arrow": trial.SeriesColumns}
	for file, cols := range results.Tables {
		tables[file] = cols
	}
	for file, cols := range tables {
		i := strings.Index(readme, "### "+file)
		if i < 0 {
			t.Errorf("README has no section for %s", file)
			continue
		}
		section := readme[i+len("### "+file):]
		if j := strings.Index(section, "\n#"); j >= 0 {
			section = section[:j]
		}
		var got [][2]string
		for _, line := range strings.Split(section, "\n") {
			if m := row.FindStringSubmatch(line); m != nil && m[1] != "column" {
				got = append(got, [2]string{m[1], m[2]})
			}
		}
		if len(got) != len(cols) {
			t.Errorf("%s: README lists %d columns, the writer has %d", file, len(got), len(cols))
			continue
		}
		for k, c := range cols {
			if got[k][0] != c.Name || got[k][1] != c.Type.String() {
				t.Errorf("%s column %d: README says %s %s, writer has %s %s", file, k, got[k][0], got[k][1], c.Name, c.Type)
			}
		}
	}
}
