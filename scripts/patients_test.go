package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// patientsSpec writes a trial spec in dir/spec that takes its population from
// file, and returns the spec's path.
func patientsSpec(t *testing.T, dir, file string) string {
	t.Helper()
	src := strings.Replace(massBalanceTrial, `population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },`,
		`population = { patients = "`+file+`", resample = true },`, 1)
	if err := os.MkdirAll(filepath.Join(dir, "spec"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "spec", "t.lua")
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec
}

// A trial spec names its patients file inside its own directory, the way
// require and ops.read_csv are confined: a path that climbs out, an absolute
// path or a symbolic link that leads out is refused, and the refusal echoes
// nothing of the file (issue 18, High 1).
func TestTrialPatientsConfined(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "shadow.csv")
	if err := os.WriteFile(secret, []byte("root:SECRETHASH:19000:0:99999\nweight_kg\n70\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "spec"), 0o755)
	os.Symlink(secret, filepath.Join(dir, "spec", "link.csv"))
	for _, file := range []string{"../shadow.csv", secret, "link.csv", "../../../../../../../../" + secret} {
		_, err := LoadTrial(patientsSpec(t, dir, file))
		if err == nil {
			t.Errorf("patients = %q was read", file)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "population.patients") {
			t.Errorf("patients = %q: %v", file, err)
		}
	}
}

// An error about a patients file names the file, the line and the column, and
// never the cell or header text it read (it may be a patient's data).
func TestTrialPatientsErrorsEchoNoContent(t *testing.T) {
	dir := t.TempDir()
	spec := patientsSpec(t, dir, "p.csv")
	for name, c := range map[string]struct{ csv, want string }{
		"text cell":  {"age_y,weight_kg\n40,SECRETCELL\n", `line 2: column 2 ("weight_kg") is not a number`},
		"odd header": {"root:SECRETHEAD:1\nx\n", "line 2: column 1 is not a number"},
		"bad sex":    {"sex,weight_kg\nSECRETSEX,70\n", `line 2: column 1 ("sex") is neither M nor F`},
		"dup header": {"SECRET:x,SECRET:x\n1,2\n", "line 1: column 2 repeats column 1"},
	} {
		os.WriteFile(filepath.Join(dir, "spec", "p.csv"), []byte(c.csv), 0o644)
		_, err := LoadTrial(spec)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: %v, want %q and no file content", name, err, c.want)
		}
	}
}

// Identifier columns never become covariates, whatever their case, and a
// UTF-8 byte-order mark does not rename the first column (issue 18, Medium 6).
func TestTrialPatientsDropIdentifiers(t *testing.T) {
	dir := t.TempDir()
	spec := patientsSpec(t, dir, "p.csv")
	csv := "\ufeffweight_kg,ID,MRN,Patient_ID,subject-id,site_id,uric_acid\n70,1,123456,77,5,3,4.5\n"
	os.WriteFile(filepath.Join(dir, "spec", "p.csv"), []byte(csv), 0o644)
	tr, err := LoadTrial(spec)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tr.CovariateNames(), ","); got != "weight_kg,uric_acid,crcl_ml_min" {
		t.Fatalf("covariates %s, want weight_kg,uric_acid,crcl_ml_min", got)
	}
}

// A FIFO in the spec's directory is refused rather than read: opening it would
// block for ever (issue 18, Low 9).
func TestTrialPatientsFIFO(t *testing.T) {
	dir := t.TempDir()
	spec := patientsSpec(t, dir, "p.csv")
	if err := syscall.Mkfifo(filepath.Join(dir, "spec", "p.csv"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadTrial(spec); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO as the patients file blocked")
	}
}

// A scenario or trial spec that is a FIFO or a device is refused, not read
// for ever (issue 18, Low 9).
func TestSourceMustBeRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "s.lua")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		done := make(chan error, 2)
		go func() { _, err := Load(path, time.Minute); done <- err }()
		go func() { _, err := LoadTrial(path); done <- err }()
		for k := 0; k < 2; k++ {
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "not a regular file") {
					t.Errorf("%s: %v", path, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: still reading after 5 s", path)
			}
		}
	}
}
