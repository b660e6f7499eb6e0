package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/urfave/cli/v2"
)

// An output past --max-output stops the run with a clear error and no file
// under a final name.
func TestOutputCap(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	_, errs, code := medtwin(t, "run", "../../scenarios/clinic_ed.lua", "--replications", "4", "--trace", "--max-output", "20000", "--out", out, "--quiet")
	if code == 0 || !strings.Contains(errs, "exceeds the limit of 20000 bytes") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"kpis.arrow", "events.arrow", "summary.arrow", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s exists after the cap stopped the run", f)
		}
	}
}

// A full disk gives an error, not a half file: the run writes into a 512 KiB
// tmpfs (mounted by the test; needs root, which CI has).
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	out := filepath.Join(dir, "run")
	_, errs, code := medtwin(t, "run", "../../scenarios/clinic_ed.lua", "--replications", "6", "--trace", "--out", out, "--quiet")
	if code == 0 {
		t.Fatal("the run succeeded on a full disk")
	}
	if !strings.Contains(errs, "no space left on device") {
		t.Errorf("the error does not say the disk is full: %s", errs)
	}
	for _, f := range []string{"kpis.arrow", "events.arrow", "summary.arrow"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			if _, err := results.Read(filepath.Join(out, f)); err != nil {
				t.Errorf("a half %s under its final name", f)
			}
		}
	}
}

// A model whose events are all Go code (the ED library behind
// ed_staffing.lua, scaled to 100,000 visits a day) honours --timeout: it stops
// within seconds of the limit with a message that names it (issue 18, High 2).
func TestTimeoutInsideGoModel(t *testing.T) {
	type result struct {
		errs string
		code int
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		_, errs, code := medtwin(t, "run", "../../scenarios/ed_staffing.lua", "--set", "visits_per_day=1e5",
			"--replications", "1", "--timeout", "2s", "--max-memory", "2000000000", "--out", filepath.Join(t.TempDir(), "run"), "--quiet")
		done <- result{errs, code}
	}()
	select {
	case r := <-done:
		if r.code == 0 || !strings.Contains(r.errs, "time limit of 2s (--timeout)") {
			t.Fatalf("exit %d: %s", r.code, r.errs)
		}
		if el := time.Since(start); el > 12*time.Second {
			t.Errorf("stopped %v after a 2 s limit", el)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("a 2 s --timeout did not stop the run within 60 s")
	}
}

// Negative limits are usage errors (exit 2) naming the flag, on every verb
// that takes one, at any depth (issue 18, Low 11): the verbs are found by
// walking the app, so a verb added later is covered. Before, only the verbs
// that load a scenario checked them (bench reps --workers -2 ran and printed a
// negative rate), and a verb given no arguments answered something else.
func TestNegativeLimitFlags(t *testing.T) {
	bad := map[string]string{"timeout": "-1s", "workers": "-2", "max-queue": "-5", "max-output": "-1"}
	var walk func(cmds []*cli.Command, path []string)
	seen := 0
	walk = func(cmds []*cli.Command, path []string) {
		for _, c := range cmds {
			if isHelpCommand(c) {
				continue
			}
			p := append(append([]string(nil), path...), c.Name)
			walk(c.Subcommands, p)
			var required []string // given a value, so that the limit is what is wrong
			for _, f := range c.Flags {
				if r, ok := f.(cli.RequiredFlag); ok && r.IsRequired() {
					required = append(required, "--"+f.Names()[0], "x")
				}
			}
			for _, f := range c.Flags {
				v, ok := bad[f.Names()[0]]
				if !ok {
					continue
				}
				seen++
				flag := "--" + f.Names()[0]
				_, errs, code := medtwin(t, append(append(p, required...), flag, v)...)
				if code != 2 || !strings.Contains(errs, flag+" must not be negative") {
					t.Errorf("%s %s %s: exit %d: %s", strings.Join(p, " "), flag, v, code, errs)
				}
			}
		}
	}
	walk(newApp(io.Discard, io.Discard).Commands, nil)
	if seen < 18 { // 6 scenario verbs × 2, run's 4, bench reps and bench peers
		t.Errorf("found only %d limit flags: the walk misses verbs", seen)
	}
}

// A key file that is a device or a FIFO is refused at once, not read for ever
// (issue 18, Low 9).
func TestKeyFileMustBeRegular(t *testing.T) {
	done := make(chan string, 1)
	go func() {
		_, errs, _ := medtwin(t, "fhir", "import", "../../plugins/fhir/testdata", "--key-file", "/dev/zero", "--out", filepath.Join(t.TempDir(), "p.arrow"))
		done <- errs
	}()
	select {
	case errs := <-done:
		if !strings.Contains(errs, "not a regular file") {
			t.Fatalf("--key-file /dev/zero: %s", errs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("--key-file /dev/zero: still reading after 10 s")
	}
}
