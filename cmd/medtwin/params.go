package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
)

// A parameter file (--params FILE, written by calibrate) holds one assignment
// per line in the syntax of --set (name=value); blank lines and lines starting
// with # are ignored. --set given on the same command line wins over the file.

// applyParamsFile sets the parameters of path on sc; errors name file and line.
func applyParamsFile(sc *scripts.Scenario, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return usagef("--params: %v", err)
	}
	defer f.Close()
	sn := bufio.NewScanner(f)
	for line := 1; sn.Scan(); line++ {
		s := strings.TrimSpace(sn.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if err := sc.Set(s); err != nil {
			return usagef("%s line %d: %v", path, line, err)
		}
	}
	if err := sn.Err(); err != nil {
		return usagef("--params %s: %v", path, err)
	}
	return nil
}

// writeParamsFile writes a parameter file: comment lines, then name=value per
// parameter in the order given.
func writeParamsFile(path string, comments []string, names []string, values []string) error {
	var b strings.Builder
	for _, c := range comments {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	for i, n := range names {
		fmt.Fprintf(&b, "%s=%s\n", n, values[i])
	}
	return results.WriteFileAtomic(path, []byte(b.String()))
}

// parseRange reads name=lo..hi for flag (--range, --fit): name must be a
// parameter of sc and both ends values it accepts.
func parseRange(sc *scripts.Scenario, flag, r string) (string, float64, float64, error) {
	name, span, ok := strings.Cut(r, "=")
	lo, hi, ok2 := strings.Cut(span, "..")
	a, err1 := strconv.ParseFloat(lo, 64)
	b, err2 := strconv.ParseFloat(hi, 64)
	if !ok || !ok2 || err1 != nil || err2 != nil || sc.Param(name) == nil {
		if sc.Param(name) == nil && ok {
			return "", 0, 0, usageError{flag + " " + strings.TrimPrefix(sc.Clone().Set(name+"=0").Error(), "--set ")}
		}
		return "", 0, 0, usagef("%s %q: want name=lo..hi", flag, r)
	}
	for _, v := range []float64{a, b} {
		if err := sc.Clone().Set(fmt.Sprintf("%s=%g", name, v)); err != nil {
			return "", 0, 0, usageError{flag + " " + err.Error()}
		}
	}
	return name, a, b, nil
}
