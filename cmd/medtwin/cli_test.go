package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/results"
)

// medtwin runs the CLI in-process and returns stdout, stderr and the exit code.
func medtwin(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp(&out, &errb)
	all, err := splitVs(append([]string{"medtwin"}, args...))
	if err == nil {
		err = app.Run(reorderArgs(app, all))
	}
	if err != nil {
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), exitCode(err)
}

func TestRunWritesFilesAndTable(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--replications", "3", "--set", "customers=3000",
		"--out", dir, "--trace", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wait_h") || !strings.Contains(out, "95% CI") {
		t.Fatalf("no KPI table:\n%s", out)
	}
	for _, f := range []string{"kpis.arrow", "summary.arrow", "events.arrow", "manifest.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	out, _, code = medtwin(t, "inspect", filepath.Join(dir, "summary.arrow"), "--json")
	if code != 0 || !strings.Contains(out, `"medtwin.seed": "1"`) {
		t.Fatalf("inspect: exit %d\n%s", code, out)
	}
	// mmc records no patient flow: an empty table's rows are [], not null
	// (Arrow JS's check read null and stopped)
	out, _, code = medtwin(t, "inspect", filepath.Join(dir, "flow.arrow"), "--json")
	if code != 0 || !strings.Contains(out, `"num_rows": 0`) || !strings.Contains(out, `"rows": []`) {
		t.Fatalf("inspect of an empty table: exit %d\n%s", code, out)
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "../../scenarios/mmc.lua", "--set", "sevrers=3"}, 2, "did you mean 'servers'"},
		{[]string{"run", "../../scenarios/mmc.lua", "--set", "servers=0"}, 2, "mmc.lua:10: servers must be >= 1"},
		{[]string{"run"}, 2, "needs a scenario file"},
		{[]string{"run", "../../scenarios/mmc.lua", "--shard", "5/4"}, 2, "--shard"},
		{[]string{"run", "no/such/file.lua"}, 1, "cannot read scenario"},
		{[]string{"run", "../../scenarios/mmc.lua", "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"inspect", "../../README.md"}, 1, "not an Arrow IPC file"},
		{[]string{"version"}, 0, ""},
	}
	for _, c := range cases {
		_, errs, code := medtwin(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args, code, c.code, errs, c.want)
		}
	}
}

func TestListParams(t *testing.T) {
	out, _, code := medtwin(t, "run", "../../scenarios/clinic_ed.lua", "--list-params")
	if code != 0 || !strings.Contains(out, "doctors_day") || !strings.Contains(out, "28 days") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// The starter that `medtwin new` writes must run as written.
func TestNewScenarioRuns(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	if _, errs, code := medtwin(t, "new", "clinic"); code != 0 {
		t.Fatal(errs)
	}
	if _, _, code := medtwin(t, "new", "clinic"); code == 0 {
		t.Fatal("new overwrote an existing file")
	}
	out, errs, code := medtwin(t, "run", "clinic.lua", "--replications", "2", "--quiet")
	if code != 0 || !strings.Contains(out, "wait_min") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
}

func TestShardFromEnvironment(t *testing.T) {
	t.Setenv("SLURM_ARRAY_TASK_ID", "2")
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "4")
	s, err := parseShard("")
	if err != nil || s.I != 2 || s.N != 4 {
		t.Fatalf("%v %v", s, err)
	}
	// 10 replications over 4 shards: 0-2, 2-5, 5-7, 7-10 — contiguous, covering all.
	next := 0
	for i := 0; i < 4; i++ {
		lo, hi := shard{i, 4}.span(10)
		if lo != next || hi <= lo {
			t.Fatalf("shard %d: [%d,%d)", i, lo, hi)
		}
		next = hi
	}
	if next != 10 {
		t.Fatal("shards do not cover all replications")
	}
}

// --grid values keep their commas (urfave/cli would split them by default).
func TestGridKeepsCommas(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "sweep", "../../scenarios/mmc.lua", "--grid", "arrival_rate=8,9", "--grid", "servers=10..11",
		"--replications", "2", "--set", "customers=2000", "--out", dir, "--quiet")
	if code != 0 || !strings.Contains(out, "4 combinations") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
}

