package main

import (
	"bufio"
	"fmt"
	"os"
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
