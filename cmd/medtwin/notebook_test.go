package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts/plan"
)

type notebook struct {
	Cells []struct {
		CellType string   `json:"cell_type"`
		Source   []string `json:"source"`
	} `json:"cells"`
	NBFormat int `json:"nbformat"`
}

func readNotebook(t *testing.T, path string) (notebook, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		// nbformat also allows source as one string
		var alt struct {
			Cells []struct {
				CellType string `json:"cell_type"`
				Source   string `json:"source"`
			} `json:"cells"`
			NBFormat int `json:"nbformat"`
		}
		if err2 := json.Unmarshal(data, &alt); err2 != nil {
			t.Fatalf("%s is not a valid notebook: %v", path, err)
		}
		nb.NBFormat = alt.NBFormat
		for _, c := range alt.Cells {
			nb.Cells = append(nb.Cells, struct {
				CellType string   `json:"cell_type"`
				Source   []string `json:"source"`
			}{c.CellType, []string{c.Source}})
		}
	}
	var code strings.Builder
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			code.WriteString(strings.Join(c.Source, ""))
			code.WriteString("\n")
		}
	}
	return nb, code.String()
}

// Every notebook is valid JSON (nbformat 4) and every column it reads —
// df["name"] — is a documented column of medtwin's tables.
func TestNotebooksReadDocumentedColumns(t *testing.T) {
	files, _ := filepath.Glob("../../notebooks/*.ipynb")
	if len(files) == 0 {
		t.Fatal("no notebooks")
	}
	known := map[string]bool{"hour": true} // a column the notebook adds itself
	for _, cols := range results.Tables {
		for _, c := range cols {
			known[c.Name] = true
		}
	}
	for _, c := range plan.SweepColumns {
		known[c.Name] = true
	}
	// a read is df["name"] not followed by an assignment (df["new"] = ... creates it)
	col := regexp.MustCompile(`\[\s*"([a-z_0-9]+)"\s*\](\s*=[^=])?`)
	for _, f := range files {
		nb, code := readNotebook(t, f)
		if nb.NBFormat != 4 || len(nb.Cells) == 0 {
			t.Errorf("%s: nbformat %d with %d cells", f, nb.NBFormat, len(nb.Cells))
		}
		for _, m := range col.FindAllStringSubmatch(code, -1) {
			name := m[1]
			if m[2] != "" {
				known[name] = true // created by the notebook
				continue
			}
			if !known[name] && !strings.HasPrefix(name, "param_") {
				t.Errorf("%s reads column %q, which no documented table has", f, name)
			}
		}
	}
}

// Where pyarrow can be imported, the ED notebooks run against real outputs.
func TestNotebooksExecute(t *testing.T) {
	if exec.Command("python3", "-c", "import pyarrow, pandas, matplotlib").Run() != nil {
		t.Skip("pyarrow, pandas or matplotlib is not importable here: notebooks checked statically only")
	}
	dir := t.TempDir()
	base, variant, sweep := filepath.Join(dir, "base"), filepath.Join(dir, "variant"), filepath.Join(dir, "sweep")
	for _, args := range [][]string{
		{"run", "../../scenarios/ed_staffing.lua", "--replications", "3", "--out", base, "--quiet"},
		{"run", "../../scenarios/ed_staffing.lua", "--replications", "3", "--set", "physicians_peak=6", "--out", variant, "--quiet"},
		{"sweep", "../../scenarios/ed_staffing.lua", "--grid", "physicians_peak=4..6", "--replications", "2", "--out", sweep, "--quiet"},
	} {
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatal(errs)
		}
	}
	for _, f := range []string{"ed_staffing_comparison.ipynb", "ed_sweep.ipynb"} {
		_, code := readNotebook(t, filepath.Join("../../notebooks", f))
		cmd := exec.Command("python3", "-")
		cmd.Stdin = strings.NewReader(code)
		cmd.Env = append(os.Environ(), "MEDTWIN_BASE="+base, "MEDTWIN_VARIANT="+variant, "MEDTWIN_SWEEP="+sweep)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}