// Issue 10: the sepsis scenario runs from the command line, writes per-patient
// vitals in timeseries.arrow, and compare prints queue and outcome KPIs together.
func TestSepsisScenario(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "run", "../../scenarios/sepsis_ed.lua", "--replications", "2", "--out", dir, "--quiet")
	if code != 0 || !strings.Contains(out, "sepsis_mortality") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	js, _, _ := medtwin(t, "inspect", filepath.Join(dir, "timeseries.arrow"), "--json", "--rows", "0")
	if !strings.Contains(js, `"entity"`) {
		t.Fatalf("timeseries has no entity column: %s", js)
	}
	ev, _, _ := medtwin(t, "inspect", filepath.Join(dir, "events.arrow"), "--json", "--rows", "-1")
	for _, kind := range []string{"sepsis_alert", "sepsis_antibiotics", "sepsis_deterioration", "grant"} {
		if !strings.Contains(ev, `"`+kind+`"`) {
			t.Errorf("events.arrow has no %s event", kind)
		}
	}
	cmp, errs, code := medtwin(t, "compare", "../../scenarios/sepsis_ed.lua", "--replications", "4", "--vs", "--set", "screen_sensitivity=0.9")
	if code != 0 || !strings.Contains(cmp, "sepsis_hours_to_antibiotics") || !strings.Contains(cmp, "door_to_doctor_min") {
		t.Fatalf("compare: exit %d %s\n%s", code, errs, cmp)
	}
}

