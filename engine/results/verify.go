package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Need checks that t has every column of cols by name, each of its type, and
// returns an error naming the file and the first column missing or of another
// type: a valid Arrow file that is not the table a reader expects is an error,
// never a panic on a type assertion.
func (t *Table) Need(cols ...Column) error {
	for _, c := range cols {
		i := t.Column(c.Name)
		if i < 0 {
			return fmt.Errorf("%s: no column %s (is it the right file?)", t.Path, c.Name)
		}
		if got := t.Schema.Field(i).Type; !arrow.TypeEqual(got, c.Type) {
			return fmt.Errorf("%s: column %s is %s, want %s", t.Path, c.Name, got, c.Type)
		}
	}
	return nil
}

// NeedExactly checks that t's columns are cols, in order (names and types).
func (t *Table) NeedExactly(cols []Column) error {
	if n := len(t.Schema.Fields()); n != len(cols) {
		return fmt.Errorf("%s: %d columns, want %d", t.Path, n, len(cols))
	}
	for i, c := range cols {
		if f := t.Schema.Field(i); f.Name != c.Name {
			return fmt.Errorf("%s: column %d is %s, want %s", t.Path, i+1, f.Name, c.Name)
		}
	}
	return t.Need(cols...)
}

// VerifyManifest checks every file that dir/manifest.json lists against the
// size and SHA-256 recorded there, so that a part changed after it was
// written (a flipped bit, an edit) is refused by merge. A directory without a
// manifest passes: a run's own checkpoint parts have none.
func VerifyManifest(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("%s/manifest.json: %v", dir, err)
	}
	for _, f := range m.Files {
		if f.Name == "" || f.Name != filepath.Base(f.Name) || strings.HasPrefix(f.Name, ".") {
			return fmt.Errorf("%s/manifest.json: file name %q is not a file of the directory", dir, f.Name)
		}
		got, err := HashFile(filepath.Join(dir, f.Name))
		if err != nil {
			return fmt.Errorf("%s: %s is listed in manifest.json but cannot be read: %w", dir, f.Name, err)
		}
		if got.Bytes != f.Bytes || got.SHA256 != f.SHA256 {
			return fmt.Errorf("%s: %s does not match manifest.json (%d bytes, SHA-256 %.16s…; the manifest says %d bytes, %.16s…): the file changed after it was written",
				dir, f.Name, got.Bytes, got.SHA256, f.Bytes, f.SHA256)
		}
	}
	return nil
}
