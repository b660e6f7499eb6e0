package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every verb that prints results has --json, and every key of it is
// snake_case (issue 24: PascalCase in some verbs, snake_case in others).
// Data keys (KPI and parameter names) are snake_case in the shipped scenarios.
func TestEveryJSONOutputIsSnakeCase(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("a-secret-key-for-tests-0123456789\n"), 0o600)
	mmc := []string{"../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=300", "--warmup", "0", "--quiet"}
	with := func(base []string, more ...string) []string { return append(append([]string{}, base...), more...) }
	verbs := []struct {
		name string
		args []string
	}{
		{"run", with(append([]string{"run"}, mmc...), "--out", filepath.Join(dir, "run"))},
		{"shard 1", with(append([]string{"run"}, mmc...), "--shard", "1/2", "--out", filepath.Join(dir, "s1"))},
		{"shard 2", with(append([]string{"run"}, mmc...), "--shard", "2/2", "--out", filepath.Join(dir, "s2"))},
		{"merge", []string{"merge", filepath.Join(dir, "merged"), filepath.Join(dir, "s1"), filepath.Join(dir, "s2")}},
		{"compare", with([]string{"compare", "../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=300", "--warmup", "0", "--vs", "--set", "servers=3"})},
		{"sweep", with(append([]string{"sweep"}, mmc...), "--grid", "servers=2,3", "--out", filepath.Join(dir, "sweep"))},
		{"optimize", []string{"optimize", "../../scenarios/mmc.lua", "--set", "customers=300", "--warmup", "0", "--grid", "servers=2..3",
			"--constraint", "wait_h<=100", "--batch", "2", "--max-replications", "4"}},
		{"trial", []string{"trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "20", "--out", filepath.Join(dir, "trial")}},
		{"fhir import", []string{"fhir", "import", "testdata/vanco_bundle.json", "--key-file", keyFile, "--out", filepath.Join(dir, "p.arrow")}},
		{"validate", []string{"validate", "testdata/mgc/mgc.lua", "--observed", "testdata/mgc/visits.csv", "--replications", "1", "--out", filepath.Join(dir, "val")}},
		{"calibrate", []string{"calibrate", "testdata/mgc/mgc.lua", "--observed", "testdata/mgc/visits.csv", "--fit", "servers=5..6",
			"--max-evals", "2", "--out", filepath.Join(dir, "cal")}},
		{"fit", []string{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv", "--no-report", "--out", filepath.Join(dir, "fit")}},
		{"sensitivity", []string{"sensitivity", "--ishigami", "-n", "200", "--bootstrap", "5"}},
		{"inspect", []string{"inspect", filepath.Join(dir, "run", "summary.arrow")}},
		{"models", []string{"models"}},
		{"list-params", []string{"run", "../../scenarios/mmc.lua", "--list-params"}},
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	// maps under these keys are keyed by data (KPI, parameter and model
	// parameter names such as CL or servers.busy_mean), not by the CLI
	dataKeyed := regexp.MustCompile(`\.(params|kpis|metadata)$`)
	var walk func(verb, path string, v any)
	walk = func(verb, path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if !dataKeyed.MatchString(path) && !snake.MatchString(k) {
					t.Errorf("%s --json: key %q at %s is not snake_case", verb, k, path)
				}
				walk(verb, path+"."+k, y)
			}
		case []any:
			for i, y := range x {
				if i < 3 {
					walk(verb, path+"[]", y)
				}
			}
		}
	}
	for _, v := range verbs {
		out, errs, code := medtwin(t, append(v.args, "--json")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", v.name, code, errs)
		}
		var got any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s --json: not JSON (%v):\n%s", v.name, err, out)
		}
		walk(v.name, "", got)
		if v.name == "optimize" {
			m := got.(map[string]any)
			chosen, ok := m["chosen"].(map[string]any)
			if !ok || chosen["chosen"] != true || chosen["params"].(map[string]any)["servers"] == nil {
				t.Errorf("optimize --json: no chosen plan with parameter names:\n%s", out)
			}
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"HalfWidth": "half_width", "KPIs": "kpis", "ScenarioSHA256": "scenario_sha256",
		"KPI": "kpi", "EDVisitsByHour": "ed_visits_by_hour", "CILow": "ci_low", "P5": "p5", "SimN": "sim_n"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