func TestSensitivityCommand(t *testing.T) {
	out, errs, code := medtwin(t, "sensitivity", "--ishigami", "-n", "2000", "--bootstrap", "20")
	if code != 0 || !strings.Contains(out, "analytic ST") || !strings.Contains(out, "x3") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	svg := filepath.Join(t.TempDir(), "s.svg")
	out, errs, code = medtwin(t, "sensitivity", "../../scenarios/clinic_ed.lua", "--range", "doctors_day=4..6", "--range", "beds=10..14",
		"--kpi", "door_to_doctor_min", "-n", "12", "--bootstrap", "10", "-o", svg)
	if code != 0 || !strings.Contains(out, "doctors_day") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if st, err := os.Stat(svg); err != nil || st.Size() < 500 {
		t.Fatalf("no figure: %v", err)
	}
	if _, errs, code := medtwin(t, "sensitivity", "../../scenarios/mmc.lua", "--range", "sevrers=1..3", "--kpi", "wait_h"); code != 2 || !strings.Contains(errs, "did you mean 'servers'") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestTrialCommand(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "600", "--out", dir)
	if code != 0 || !strings.Contains(out, "probability of target attainment") || !strings.Contains(out, "CrCl (mL/min)") ||
		!strings.Contains(out, "power: 2 replicate parallel-group trials of 100 subjects per arm") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	js, _, code := medtwin(t, "inspect", filepath.Join(dir, "subjects.arrow"), "--json", "--rows", "1")
	if code != 0 || !strings.Contains(js, `"num_rows": 1800`) || !strings.Contains(js, `"auc24_day4"`) || !strings.Contains(js, `"crcl_ml_min"`) {
		t.Fatalf("%s", js)
	}
	// kpis.arrow: replicate 1's attainment in the AUC-guided arm is the share of
	// its subjects (300..599, every third from the arm's index) that met the target
	sub, err := results.Read(filepath.Join(dir, "subjects.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Release()
	cs, ca, cm := sub.Column("subject"), sub.Column("arm"), sub.Column("target_met")
	met, n := 0, 0
	for _, row := range sub.Rows(-1) {
		id, _ := strconv.Atoi(row[cs])
		if id >= 300 && id%3 == 2 && row[ca] == "AUC-guided" {
			n++
			if row[cm] == "true" {
				met++
			}
		}
	}
	reps, err := results.ReadKPIs(filepath.Join(dir, "kpis.arrow"))
	if err != nil || len(reps) != 2 {
		t.Fatalf("%d replications, %v", len(reps), err)
	}
	found := false
	for _, k := range reps[1].KPIs {
		if k.Name == "target_met/AUC-guided" {
			found = true
			if n != 100 || k.N != 100 || k.Value != float64(met)/100 {
				t.Fatalf("kpis.arrow %v over %d, subjects.arrow %d of %d", k.Value, k.N, met, n)
			}
		}
	}
	if !found {
		t.Fatalf("no target_met/AUC-guided KPI in %+v", reps[1].KPIs)
	}
}

// A trial run as 4 shards and merged gives the same bytes (rows, provenance
// and record batches) as one run; a missing shard is an error naming the gap.
func TestTrialShardsMerge(t *testing.T) {
	dir := t.TempDir()
	spec := "../../scenarios/vancomycin_trial.lua"
	if _, errs, code := medtwin(t, "trial", spec, "--subjects", "203", "--out", filepath.Join(dir, "one")); code != 0 {
		t.Fatal(errs)
	}
	var parts []string
	for i := 1; i <= 4; i++ {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		if out, errs, code := medtwin(t, "trial", spec, "--subjects", "203", "--shard", fmt.Sprintf("%d/4", i), "--out", p); code != 0 || !strings.Contains(out, "shard") {
			t.Fatal(errs, out)
		}
		parts = append(parts, p)
	}
	if _, errs, code := medtwin(t, "merge", filepath.Join(dir, "gap"), parts[0], parts[1], parts[3]); code == 0 || !strings.Contains(errs, "missing") {
		t.Fatalf("a missing shard merged: %s", errs)
	}
	if _, errs, code := medtwin(t, "merge", filepath.Join(dir, "merged"), parts[3], parts[1], parts[0], parts[2]); code != 0 {
		t.Fatal(errs)
	}
	read := func(d, name string) ([][]string, map[string]string) {
		tb, err := results.Read(filepath.Join(d, name))
		if err != nil {
			t.Fatal(err)
		}
		defer tb.Release()
		return tb.Rows(-1), tb.Meta()
	}
	// subjects: 203 × 3 arms; time series: the first 100 subjects × 3 arms × 97 hours
	for name, rows := range map[string]int{"subjects.arrow": 203 * 3, "timeseries.arrow": 100 * 3 * 97} {
		want, wmeta := read(filepath.Join(dir, "one"), name)
		got, gmeta := read(filepath.Join(dir, "merged"), name)
		if len(want) != rows || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: merged rows differ from one run (%d vs %d rows, want %d)", name, len(got), len(want), rows)
		}
		if fmt.Sprint(gmeta) != fmt.Sprint(wmeta) {
			t.Fatalf("%s: provenance differs:\n%v\n%v", name, gmeta, wmeta)
		}
		// and the same bytes (a record batch per shard made them differ)
		a, _ := os.ReadFile(filepath.Join(dir, "one", name))
		b, _ := os.ReadFile(filepath.Join(dir, "merged", name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s of the merged shards is not one run's bytes (%d vs %d bytes)", name, len(b), len(a))
		}
	}
	// the merged shards summarized: the same kpis.arrow bytes and the same
	// printed summary (after its first line, which names the directory) as one run
	one, errs, code := medtwin(t, "trial", spec, "--subjects", "203", "--out", filepath.Join(dir, "one"))
	if code != 0 {
		t.Fatal(errs)
	}
	sum, errs, code := medtwin(t, "trial", spec, "--summarize", filepath.Join(dir, "merged"))
	if code != 0 {
		t.Fatal(errs)
	}
	_, oneBody, _ := strings.Cut(one, "\n")
	_, sumBody, _ := strings.Cut(sum, "\n")
	if oneBody != sumBody || !strings.Contains(sumBody, "probability of target attainment") {
		t.Fatalf("summary of merged shards differs from one run:\n%s\n---\n%s", sum, one)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "one", "kpis.arrow"))
	b, _ := os.ReadFile(filepath.Join(dir, "merged", "kpis.arrow"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("kpis.arrow of the merged shards differs from one run's (%d vs %d bytes)", len(b), len(a))
	}
	// a single shard, or another spec, is refused
	if _, errs, code := medtwin(t, "trial", spec, "--summarize", parts[1]); code == 0 || !strings.Contains(errs, "medtwin merge") {
		t.Fatalf("a shard summarized: %s", errs)
	}
	if _, errs, code := medtwin(t, "trial", "../../scenarios/theophylline_oral_trial.lua", "--summarize", filepath.Join(dir, "merged")); code == 0 || !strings.Contains(errs, "another version of the spec") {
		t.Fatalf("another spec's subjects summarized: %s", errs)
	}
}

// The oral trial runs, and on day 3 every subject in the 6 mg/kg arm is close to
// steady state, where AUC over a day is the daily dose over CL (F = 1): between
// 90% and 100% of 2·6·weight/CL.
func TestTheophyllineTrial(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "trial", "../../scenarios/theophylline_oral_trial.lua", "--subjects", "150", "--out", dir)
	if code != 0 || !strings.Contains(out, "6 mg/kg q12h") || !strings.Contains(out, "power: 1 replicate") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	tb, err := results.Read(filepath.Join(dir, "subjects.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	ca, cw, cc, cauc := tb.Column("arm"), tb.Column("weight_kg"), tb.Column("cl"), tb.Column("auc24_day3")
	n := 0
	for _, row := range tb.Rows(-1) {
		if row[ca] != "6 mg/kg q12h" {
			continue
		}
		w, _ := strconv.ParseFloat(row[cw], 64)
		cl, _ := strconv.ParseFloat(row[cc], 64)
		auc, _ := strconv.ParseFloat(row[cauc], 64)
		if r := auc * cl / (2 * 6 * w); r < 0.9 || r > 1.0001 {
			t.Fatalf("AUC·CL/daily dose = %v", r)
		}
		n++
	}
	if n != 150 {
		t.Fatalf("%d rows in the 6 mg/kg arm", n)
	}
}

// phi lists the identifying strings of the sample bundles' patients, read with
// encoding/json: names, mother's maiden name, telecoms, address parts,
// identifiers (SSN, MRN, driver's licence, passport), birth dates and ids.
func phi(t *testing.T, dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			Entry []struct{ Resource json.RawMessage }
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			var r struct {
				ResourceType, ID, BirthDate string
				Name                        []struct {
					Family string
					Given  []string
				}
				Telecom []struct{ Value string }
				Address []struct {
					Line             []string
					City, PostalCode string
				}
				Identifier []struct{ Value string }
				Extension  []struct{ URL, ValueString string }
			}
			if json.Unmarshal(e.Resource, &r) != nil || r.ResourceType != "Patient" {
				continue
			}
			out = append(out, r.ID, r.BirthDate)
			for _, n := range r.Name {
				out = append(out, n.Family)
				out = append(out, n.Given...)
			}
			for _, x := range r.Telecom {
				out = append(out, x.Value)
			}
			for _, a := range r.Address {
				out = append(out, a.City, a.PostalCode)
				out = append(out, a.Line...)
			}
			for _, x := range r.Identifier {
				out = append(out, x.Value)
			}
			for _, x := range r.Extension {
				if strings.Contains(x.URL, "mothersMaidenName") {
					out = append(out, x.ValueString)
				}
			}
		}
	}
	return out
}

// phiZIPs lists the postal codes of the bundles' patients.
func phiZIPs(t *testing.T, dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []string
	for _, f := range files {
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string
					Address      []struct{ PostalCode string }
				}
			}
		}
		json.Unmarshal(mustRead(t, f), &b)
		for _, e := range b.Entry {
			for _, a := range e.Resource.Address {
				if e.Resource.ResourceType == "Patient" {
					out = append(out, a.PostalCode)
				}
			}
		}
	}
	return out
}

