package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

var tmpCounter atomic.Uint64

// AtomicFile is a file written under a temporary name and renamed into place by
// Commit. Abort (or a crash) leaves the final name untouched.
type AtomicFile struct {
	*os.File
	final string
	done  bool
	// noSync commits without fsync: for files inside a directory that is
	// synced and renamed into place as a whole (a checkpoint group).
	noSync bool
}

// TempSuffix marks the temporary files of an AtomicFile (".tmp-").
const TempSuffix = ".tmp-"

// CreateAtomic opens a temporary file beside path.
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp := filepath.Join(dir, "."+base+TempSuffix+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(tmpCounter.Add(1), 10))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: create %s: %w", path, err)
	}
	return &AtomicFile{File: f, final: path}, nil
}

// Commit syncs and closes the file, then renames it to its final name and syncs
// the directory. An error (disk full) removes the temporary file.
func (a *AtomicFile) Commit() error {
	if a.done {
		return fmt.Errorf("results: %s committed twice", a.final)
	}
	a.done = true
	tmp := a.Name()
	if !a.noSync {
		if err := a.Sync(); err != nil {
			a.Close()
			os.Remove(tmp)
			return fmt.Errorf("results: write %s: %w", a.final, err)
		}
	}
	if err := a.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results: write %s: %w", a.final, err)
	}
	if err := os.Rename(tmp, a.final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results: rename to %s: %w", a.final, err)
	}
	if a.noSync {
		return nil
	}
	if d, err := os.Open(filepath.Dir(a.final)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort closes and removes the temporary file.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.Close()
	os.Remove(a.Name())
}

// WriteFileAtomic writes data to path through a temporary file.
func WriteFileAtomic(path string, data []byte) error {
	f, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	return f.Commit()
}
