package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/results"
)

func runArgs(out string, checkpoint ...string) []string {
	if len(checkpoint) == 0 {
		checkpoint = []string{"1"}
	}
	return []string{"run", "../../scenarios/mmc.lua", "--replications", "12", "--set", "customers=150000", "--workers", "2",
		"--trace", "--quiet", "--out", out, "--checkpoint", checkpoint[0]}
}

// startMedtwin runs this test binary as the medtwin command.
func startMedtwin(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Args[0] = "medtwin"
	cmd.Env = append(os.Environ(), "MEDTWIN_AS_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// partsDone counts the replications in the finished checkpoint groups
// (.parts/rep-FROM-TO).
func partsDone(dir string) int {
	entries, _ := os.ReadDir(filepath.Join(dir, ".parts"))
	n := 0
	for _, e := range entries {
		var from, to int
		if _, err := fmt.Sscanf(e.Name(), "rep-%d-%d", &from, &to); err == nil && !strings.Contains(e.Name(), results.TempSuffix) {
			n += to - from
		}
	}
	return n
}

func waitParts(t *testing.T, dir string, n int, cmd *exec.Cmd) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for partsDone(dir) < n {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no %d finished replications after 60 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Acceptance (issue 12): a run killed with SIGKILL at 5 points leaves only
// complete files under final names, and --resume ends with the same bytes as an
// uninterrupted run; SIGINT stops cleanly and says how to resume.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	ref := filepath.Join(t.TempDir(), "ref")
	if _, errs, code := medtwin(t, runArgs(ref)...); code != 0 {
		t.Fatal(errs)
	}
	want := map[string][]byte{}
	for _, f := range []string{"kpis.arrow", "events.arrow", "summary.arrow"} {
		want[f], _ = os.ReadFile(filepath.Join(ref, f))
	}
	for _, point := range []int{1, 3, 5, 7, 9} {
		out := filepath.Join(t.TempDir(), "run")
		cmd, _ := startMedtwin(t, runArgs(out)...)
		waitParts(t, out, point, cmd)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		// nothing under a final name but complete files
		for f := range want {
			if _, err := os.Stat(filepath.Join(out, f)); err == nil {
				if _, err := results.Read(filepath.Join(out, f)); err != nil {
					t.Fatalf("kill at %d: a truncated %s under its final name", point, f)
				}
			}
		}
		if _, errs, code := medtwin(t, append(runArgs(out), "--resume")...); code != 0 {
			t.Fatalf("resume after kill at %d: %s", point, errs)
		}
		for f, w := range want {
			got, _ := os.ReadFile(filepath.Join(out, f))
			if !bytes.Equal(got, w) {
				t.Fatalf("kill at %d replications: %s after --resume differs from the uninterrupted run", point, f)
			}
		}
		if _, err := os.Stat(filepath.Join(out, ".parts")); err == nil {
			t.Errorf("kill at %d: the checkpoint parts were not removed after completion", point)
		}
	}
	// SIGINT: a clean stop that says how to resume
	out := filepath.Join(t.TempDir(), "run")
	cmd, msg := startMedtwin(t, runArgs(out)...)
	waitParts(t, out, 2, cmd)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil || !strings.Contains(msg.String(), "--resume") || !strings.Contains(msg.String(), "interrupted after") {
		t.Fatalf("SIGINT: %v\n%s", err, msg)
	}
	if _, errs, code := medtwin(t, append(runArgs(out), "--resume")...); code != 0 {
		t.Fatal(errs)
	}
	got, _ := os.ReadFile(filepath.Join(out, "kpis.arrow"))
	if !bytes.Equal(got, want["kpis.arrow"]) {
		t.Fatal("resume after SIGINT differs")
	}
}

// Issue 25: with --checkpoint 4 a run killed with SIGKILL keeps whole groups of
// 4 replications, and --resume redoes only the replications after the last
// group, ending with the bytes of an uninterrupted run with --checkpoint off
// (which writes no .parts at all).
func TestKillAndResumeGrouped(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	// without --trace (a group also ends at 2^19 event rows, which two traced
	// replications of 150,000 customers pass), and shorter replications
	args := func(out, checkpoint string) []string {
		var a []string
		for _, x := range runArgs(out, checkpoint) {
			switch x {
			case "--trace":
			case "customers=150000":
				a = append(a, "customers=40000")
			default:
				a = append(a, x)
			}
		}
		return a
	}
	ref := filepath.Join(t.TempDir(), "ref")
	cmd, msg := startMedtwin(t, args(ref, "off")...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err, msg)
			}
			running = false
		case <-time.After(20 * time.Millisecond):
			if _, err := os.Stat(filepath.Join(ref, ".parts")); err == nil {
				t.Error("--checkpoint off wrote a checkpoint")
			}
		}
	}
	out := filepath.Join(t.TempDir(), "run")
	cmd, _ = startMedtwin(t, args(out, "4")...)
	waitParts(t, out, 4, cmd)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	kept := partsDone(out)
	if kept%4 != 0 {
		t.Fatalf("%d replications kept, not whole groups of 4", kept)
	}
	cmd, msg = startMedtwin(t, append(args(out, "4"), "--resume")...)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err, msg)
	}
	if want := fmt.Sprintf("replications 0-%d were done before", kept-1); !strings.Contains(msg.String(), want) {
		t.Fatalf("resume after %d kept: %q, want %q", kept, msg, want)
	}
	for _, f := range []string{"kpis.arrow", "summary.arrow"} {
		x, _ := os.ReadFile(filepath.Join(ref, f))
		y, _ := os.ReadFile(filepath.Join(out, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s after a grouped kill and --resume differs from a run with --checkpoint off", f)
		}
	}
}