// An import and a trial on the imported cohort write none of the identifiers
// present in the input bundles, in any file or on the terminal.
func TestFHIRImportNoPHI(t *testing.T) {
	dir := t.TempDir()
	// the inputs under Synthea's own file names (given_family_uuid.json), so
	// that a path written anywhere would show
	in := filepath.Join(dir, "bundles")
	os.MkdirAll(in, 0o755)
	samples, _ := filepath.Glob("../../plugins/fhir/testdata/patient-*.json")
	for _, f := range samples {
		b := mustRead(t, f)
		var bundle struct {
			Entry []struct{ Resource json.RawMessage }
		}
		json.Unmarshal(b, &bundle)
		name := filepath.Base(f)
		for _, e := range bundle.Entry {
			var p struct {
				ResourceType, ID string
				Name             []struct {
					Family string
					Given  []string
				}
			}
			if json.Unmarshal(e.Resource, &p) == nil && p.ResourceType == "Patient" {
				name = p.Name[0].Given[0] + "_" + p.Name[0].Family + "_" + p.ID + ".json"
			}
		}
		os.WriteFile(filepath.Join(in, name), b, 0o644)
	}
	t.Setenv("MEDTWIN_AUDIT_LOG", filepath.Join(dir, "out", "audit.log"))
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("a-secret-key-for-tests-0123456789\n"), 0o600)
	pts := filepath.Join(dir, "out", "patients.arrow")
	out1, errs, code := medtwin(t, "fhir", "import", in, "--out", pts, "--key-file", keyFile,
		"--encounters", filepath.Join(dir, "out", "encounters.arrow"), "--arrivals", filepath.Join(dir, "out", "arrivals.csv"))
	if code != 0 || !strings.Contains(out1, "6 patients read, 6 imported") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out1)
	}
	spec := filepath.Join(dir, "out", "t.lua")
	os.WriteFile(spec, []byte(`return trial {
  name = "fhir", subjects = 60, seed = 1,
  population = { patients = "patients.arrow", resample = true },
  model = function(s) return { ncmt = 1, cl = 4.5 * s.crcl_ml_min / 120, v1 = 0.7 * s.weight_kg } end,
  iiv = { cl = 0.3 },
  arms = { { name = "15 mg/kg", doses = function(s) return { { amt = 15 * s.weight_kg, rate = 1000, ii = 12, addl = 5 } } end } },
  endpoints = { auc = { auc = { 48, 72 } } },
  target = { endpoint = "auc", min = 400, max = 600 },
  timeseries = { every = 6 },
}`), 0o644)
	out2, errs, code := medtwin(t, "trial", spec, "--out", filepath.Join(dir, "out", "trial"))
	if code != 0 || !strings.Contains(out2, "60 subjects") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out2)
	}
	ids := phi(t, in)
	if len(ids) < 6*8 {
		t.Fatalf("only %d identifiers found in the input: %v", len(ids), ids)
	}
	var blobs = map[string][]byte{"import output": []byte(out1), "trial output": []byte(out2)}
	filepath.Walk(filepath.Join(dir, "out"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(p, "t.lua") {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.HasSuffix(p, ".arrow") {
			// an Arrow file's strings lie end to end in one buffer ("010" then
			// "021" reads "010021"): scan each value and each metadata entry,
			// one per line, and the raw bytes for everything but ZIP codes
			tb, err := results.Read(p)
			if err != nil {
				t.Fatal(err)
			}
			var cells []string
			for _, row := range tb.Rows(-1) {
				cells = append(cells, row...)
			}
			for k, v := range tb.Meta() {
				cells = append(cells, k, v)
			}
			tb.Release()
			blobs[p] = []byte(strings.Join(cells, "\n"))
			blobs[p+" (raw bytes, not ZIP codes)"] = b
			return nil
		}
		blobs[p] = b
		return nil
	})
	if len(blobs) < 8 || blobs[filepath.Join(dir, "out", "audit.log")] == nil {
		t.Fatalf("only %d outputs to scan, or no audit log: %v", len(blobs), len(blobs))
	}
	zips := map[string]bool{}
	for _, z := range phiZIPs(t, in) {
		zips[z] = true
	}
	for name, b := range blobs {
		for _, id := range ids {
			if strings.HasSuffix(name, "(raw bytes, not ZIP codes)") && zips[id] {
				continue
			}
			if id != "" && bytes.Contains(b, []byte(id)) {
				t.Errorf("%s contains %q from the input", name, id)
			}
		}
	}
	if _, errs, code := medtwin(t, "fhir", "import", in, "--out", filepath.Join(dir, "x.arrow")); code == 0 || !strings.Contains(errs, "pseudonym key") {
		t.Fatalf("no key: exit %d %s", code, errs)
	}
}

