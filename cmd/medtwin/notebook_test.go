package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
	// "hour" is a column a notebook adds itself; "metadata" the provenance key
	// of a CSV export's NAME.meta.json
	known := map[string]bool{"hour": true, "metadata": true}
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

// The notebooks run for real (jupyter nbconvert --execute, Debian's
// jupyter-nbconvert, python3-ipykernel and python3-matplotlib: `make
// notebook-deps`) against CSV exports of real runs, with nothing but the
// standard library and matplotlib. In CI (CI=true) a missing tool is a
// failure, not a skip.
func TestNotebooksExecute(t *testing.T) {
	nbconvert, err := exec.LookPath("jupyter-nbconvert")
	if err == nil {
		err = exec.Command("/usr/bin/python3", "-c", "import ipykernel, matplotlib").Run()
	}
	if err != nil {
		msg := "jupyter-nbconvert, ipykernel or matplotlib missing (make notebook-deps installs them): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	base, variant, sweep := filepath.Join(dir, "base"), filepath.Join(dir, "variant"), filepath.Join(dir, "sweep")
	for _, args := range [][]string{
		{"run", "../../scenarios/ed_staffing.lua", "--replications", "3", "--out", base, "--quiet"},
		{"run", "../../scenarios/ed_staffing.lua", "--replications", "3", "--set", "physicians_peak=6", "--out", variant, "--quiet"},
		{"sweep", "../../scenarios/ed_staffing.lua", "--grid", "physicians_peak=4..6", "--replications", "2", "--out", sweep, "--quiet"},
		{"export", "--format", "csv", base, variant, sweep},
	} {
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatal(errs)
		}
	}
	// both at once: most of the time is each kernel starting
	nbs := []string{"ed_staffing_comparison.ipynb", "ed_sweep.ipynb"}
	errs := make([]error, len(nbs))
	var wg sync.WaitGroup
	for i, f := range nbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(nbconvert, "--to", "notebook", "--execute", "--output-dir", dir, "--ExecutePreprocessor.timeout=300",
				filepath.Join("../../notebooks", f))
			cmd.Env = append(os.Environ(), "MEDTWIN_BASE="+base, "MEDTWIN_VARIANT="+variant, "MEDTWIN_SWEEP="+sweep)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%v\n%s", err, out)
			}
		}()
	}
	wg.Wait()
	for i, f := range nbs {
		if errs[i] != nil {
			t.Errorf("%s: %v", f, errs[i])
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		// each notebook draws its figure inline
		if !strings.Contains(string(data), `"image/png"`) {
			t.Errorf("%s: executed, but no inline figure in its outputs", f)
		}
	}
}

// The notebooks in the repository carry their outputs (text and inline
// figures), so that they read as a report before anyone runs them.
func TestNotebooksStoreOutputs(t *testing.T) {
	files, _ := filepath.Glob("../../notebooks/*.ipynb")
	for _, f := range files {
		var nb struct {
			Cells []struct {
				CellType string            `json:"cell_type"`
				Outputs  []json.RawMessage `json:"outputs"`
			} `json:"cells"`
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &nb); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, c := range nb.Cells {
			if c.CellType == "code" && len(c.Outputs) == 0 {
				t.Errorf("%s: code cell %d has no stored output", f, i)
			}
		}
		if !strings.Contains(string(data), `"image/png"`) {
			t.Errorf("%s: no stored figure", f)
		}
		if strings.Contains(string(data), `"output_type": "error"`) {
			t.Errorf("%s: a stored output is an error", f)
		}
	}
}
