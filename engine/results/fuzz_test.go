package results

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// FuzzRead: any bytes given to inspect/merge/plot are read or rejected with an
// error naming the file, never a panic.
func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	e := engine.Experiment{Seed: 1, From: 0, To: 1, Horizon: 50, Trace: true, Build: engine.MMc{C: 1, Lambda: 0.5, Mu: 1}.Build}
	rw, _ := NewRunWriter(dir, Provenance{Scenario: "x", To: 1, Total: 1}, true, false)
	e.Run(context.Background(), rw.Add)
	rw.Close()
	for _, name := range []string{"kpis.arrow", "events.arrow", "summary.arrow"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("ARROW1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.arrow")
		os.WriteFile(p, data, 0o644)
		tab, err := Read(p)
		if err != nil {
			return
		}
		tab.Rows(5)
		ProvenanceFromMeta(tab.Meta())
		tab.NeedExactly(KPIColumns)
		tab.Release()
		// a valid file of another schema is an error, not a panic (issue 18)
		ReadKPIs(p)
	})
}
