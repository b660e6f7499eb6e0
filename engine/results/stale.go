package results

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// outputNames are the files medtwin's verbs write into an output directory
// and list in its manifest.json (run, merge, sweep, optimize, compare, fit),
// or, for a trial, write there without one.
var outputNames = []string{"events.arrow", "timeseries.arrow", "kpis.arrow", "summary.arrow", "flow.arrow", "waits.arrow",
	"subjects.arrow", "sweep.arrow", "individual.arrow", "records.arrow", "population.json", "recommendation.json",
	"manifest.json"}

// RemoveStale removes from dir each file that medtwin writes into an output
// directory (outputNames) and that keep (paths or base names) does not name:
// what an earlier command with other options left in a reused --out (the
// events.arrow of a run with --trace, a trial's subjects.arrow, a sweep's
// sweep.arrow), which the new manifest would not list and a reader would take
// for this run's. Any other file is the user's and stays. It returns the
// first error of a removal.
func RemoveStale(dir string, keep []string) error {
	kept := map[string]bool{}
	for _, k := range keep {
		kept[filepath.Base(k)] = true
	}
	var first error
	for _, name := range outputNames {
		if kept[name] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// RemoveTemps removes the temporary files (".NAME.tmp-PID-N", CreateAtomic)
// and checkpoint groups being written ("NAME.tmp-PID") that a process which is
// no longer running left in dir when it was killed. Those of a live process
// (another command writing into the same directory) stay.
func RemoveTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		i := strings.LastIndex(e.Name(), TempSuffix)
		if i < 0 {
			continue
		}
		pid, _, _ := strings.Cut(e.Name()[i+len(TempSuffix):], "-")
		if n, err := strconv.Atoi(pid); err == nil && n != os.Getpid() && alive(n) {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// alive says whether a process with this id runs (signal 0 reaches it, or it
// exists but belongs to another user).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
