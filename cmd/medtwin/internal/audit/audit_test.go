package audit

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func build(t *testing.T) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	for i, what := range []string{"fhir import a", "trial t.lua", "run x.lua", "compare x.lua", "run y.lua"} {
		e, err := Append(path, Entry{When: "2026-11-25T00:00:00Z", Who: "u@h", What: what, Inputs: map[string]string{"x.lua": "ab"}}, nil)
		if err != nil || e.Seq != i+1 {
			t.Fatalf("append %d: %+v %v", i, e, err)
		}
	}
	b, _ := os.ReadFile(path)
	return path, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func save(t *testing.T, path string, lines []string) {
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An intact log verifies; each kind of tampering is detected at the entry
// where it happened.
func TestVerifyDetectsTampering(t *testing.T) {
	path, lines := build(t)
	if n, _, err := Verify(path, nil); err != nil || n != 5 {
		t.Fatalf("intact log: %d entries, %v", n, err)
	}
	cases := map[string]struct {
		change func([]string) []string
		line   int
		why    string
	}{
		"edited":  {func(l []string) []string { l[2] = strings.Replace(l[2], "run x.lua", "run z.lua", 1); return l }, 3, "edited"},
		"deleted": {func(l []string) []string { return append(l[:1:1], l[2:]...) }, 2, "removed"},
		"swapped": {func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, 2, "removed, inserted or moved"},
		"garbage": {func(l []string) []string { l[3] = "{not json"; return l }, 4, "not an audit entry"},
		"injected": {func(l []string) []string {
			return append(l[:2:2], append([]string{`{"seq":3,"when":"","who":"","what":"x","prev":"` + Genesis + `","hash":""}`}, l[2:]...)...)
		}, 3, "removed, inserted or moved"},
	}
	for name, c := range cases {
		mod := c.change(append([]string(nil), lines...))
		save(t, path, mod)
		_, _, err := Verify(path, nil)
		var p *Problem
		if !errors.As(err, &p) || p.Line != c.line || !strings.Contains(p.Why, c.why) {
			t.Errorf("%s: %v, want line %d (%s)", name, err, c.line, c.why)
		}
	}
	// an edit whose own hash is recomputed breaks the link to the next entry
	var e Entry
	if err := json.Unmarshal([]byte(lines[2]), &e); err != nil {
		t.Fatal(err)
	}
	e.What = "run z.lua"
	e.Hash = e.digest(nil)
	b, _ := json.Marshal(e)
	mod := append([]string(nil), lines...)
	mod[2] = string(b)
	save(t, path, mod)
	var p *Problem
	if _, _, err := Verify(path, nil); !errors.As(err, &p) || p.Line != 4 {
		t.Fatalf("re-hashed edit: %v, want line 4", err)
	}
}

// Appending after a verified log continues the chain.
func TestAppendContinues(t *testing.T) {
	path, _ := build(t)
	_, last, _ := Verify(path, nil)
	e, err := Append(path, Entry{What: "sixth"}, nil)
	if err != nil || e.Seq != 6 || e.Prev != last {
		t.Fatalf("%+v %v", e, err)
	}
	if n, _, err := Verify(path, nil); n != 6 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
}

func TestHashFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("abc"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".parts"), 0o755)
	os.WriteFile(filepath.Join(dir, ".parts", "x"), []byte("x"), 0o644)
	h, err := HashFiles(dir, filepath.Join(dir, "missing"))
	if err != nil || len(h) != 1 {
		t.Fatalf("%v %v", h, err)
	}
	// SHA-256("abc"), FIPS 180-2 appendix B.1
	if h[filepath.Join(dir, "a.txt")] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("%v", h)
	}
}
