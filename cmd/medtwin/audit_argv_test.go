package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The audit entry of a command is that command as it can be run again: a
// --grid is written as typed (not Go's dump of a string slice), compare's
// variant as --vs --set; running the recorded words again succeeds and writes
// the same bytes.
func TestAuditEntryCanBeRerun(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.log")
	t.Setenv("MEDTWIN_AUDIT_LOG", log)
	out := filepath.Join(dir, "sweep one")
	cmds := [][]string{
		{"sweep", "../../scenarios/mmc.lua", "--grid", "servers=2,3", "--set", "customers=200", "--warmup", "0",
			"--replications", "2", "--quiet", "--out", out},
		{"compare", "../../scenarios/mmc.lua", "--set", "customers=200", "--warmup", "0", "--replications", "2",
			"--vs", "--set", "servers=3"},
	}
	for _, args := range cmds {
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatal(errs)
		}
	}
	b, _ := os.ReadFile(log)
	var whats []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e struct{ What, Status string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Status == "ok" {
			whats = append(whats, e.What)
		}
	}
	if len(whats) != 2 {
		t.Fatalf("entries:\n%s", b)
	}
	want := []string{"--grid servers=2,3", "--vs --set servers=3"}
	for i, w := range whats {
		if !strings.Contains(w, want[i]) || strings.Contains(w, "&{") || strings.Contains(w, "[") {
			t.Errorf("entry %q: want %q, no struct dump", w, want[i])
		}
	}
	first := mustRead(t, filepath.Join(out, "sweep.arrow"))
	os.RemoveAll(out)
	words := shellWords(t, whats[0])
	if words[0] != "medtwin" {
		t.Fatalf("entry %q", whats[0])
	}
	if _, errs, code := medtwin(t, words[1:]...); code != 0 {
		t.Fatalf("re-running %q: exit %d: %s", whats[0], code, errs)
	}
	if string(mustRead(t, filepath.Join(out, "sweep.arrow"))) != string(first) {
		t.Errorf("re-running %q wrote other bytes", whats[0])
	}
	if words := shellWords(t, whats[1]); true {
		if _, errs, code := medtwin(t, words[1:]...); code != 0 {
			t.Fatalf("re-running %q: exit %d: %s", whats[1], code, errs)
		}
	}
}

// shellWords splits a command line as a POSIX shell does for plain words and
// single-quoted strings (all shellQuote writes).
func shellWords(t *testing.T, s string) []string {
	var out []string
	var cur strings.Builder
	in, quoted := false, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\'':
			in, quoted = !in, true
		case ch == ' ' && !in:
			if cur.Len() > 0 || quoted {
				out = append(out, cur.String())
			}
			cur.Reset()
			quoted = false
		default:
			cur.WriteByte(ch)
		}
	}
	if cur.Len() > 0 || quoted {
		out = append(out, cur.String())
	}
	return out
}
