package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tail, which reads the log backwards from its end, finds what a forward
// scan of every line finds (the reference, written here): the last complete
// non-blank line's hash and Seq, and the end of the last complete line; for
// logs with blank lines, a torn last line, and entries longer than tail's
// 64 KiB block.
func TestTailMatchesForwardScan(t *testing.T) {
	dir := t.TempDir()
	entry := func(seq int, pad int) string {
		in := map[string]string{}
		if pad > 0 {
			in["big"] = strings.Repeat("x", pad)
		}
		return fmt.Sprintf(`{"seq":%d,"when":"","who":"","what":"w%d","inputs":{"big":%q},"prev":"p","hash":"h%d"}`, seq, seq, in["big"], seq)
	}
	forward := func(content string) (string, int, int64) {
		last, n, size := Genesis, 0, int64(0)
		for off := 0; ; {
			i := strings.IndexByte(content[off:], '\n')
			if i < 0 {
				return last, n, size
			}
			line := content[off : off+i]
			off += i + 1
			size = int64(off)
			if strings.TrimSpace(line) == "" {
				continue
			}
			var seq int
			fmt.Sscanf(line, `{"seq":%d`, &seq)
			last, n = fmt.Sprintf("h%d", seq), seq
		}
	}
	cases := map[string]string{
		"empty":             "",
		"torn only":         `{"seq":1,"wh`,
		"blank only":        "\n\n  \n",
		"one":               entry(1, 0) + "\n",
		"three":             entry(1, 0) + "\n" + entry(2, 0) + "\n" + entry(3, 0) + "\n",
		"blank lines after": entry(1, 0) + "\n" + entry(2, 0) + "\n\n \n",
		"blank between":     entry(1, 0) + "\n\n" + entry(2, 0) + "\n",
		"torn last":         entry(1, 0) + "\n" + entry(2, 0) + "\n" + `{"seq":3,"wh`,
		"long last":         entry(1, 0) + "\n" + entry(2, 200_000) + "\n",
		"long torn":         entry(1, 0) + "\n" + entry(2, 10) + "\n" + strings.Repeat("y", 150_000),
		"long before blank": entry(1, 100_000) + "\n" + strings.Repeat("\n", 70_000),
		"long first only":   entry(1, 140_000) + "\n",
	}
	for name, content := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		last, n, size, err := tail(f)
		f.Close()
		wl, wn, ws := forward(content)
		if err != nil || last != wl || n != wn || size != ws {
			t.Errorf("%s: tail = %q, %d, %d, %v; a forward scan finds %q, %d, %d", name, last, n, size, err, wl, wn, ws)
		}
	}
}

// Append reads only the log's end: a damaged line far before it (which Verify
// reports) does not stop runs from being logged, and the new entry follows
// the last one. Before, Append parsed every line of the log on every run
// (two appends per run: each run got slower as the log grew) and refused to
// append past a damaged line.
func TestAppendReadsOnlyTheEnd(t *testing.T) {
	path, lines := build(t)
	lines[1] = "not json"
	save(t, path, lines)
	e, err := Append(path, Entry{What: "sixth"}, nil)
	if err != nil || e.Seq != 6 {
		t.Fatalf("Append after a damaged second line: %+v %v", e, err)
	}
	if _, _, err := Verify(path, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Verify: %v, want the damage at line 2 reported", err)
	}
}