// An import and a trial append entries with their inputs' and outputs' hashes;
// `audit verify` accepts the log and locates an edited entry.
func TestAuditTrail(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.log")
	t.Setenv("MEDTWIN_AUDIT_LOG", log)
	t.Setenv("MEDTWIN_PSEUDONYM_KEY", "another-secret-key-0123456789")
	pts := filepath.Join(dir, "patients.arrow")
	if _, errs, code := medtwin(t, "fhir", "import", "../../plugins/fhir/testdata", "--out", pts); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, code := medtwin(t, "trial", "../../scenarios/theophylline_oral_trial.lua", "--subjects", "20", "--out", filepath.Join(dir, "t")); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := medtwin(t, "audit", "verify")
	if code != 0 || !strings.Contains(out, "4 entries, chain intact") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	b, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	sum := sha256.Sum256(mustRead(t, pts))
	// each command: an entry when it starts, one when it ends
	if !strings.Contains(lines[0], `"status":"started"`) || strings.Contains(lines[0], hex.EncodeToString(sum[:])) ||
		!strings.Contains(lines[1], "fhir import") || !strings.Contains(lines[1], hex.EncodeToString(sum[:])) || !strings.Contains(lines[1], `"status":"ok"`) ||
		!strings.Contains(lines[3], "theophylline_oral_trial.lua") || !strings.Contains(lines[3], "subjects.arrow") {
		t.Fatalf("entries:\n%s", b)
	}
	os.WriteFile(log, []byte(strings.Replace(string(b), "--subjects 20", "--subjects 21", 1)), 0o644)
	if _, errs, code := medtwin(t, "audit", "verify", log); code == 0 || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "edited") {
		t.Fatalf("tampering not located: %s", errs)
	}
}

