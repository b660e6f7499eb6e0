// Package benchref runs the reference workloads in ../shared/bench (the "floors"
// that medtwin's speed is reported against) so that a benchmark can measure the
// floor and medtwin side by side, in the same run, and report the ratio.
package benchref

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Dir finds the shared/bench directory: $MEDTWIN_BENCH_DIR, or shared/bench in
// the working directory or any parent, or beside any parent (../shared/bench
// from the repository root). It returns "" when there is none.
func Dir() string {
	if d := os.Getenv("MEDTWIN_BENCH_DIR"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{filepath.Join(d, "shared", "bench"), filepath.Join(d, "..", "shared", "bench")} {
			if st, err := os.Stat(filepath.Join(c, "mmc_floor", "main.go")); err == nil && !st.IsDir() {
				return filepath.Clean(c)
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Result is one line a floor printed, as key=value pairs.
type Result map[string]float64

// Build compiles the Go floor in dir/name (mmc_floor, lua_floor) into tmpDir and
// returns the binary's path.
func Build(dir, name, tmpDir string) (string, error) {
	bin := filepath.Join(tmpDir, name)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(dir, name)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("benchref: build %s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// BuildC compiles cohort/cohort_floor.c with gcc -O2, as shared/bench/run-all does.
func BuildC(dir, tmpDir string) (string, error) {
	bin := filepath.Join(tmpDir, "cohort_floor")
	cmd := exec.Command("gcc", "-O2", "-o", bin, filepath.Join(dir, "cohort", "cohort_floor.c"), "-lm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("benchref: build cohort_floor: %v\n%s", err, out)
	}
	return bin, nil
}

// Run runs a floor binary and parses the lines it prints; lines are keyed by
// their first word (floor, lua-callback, iter.Pull, ...).
func Run(bin string, args ...string) (map[string]Result, error) {
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("benchref: %s: %v", filepath.Base(bin), err)
	}
	return Parse(out), nil
}

// Parse reads "name k=v k=v" lines.
func Parse(out []byte) map[string]Result {
	res := map[string]Result{}
	for _, line := range bytes.Split(out, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		r := Result{}
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				r[k] = x
			}
		}
		res[f[0]] = r
	}
	return res
}
