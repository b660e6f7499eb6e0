// Package audit keeps an append-only, hash-chained log of what was run on
// which inputs and what it wrote: one JSON object per line, each carrying the
// SHA-256 of the previous line's hash and of its own content, so that editing,
// deleting or reordering any entry breaks the chain at that entry (Verify).
// Truncating the tail is detected only against a copy of the last hash (Head),
// which a site keeps elsewhere if it needs that guarantee.
package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/medtwin/medtwin/engine/results"
)

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one audited action.
type Entry struct {
	Seq     int               `json:"seq"`
	When    string            `json:"when"` // UTC, RFC 3339
	Who     string            `json:"who"`  // user@host
	What    string            `json:"what"` // the command line
	Inputs  map[string]string `json:"inputs,omitempty"`
	Outputs map[string]string `json:"outputs,omitempty"`
	Prev    string            `json:"prev"`
	Hash    string            `json:"hash"`
}

// digest is the hash of the entry's content (everything but Hash) and Prev.
func (e Entry) digest() string {
	e.Hash = ""
	b, _ := json.Marshal(e) // map keys are sorted by encoding/json: canonical
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Append adds e to the log at path (created if absent) under an exclusive
// lock, filling Seq, Prev and Hash, and syncs it to disk.
func Append(path string, e Entry) (Entry, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return e, err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return e, err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return e, err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	last, n, err := tail(f)
	if err != nil {
		return e, fmt.Errorf("audit: %s: %w", path, err)
	}
	e.Seq, e.Prev = n+1, last
	e.Hash = e.digest()
	b, _ := json.Marshal(e)
	if _, err := f.Write(append(b, '\n')); err != nil {
		return e, err
	}
	return e, f.Sync()
}

// tail returns the hash and number of the last entry (Genesis, 0 when empty).
func tail(f *os.File) (string, int, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	last, n := Genesis, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return "", 0, fmt.Errorf("line %d is not an audit entry", n+1)
		}
		last, n = e.Hash, n+1
	}
	return last, n, sc.Err()
}

// Problem locates a break in the chain.
type Problem struct {
	Line int
	Why  string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit: line %d: %s", p.Line, p.Why) }

// Verify reads the whole log and returns the number of entries and the hash of
// the last, or a *Problem naming the first entry that was edited, removed,
// inserted or reordered.
func Verify(path string) (int, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 16<<20)
	prev, line, n := Genesis, 0, 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return n, "", &Problem{line, "not an audit entry (" + err.Error() + ")"}
		}
		n++
		switch {
		case e.Prev != prev:
			return n, "", &Problem{line, "does not follow the entry before it (an entry was removed, inserted or moved)"}
		case e.Seq != n:
			return n, "", &Problem{line, fmt.Sprintf("is entry %d, expected %d (an entry was removed or inserted)", e.Seq, n)}
		case e.digest() != e.Hash:
			return n, "", &Problem{line, "its content does not match its hash (the entry was edited)"}
		}
		prev = e.Hash
	}
	if err := sc.Err(); err != nil {
		return n, "", err
	}
	return n, prev, nil
}

// HashFiles returns the SHA-256 of each existing file, by path; a directory
// contributes its regular files (sorted), skipping names that start with ".".
func HashFiles(paths ...string) (map[string]string, error) {
	out := map[string]string{}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		filepath.WalkDir(p, func(q string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && q != p && d.Name()[0] == '.' {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && d.Name()[0] != '.' {
				files = append(files, q)
			}
			return nil
		})
	}
	sort.Strings(files)
	for _, p := range files {
		fi, err := results.HashFile(p)
		if err != nil {
			return nil, err
		}
		out[p] = fi.SHA256
	}
	return out, nil
}
