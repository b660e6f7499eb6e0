package audit

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testKey = []byte("an-audit-key-for-tests-0123456789")

// A keyed log whose edited entry has its chain recomputed without the key
// (plain SHA-256, or an HMAC under another key) does not verify: "chain intact"
// must not be reachable by whoever can write the file (issue 18, Medium 5).
func TestKeyedChainResistsRecomputation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	for _, what := range []string{"run a.lua", "run b.lua", "run c.lua"} {
		if _, err := Append(path, Entry{Who: "u@h", What: what}, testKey); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, err := Verify(path, testKey); err != nil || n != 3 {
		t.Fatalf("intact keyed log: %d %v", n, err)
	}
	if _, _, err := Verify(path, nil); err == nil || !strings.Contains(err.Error(), "give the audit key") {
		t.Fatalf("keyed log without the key: %v", err)
	}
	// the forger rewrites entry 2 and recomputes every hash after it, keyed
	// (with a guessed key) or not
	for name, forgeKey := range map[string][]byte{"unkeyed": nil, "other key": []byte("not-the-key-0123456789")} {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		prev := Genesis
		for i, l := range lines {
			var e Entry
			json.Unmarshal([]byte(l), &e)
			if i == 1 {
				e.What = "run evil.lua"
			}
			e.Prev, e.Keyed = prev, forgeKey != nil
			e.Hash = e.digest(forgeKey)
			prev = e.Hash
			out, _ := json.Marshal(e)
			lines[i] = string(out)
		}
		forged := filepath.Join(t.TempDir(), "forged.log")
		os.WriteFile(forged, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		var p *Problem
		if _, _, err := Verify(forged, testKey); !errors.As(err, &p) || p.Line != 1 {
			t.Errorf("%s: a recomputed chain verified or was not located at line 1: %v", name, err)
		}
	}
}

// A case-variant or duplicate key, which encoding/json resolves silently (the
// last wins, case is ignored), makes the entry fail to verify: a reader must
// not see another value than the one that was hashed.
func TestVerifyIsStrict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if _, err := Append(path, Entry{Who: "mallory@evil", What: "run a.lua"}, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	line := strings.TrimSpace(string(b))
	for name, forged := range map[string]string{
		"case variant": strings.Replace(line, `"who":"mallory@evil"`, `"who":"mallory@evil","Who":"root@vm"`, 1),
		"duplicate":    strings.Replace(line, `"who":"mallory@evil"`, `"who":"root@vm","who":"mallory@evil"`, 1),
	} {
		os.WriteFile(path, []byte(forged+"\n"), 0o644)
		var p *Problem
		if _, _, err := Verify(path, nil); !errors.As(err, &p) || p.Line != 1 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A torn last line (an append cut short by a crash or a full disk) does not
// wedge the log: the next append cuts it off and the chain verifies.
func TestTornAppendDoesNotWedge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if _, err := Append(path, Entry{What: "one"}, nil); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	f.WriteString(`{"seq":2,"when":"2026-11-29T`)
	f.Close()
	e, err := Append(path, Entry{What: "two"}, nil)
	if err != nil || e.Seq != 2 {
		t.Fatalf("append after a torn line: %+v %v", e, err)
	}
	if n, _, err := Verify(path, nil); err != nil || n != 2 {
		t.Fatalf("%d entries, %v", n, err)
	}
}