// A failed command leaves an audit entry (started, then failed); a log that
// cannot be written stops a command before it writes anything; with an audit
// key the log verifies only with that key; a key file others can read is
// refused (issue 18, Medium 5 and 7).
func TestAuditAttemptsAndKeys(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.log")
	t.Setenv("MEDTWIN_AUDIT_LOG", log)
	keyFile := filepath.Join(dir, "audit.key")
	os.WriteFile(keyFile, []byte("an-audit-key-for-tests-0123456789\n"), 0o600)
	t.Setenv("MEDTWIN_AUDIT_KEY_FILE", keyFile)
	if _, _, code := medtwin(t, "run", filepath.Join(dir, "missing.lua"), "--out", filepath.Join(dir, "r")); code == 0 {
		t.Fatal("a missing scenario ran")
	}
	b, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"status":"started"`) || !strings.Contains(lines[1], `"status":"failed"`) ||
		!strings.Contains(lines[1], `"keyed":true`) {
		t.Fatalf("entries of a failed run:\n%s", b)
	}
	if out, errs, code := medtwin(t, "audit", "verify"); code != 0 || !strings.Contains(out, "2 entries, chain intact, keyed") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	t.Setenv("MEDTWIN_AUDIT_KEY_FILE", "")
	if _, errs, code := medtwin(t, "audit", "verify"); code == 0 || !strings.Contains(errs, "give the audit key") {
		t.Fatalf("a keyed log verified without the key: %s", errs)
	}
	os.Chmod(keyFile, 0o644)
	t.Setenv("MEDTWIN_AUDIT_KEY_FILE", keyFile)
	if _, errs, code := medtwin(t, "audit", "verify"); code == 0 || !strings.Contains(errs, "chmod 600") {
		t.Fatalf("a key file readable by others was used: %s", errs)
	}
	// a log that cannot be written: the command does nothing
	t.Setenv("MEDTWIN_AUDIT_KEY_FILE", "")
	t.Setenv("MEDTWIN_AUDIT_LOG", filepath.Join(dir, "audit.log", "not-a-dir", "audit.log"))
	out := filepath.Join(dir, "never")
	if _, _, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--replications", "1", "--set", "customers=100", "--out", out, "--quiet"); code == 0 {
		t.Fatal("a run whose audit entry cannot be written succeeded")
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a run whose audit entry cannot be written wrote its outputs")
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// --arrivals writes the hour-of-day profile of the emergency encounters, as
// encoding/json reads their start hours from the bundles (all at +00:00).
func TestFHIRArrivals(t *testing.T) {
	in := "../../plugins/fhir/testdata"
	dir := t.TempDir()
	t.Setenv("MEDTWIN_PSEUDONYM_KEY", "another-secret-key-0123456789")
	csvPath := filepath.Join(dir, "arrivals.csv")
	if _, errs, code := medtwin(t, "fhir", "import", in, "--out", filepath.Join(dir, "p.arrow"), "--arrivals", csvPath); code != 0 {
		t.Fatal(errs)
	}
	var want [24]float64
	total := 0.0
	files, _ := filepath.Glob(filepath.Join(in, "*.json"))
	for _, f := range files {
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string
					Class        struct{ Code string }
					Period       struct{ Start string }
				}
			}
		}
		if err := json.Unmarshal(mustRead(t, f), &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			if e.Resource.ResourceType == "Encounter" && e.Resource.Class.Code == "EMER" {
				ts, err := time.Parse(time.RFC3339, e.Resource.Period.Start)
				if err != nil {
					t.Fatal(err)
				}
				want[ts.Hour()]++
				total++
			}
		}
	}
	if total < 3 {
		t.Fatalf("only %v emergency encounters in the samples", total)
	}
	lines := strings.Split(strings.TrimSpace(string(mustRead(t, csvPath))), "\n")
	if len(lines) != 25 || lines[0] != "hour,relative_rate" {
		t.Fatalf("%q", lines)
	}
	for h := 0; h < 24; h++ {
		var hh int
		var v float64
		fmt.Sscanf(lines[h+1], "%d,%g", &hh, &v)
		if hh != h || math.Abs(v-want[h]*24/total) > 1e-12 {
			t.Fatalf("hour %d: %q, want %g", h, lines[h+1], want[h]*24/total)
		}
	}
}

// The nonlinear (Michaelis–Menten) phenytoin trial runs on the ODE path from
// the command line, every subject's row carries its vmax and km, and the
// comparison principle for the one-state ODE holds: at the same dosing times,
// the arm that gives a subject more drug per dose (2.5 mg/kg against 150 mg,
// so weights above 60 kg) leaves a higher day-28 trough, and a lower one below.
func TestPhenytoinTrial(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "trial", "../../scenarios/phenytoin_trial.lua", "--subjects", "60", "--out", dir)
	if code != 0 || !strings.Contains(out, "5 mg/kg/day, adjusted") || !strings.Contains(out, "trough_day28 in [10, 20]") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	tb, err := results.Read(filepath.Join(dir, "subjects.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	cs, ca, cw, cv, ck, ct := tb.Column("subject"), tb.Column("arm"), tb.Column("weight_kg"), tb.Column("vmax"), tb.Column("km"), tb.Column("trough_day28")
	if cv < 0 || ck < 0 {
		t.Fatal("no vmax/km columns")
	}
	type key struct{ subject, arm string }
	trough, weight := map[key]float64{}, map[string]float64{}
	for _, row := range tb.Rows(-1) {
		if v, _ := strconv.ParseFloat(row[cv], 64); !(v > 0) {
			t.Fatalf("vmax %s", row[cv])
		}
		trough[key{row[cs], row[ca]}], _ = strconv.ParseFloat(row[ct], 64)
		weight[row[cs]], _ = strconv.ParseFloat(row[cw], 64)
	}
	if len(weight) != 60 {
		t.Fatalf("%d subjects", len(weight))
	}
	for s, w := range weight {
		fixed, perKg := trough[key{s, "300 mg/day"}], trough[key{s, "5 mg/kg/day"}]
		if (w > 60 && perKg < fixed) || (w < 60 && perKg > fixed) {
			t.Errorf("subject %s (%.1f kg): trough %v on 2.5 mg/kg q12h, %v on 150 mg q12h", s, w, perKg, fixed)
		}
	}
}
