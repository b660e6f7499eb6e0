package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/urfave/cli/v2"
)

// `medtwin doc verbs` lists every visible verb and each of its visible flags,
// as urfave/cli has them registered.
func TestDocVerbsListsEveryVerbAndFlag(t *testing.T) {
	out, errs, code := medtwin(t, "doc", "verbs")
	if code != 0 {
		t.Fatal(errs)
	}
	n := 0
	walkVerbs(newApp(nil, nil).Commands, "", func(path string, c *cli.Command) {
		n++
		i := strings.Index(out, "\n## medtwin "+path+"\n")
		if i < 0 {
			t.Errorf("doc verbs has no section for %q", path)
			return
		}
		section := out[i+1:]
		if j := strings.Index(section[1:], "\n## "); j >= 0 {
			section = section[:j+1]
		}
		for _, f := range c.Flags {
			name := "--" + f.Names()[0]
			if len(f.Names()[0]) == 1 {
				name = name[1:]
			}
			if !isHiddenFlag(f) && !strings.Contains(section, "`"+name) {
				t.Errorf("doc verbs: %s has no row for %s", path, name)
			}
		}
	})
	if n < 20 || strings.Count(out, "\n## medtwin ") != n {
		t.Errorf("doc verbs prints %d verbs, the app registers %d", strings.Count(out, "\n## medtwin "), n)
	}
}

// `medtwin doc models` has a row for every registered model and model file,
// and every row names a registered one.
func TestDocModelsMatchesRegistries(t *testing.T) {
	out, errs, code := medtwin(t, "doc", "models")
	if code != 0 {
		t.Fatal(errs)
	}
	parts := strings.SplitN(out, "\n## Model files", 2)
	if len(parts) != 2 {
		t.Fatalf("no model-files section:\n%s", out)
	}
	row := regexp.MustCompile("(?m)^\\| ([a-z0-9_]+) \\|")
	check := func(section, what string, registered []string) {
		printed := map[string]bool{}
		for _, m := range row.FindAllStringSubmatch(section, -1) {
			if m[1] != "name" {
				printed[m[1]] = true
			}
		}
		for _, n := range registered {
			if !printed[n] {
				t.Errorf("%s %q is registered but doc models has no row for it", what, n)
			}
			delete(printed, n)
		}
		for n := range printed {
			t.Errorf("doc models lists %s %q, which is not registered", what, n)
		}
	}
	var names []string
	for _, m := range models.List() {
		names = append(names, m.Name)
	}
	check(parts[0], "model", names)
	check(parts[1], "model file", modlang.LibraryNames())
}

