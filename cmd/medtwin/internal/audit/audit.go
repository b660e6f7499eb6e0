// Package audit keeps an append-only, hash-chained log of what was run on
// which inputs and what it wrote: one JSON object per line, each carrying the
// previous line's hash and a hash of its own content and that link, so that
// editing, deleting or reordering any entry breaks the chain at that entry
// (Verify). With a key the hash is an HMAC-SHA256: whoever can write the log
// but lacks the key cannot recompute the chain after an edit. Without one it
// is a plain SHA-256, which detects accidents, not someone who recomputes it.
// Truncating the tail is detected only against a copy of the last hash (the
// anchor that Verify returns), which a site keeps elsewhere if it needs that
// guarantee. Entries are decoded strictly: a line must be exactly the
// canonical encoding of its entry (no duplicate, case-variant or unknown keys).
package audit

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	// Status is "started" (written before a command does any work), "ok" or
	// "failed" (written when it ends); empty in logs from before it existed.
	Status string `json:"status,omitempty"`
	// Keyed says Hash is an HMAC-SHA256 under the site's audit key.
	Keyed bool   `json:"keyed,omitempty"`
	Prev  string `json:"prev"`
	Hash  string `json:"hash"`
}

// digest is the hash of the entry's content (everything but Hash) and Prev:
// HMAC-SHA256 under key for a keyed entry, SHA-256 otherwise.
func (e Entry) digest(key []byte) string {
	e.Hash = ""
	b, _ := json.Marshal(e) // map keys are sorted by encoding/json: canonical
	if e.Keyed {
		m := hmac.New(sha256.New, key)
		m.Write(b)
		return hex.EncodeToString(m.Sum(nil))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Append adds e to the log at path (created if absent) under an exclusive
// lock, filling Seq, Prev, Keyed and Hash (an HMAC under key when key is not
// nil), and syncs it to disk. The entry is one write; if that write fails
// (a full disk) the file is cut back to its length before, and a torn last
// line left by a crash in an earlier append (one without its newline) is cut
// off before appending, so that neither can wedge the log.
func Append(path string, e Entry, key []byte) (Entry, error) {
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
	last, n, size, err := tail(f)
	if err != nil {
		return e, fmt.Errorf("audit: %s: %w", path, err)
	}
	if err := f.Truncate(size); err != nil { // a torn last line, if any
		return e, err
	}
	e.Seq, e.Prev, e.Keyed = n+1, last, key != nil
	e.Hash = e.digest(key)
	b, _ := json.Marshal(e)
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Truncate(size)
		return e, err
	}
	if err := f.Sync(); err != nil {
		f.Truncate(size)
		return e, err
	}
	return e, nil
}

// tail returns the hash and number (its Seq) of the last entry (Genesis, 0
// when empty) and the length of the file up to the end of its last complete
// line. It reads the file backwards from its end, a block at a time, to the
// last complete line that is not blank: an append costs the same on a log of
// ten entries as on one of a million (reading every line made each run slower
// as the log grew). Verify checks the whole chain, the Seq of each entry
// included.
func tail(f *os.File) (string, int, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return "", 0, 0, err
	}
	const block = 1 << 16
	var (
		buf  []byte // the file's bytes from pos to its end
		pos  = st.Size()
		size = int64(-1) // the end of the last complete line, once found
	)
	for {
		if size < 0 {
			if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
				size = pos + int64(i) + 1 // what follows is a torn line
				buf = buf[:i+1]
			}
		}
		if size >= 0 {
			// the last complete, non-blank line: between the newline before
			// it (or the file's start) and its own newline
			body := bytes.TrimRight(buf, " \t\r\n")
			if len(body) > 0 {
				if i := bytes.LastIndexByte(body, '\n'); i >= 0 || pos == 0 {
					var e Entry
					if err := json.Unmarshal(body[i+1:], &e); err != nil {
						return "", 0, 0, fmt.Errorf("its last line is not an audit entry")
					}
					return e.Hash, e.Seq, size, nil
				}
			} else if pos == 0 {
				return Genesis, 0, size, nil // blank lines only
			}
		}
		if pos == 0 {
			return Genesis, 0, 0, nil // no complete line: empty, or torn only
		}
		n := min(int64(block), pos)
		pos -= n
		chunk := make([]byte, n, n+int64(len(buf)))
		if _, err := f.ReadAt(chunk, pos); err != nil {
			return "", 0, 0, err
		}
		buf = append(chunk, buf...)
	}
}

// Problem locates a break in the chain.
type Problem struct {
	Line int
	Why  string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit: line %d: %s", p.Line, p.Why) }

// Verify reads the whole log and returns the number of entries and the hash of
// the last (the anchor to keep elsewhere), or a *Problem naming the first entry
// that was edited, removed, inserted or reordered, or that is not in canonical
// form. With key nil it checks unkeyed entries and refuses keyed ones (they
// need the key); with a key every entry must be keyed under it, so that an
// entry rewritten without the key (unkeyed) does not pass.
func Verify(path string, key []byte) (int, string, error) {
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
		// encoding/json takes the last of duplicate keys and matches keys
		// without case: only the exact encoding Append writes is accepted,
		// so that no reader can see another value than the one hashed
		if canon, _ := json.Marshal(e); !bytes.Equal(canon, bytes.TrimRight(sc.Bytes(), " \r\t")) {
			return n, "", &Problem{line, "is not in the form Append writes (duplicate, case-variant or reordered keys, or other spacing): it was edited"}
		}
		n++
		switch {
		case e.Keyed && key == nil:
			return n, "", &Problem{line, "is keyed: give the audit key (MEDTWIN_AUDIT_KEY or MEDTWIN_AUDIT_KEY_FILE) to verify it"}
		case !e.Keyed && key != nil:
			return n, "", &Problem{line, "is not keyed: it was written without the audit key, or rewritten by someone without it"}
		case e.Prev != prev:
			return n, "", &Problem{line, "does not follow the entry before it (an entry was removed, inserted or moved)"}
		case e.Seq != n:
			return n, "", &Problem{line, fmt.Sprintf("is entry %d, expected %d (an entry was removed or inserted)", e.Seq, n)}
		case e.digest(key) != e.Hash:
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
