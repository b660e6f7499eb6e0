package results

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

func writeRun(t *testing.T, dir string, from, to int) {
	t.Helper()
	e := engine.Experiment{Seed: 3, From: from, To: to, Horizon: 500, Trace: true, SampleEvery: 25,
		Build: mmcWithFlow}
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: from, To: to, Total: to,
		Params: map[string]string{"c": "2", "lambda": "1.5"}}
	rw, err := NewRunWriter(dir, prov, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), rw.Add); err != nil {
		rw.Abort()
		t.Fatal(err)
	}
	if _, err := rw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRunFilesAreIdenticalAndReadable(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeRun(t, a, 0, 4)
	writeRun(t, b, 0, 4)
	for name := range Tables {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		tab, err := Read(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range Tables[name] {
			if f := tab.Schema.Field(i); f.Name != c.Name || f.Type.String() != c.Type.String() {
				t.Errorf("%s column %d is %s %s, want %s %s", name, i, f.Name, f.Type, c.Name, c.Type)
			}
		}
		if md := tab.Meta(); md["medtwin.seed"] != "3" || md["medtwin.scenario"] != "mmc" || md["medtwin.params"] != `[["c","2"],["lambda","1.5"]]` {
			t.Errorf("%s metadata %v", name, md)
		}
		if tab.NumRows() == 0 {
			t.Errorf("%s is empty", name)
		}
		tab.Release()
	}
	// no temporary file is left behind
	entries, _ := os.ReadDir(a)
	for _, e := range entries {
		if strings.Contains(e.Name(), TempSuffix) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// The kpis rows of replication r in a run of [0,4) equal those of a run of [2,4)
// (the replication depends only on its index).
func TestKPIRowsIndependentOfRange(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeRun(t, a, 0, 4)
	writeRun(t, b, 2, 4)
	ta, _ := Read(filepath.Join(a, "kpis.arrow"))
	tb, _ := Read(filepath.Join(b, "kpis.arrow"))
	ra, rb := ta.Rows(-1), tb.Rows(-1)
	var tail [][]string
	for _, r := range ra {
		if r[0] == "2" || r[0] == "3" {
			tail = append(tail, r)
		}
	}
	if len(tail) != len(rb) {
		t.Fatalf("%d vs %d rows", len(tail), len(rb))
	}
	for i := range rb {
		if strings.Join(tail[i], ",") != strings.Join(rb[i], ",") {
			t.Fatalf("row %d: %v vs %v", i, tail[i], rb[i])
		}
	}
}

func TestAbortLeavesNoFinalFile(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "kpis.arrow"), KPIColumns, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		w.I32(0, 0)
		w.Str(1, "x")
		w.Str(2, "tally")
		w.F64(3, 1)
		w.I64(4, 1)
		w.EndRow()
	}
	w.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("abort left %v", entries)
	}
}

func TestReadGarbageIsAnError(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	writeRun(t, good, 0, 1)
	data, _ := os.ReadFile(filepath.Join(good, "kpis.arrow"))
	for name, b := range map[string][]byte{
		"empty":     {},
		"text":      []byte("hello, not arrow"),
		"truncated": data[:len(data)/2],
		"magic":     append([]byte("ARROW1\x00\x00"), make([]byte, 64)...),
	} {
		p := filepath.Join(dir, name+".arrow")
		os.WriteFile(p, b, 0o644)
		if _, err := Read(p); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}

// Acceptance (issue 8): 4 shards merged are byte-identical to one run.
func TestMergeShardsEqualsOneRun(t *testing.T) {
	one := t.TempDir()
	writeRunTotal(t, one, 0, 8, 8, "1/1")
	var parts []string
	for i, r := range [][2]int{{0, 2}, {2, 4}, {4, 6}, {6, 8}} {
		d := t.TempDir()
		writeRunTotal(t, d, r[0], r[1], 8, fmt.Sprintf("%d/4", i+1))
		parts = append(parts, d)
	}
	merged := t.TempDir()
	// parts given out of order must still merge in replication order
	parts[0], parts[3] = parts[3], parts[0]
	if _, _, err := MergeRuns(merged, parts); err != nil {
		t.Fatal(err)
	}
	for name := range Tables {
		a, _ := os.ReadFile(filepath.Join(one, name))
		b, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: merged differs from the one-machine run (%v)", name, err)
		}
	}
	if _, _, err := MergeRuns(t.TempDir(), parts[1:]); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("a missing shard was not reported: %v", err)
	}
}

func writeRunTotal(t *testing.T, dir string, from, to, total int, shard string) {
	t.Helper()
	e := engine.Experiment{Seed: 3, From: from, To: to, Horizon: 500, Trace: true, SampleEvery: 25,
		Build: mmcWithFlow}
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: from, To: to, Total: total, Shard: shard,
		Params: map[string]string{"c": "2"}}
	rw, err := NewRunWriter(dir, prov, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), rw.Add); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Close(); err != nil {
		t.Fatal(err)
	}
}

// mmcWithFlow is M/M/2 plus a flow row for every arrival-stream draw of a
// separate stream, each with two waits rows (the second still queued), so
// that flow.arrow and waits.arrow have rows in these tests.
func mmcWithFlow(s *engine.Sim) error {
	if err := (engine.MMc{C: 2, Lambda: 1.5, Mu: 1}).Build(s); err != nil {
		return err
	}
	st := s.RNG("flow-test")
	var next func()
	next = func() {
		t0 := s.Now()
		s.Flow(engine.FlowRow{Entity: int64(t0), Source: "test", Arrival: t0, End: t0 + st.Exp(1), Acuity: 1,
			DoorTriage: engine.NoTime, DoorDoctor: st.Exp(1), Disposition: "discharged", Boarding: engine.NoTime, Wait: 0})
		w := st.Exp(1)
		s.Waits(t0, []engine.WaitRow{
			{Entity: int64(t0), Source: "test", Resource: "a", Request: t0, Grant: t0 + w, Release: t0 + w + 1, Wait: w, Outcome: "released"},
			{Entity: int64(t0), Source: "test", Resource: "b", Request: t0 + w + 1, Grant: engine.NoTime, Release: engine.NoTime, Wait: 2, Outcome: "queued"}})
		s.Schedule(st.Exp(0.1), next)
	}
	return s.Schedule(1, next)
}