// Every table `medtwin doc schemas` prints is the schema of a file the verb
// actually wrote: a run (with trace, samples, flow, auto_flow's waits and
// observations), a sweep,
// a trial with time series, a MAP fit, a FHIR import with encounters, and a
// validation against observed visits.
func TestDocSchemasMatchWrittenFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MEDTWIN_AUDIT_LOG", filepath.Join(dir, "audit.log"))
	t.Setenv("MEDTWIN_PSEUDONYM_KEY", "a-secret-key-for-tests-0123456789")
	sc := filepath.Join(dir, "s.lua")
	os.WriteFile(sc, []byte(`return scenario {
  name = "s", replications = 2, horizon = hours(48), sample_every = hours(1), trace = true, auto_flow = true,
  params = { servers = param(2, { min = 1 }) },
  build = function(sim, p)
    local r = sim:resource("r", p.servers)
    local g = sim:rng("g")
    sim:source("patient", function() return minutes(g:exp(1 / 20)) end, function(proc, n)
      local t0 = proc:now()
      proc:use(r, minutes(g:exp(1 / 25)))
      sim:record("wait_min", (proc:now() - t0) / 60)
      sim:observe("done", 1)
      sim:flow{ arrival = t0, entity = n, acuity = 3, door_to_doctor = 0, disposition = "discharged" }
    end)
  end,
}`), 0o644)
	var obs strings.Builder // observed visits for validate: one every 20 min, staying 30 min
	obs.WriteString("arrival,acuity,seen,departure,disposition\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&obs, "%g,3,%g,%g,discharged\n", float64(i)/3, float64(i)/3, float64(i)/3+0.5)
	}
	os.WriteFile(filepath.Join(dir, "obs.csv"), []byte(obs.String()), 0o644)
	fhirIn := filepath.Join(dir, "fhir-in") // one bundle: the importer is slow on a loaded machine
	os.Mkdir(fhirIn, 0o755)
	if b, err := os.ReadFile("../../plugins/fhir/testdata/patient-01.json"); err != nil {
		t.Fatal(err)
	} else {
		os.WriteFile(filepath.Join(fhirIn, "patient-01.json"), b, 0o644)
	}
	runs := [][]string{
		{"validate", sc, "--observed", filepath.Join(dir, "obs.csv"), "--replications", "1", "--window", "1d", "--out", filepath.Join(dir, "val")},
		{"run", sc, "--quiet", "--out", filepath.Join(dir, "run")},
		{"sweep", sc, "--grid", "servers=2,3", "--quiet", "--out", filepath.Join(dir, "sweep")},
		{"trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "2", "--out", filepath.Join(dir, "trial")},
		{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv", "--out", filepath.Join(dir, "fit")},
		{"fhir", "import", fhirIn, "--out", filepath.Join(dir, "fhir", "patients.arrow"),
			"--encounters", filepath.Join(dir, "fhir", "encounters.arrow")},
	}
	for _, args := range runs {
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatalf("medtwin %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
	}
	written := map[string]string{ // "file (writers)" -> a file that verb wrote
		"sweep.arrow (sweep)":                         "sweep/sweep.arrow",
		"timeseries.arrow (trial (with timeseries))":  "trial/timeseries.arrow",
		"subjects.arrow (trial)":                      "trial/subjects.arrow",
		"individual.arrow (fit)":                      "fit/individual.arrow",
		"records.arrow (fit)":                         "fit/records.arrow",
		"patients.arrow (fhir import)":                "fhir/patients.arrow",
		"encounters.arrow (fhir import --encounters)": "fhir/encounters.arrow",
		"kpis.arrow (run, compare, sweep, trial)":     "trial/kpis.arrow",
		"validation.arrow (validate)":                 "val/validation.arrow",
		"drift.arrow (validate)":                      "val/drift.arrow",
	}
	for file := range results.Tables {
		written[file+" ("+docOf(t, file).Writers+")"] = "run/" + file
	}
	for _, d := range results.Documented() {
		key := d.File + " (" + d.Writers + ")"
		for _, c := range d.Columns {
			if c.Doc == "" {
				t.Errorf("%s: column %s has no Doc: say what it holds, with its unit", key, c.Name)
			}
		}
		path, ok := written[key]
		if !ok {
			t.Errorf("%s is documented but no verb in this test writes it: add a run that does", key)
			continue
		}
		if err := d.Match(readSchema(t, filepath.Join(dir, path))); err != nil {
			t.Error(err)
		}
		if d.File == "kpis.arrow" { // the run's kpis.arrow too
			if err := d.Match(readSchema(t, filepath.Join(dir, "run", "kpis.arrow"))); err != nil {
				t.Error(err)
			}
		}
	}
}

func docOf(t *testing.T, file string) results.TableDoc {
	for _, d := range results.Documented() {
		if d.File == file && !strings.HasPrefix(d.Writers, "trial") {
			return d
		}
	}
	t.Fatalf("%s is not documented (results.Document)", file)
	return results.TableDoc{}
}

func readSchema(t *testing.T, path string) *arrow.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer r.Close()
	return r.Schema()
}

// Every table file name the code spells out ("name.arrow" in a non-test Go
// file) is documented: a new table cannot be written without its schema in
// `medtwin doc schemas`.
func TestEveryArrowFileNameIsDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, d := range results.Documented() {
		documented[d.File] = true
	}
	lit := regexp.MustCompile(`"([a-z_0-9]+\.arrow)"`)
	n := 0
	err := filepath.WalkDir("../..", func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".") && path != "../.." || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			n++
			if !documented[m[1]] {
				t.Errorf("%s names the table %s, which is not documented: register its columns with results.Document "+
					"(see cmd/medtwin/schemas.go) and write it in TestDocSchemasMatchWrittenFiles", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("found only %d table names in the code", n)
	}
}
