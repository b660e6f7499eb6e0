package results

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/medtwin/medtwin/engine"
)

// Checkpoint keeps each finished replication of a run as its own small run
// directory under Dir/.parts/rep-NNNNNN, written atomically, so that a run that
// is killed can continue (Resume) and its final files be assembled from the
// parts, byte-identical to an uninterrupted run.
type Checkpoint struct {
	Dir        string
	Prov       Provenance
	Events     bool
	Series     bool
	BatchLimit int64 // largest output in bytes (0: no limit)
	written    int64
}

func (c *Checkpoint) partsDir() string { return filepath.Join(c.Dir, ".parts") }

func (c *Checkpoint) partDir(rep int) string {
	return filepath.Join(c.partsDir(), fmt.Sprintf("rep-%06d", rep))
}

// Done reports whether replication rep finished in an earlier attempt of the
// same run (same scenario, parameters, seed and replication count).
func (c *Checkpoint) Done(rep int) bool {
	t, err := Read(filepath.Join(c.partDir(rep), "kpis.arrow"))
	if err != nil {
		return false
	}
	defer t.Release()
	p, err := ProvenanceFromMeta(t.Meta())
	if err != nil {
		return false
	}
	return p.ScenarioSHA256 == c.Prov.ScenarioSHA256 && p.Seed == c.Prov.Seed && p.Total == c.Prov.Total &&
		fmt.Sprint(p.Params) == fmt.Sprint(c.Prov.Params) && p.Version == c.Prov.Version && p.From == rep
}

// Add writes one replication's part (a directory renamed into place when
// complete). It enforces BatchLimit on the total output.
func (c *Checkpoint) Add(r engine.RepResult) error {
	final := c.partDir(r.Replication)
	tmp := final + TempSuffix + fmt.Sprint(os.Getpid())
	os.RemoveAll(tmp)
	prov := c.Prov
	prov.From, prov.To = r.Replication, r.Replication+1
	// a model's own series (sim:observe) are kept even when nothing is sampled
	rw, err := NewRunWriter(tmp, prov, c.Events, c.Series || len(r.Series) > 0)
	if err != nil {
		return err
	}
	if err := rw.Add(r); err != nil {
		rw.Abort()
		return err
	}
	files, err := rw.Close()
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			c.written += st.Size()
		}
	}
	if c.BatchLimit > 0 && c.written > c.BatchLimit {
		os.RemoveAll(tmp)
		return fmt.Errorf("results: the output exceeds the limit of %d bytes (--max-output); sample less (sample_every, trace) or raise the limit", c.BatchLimit)
	}
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// Finish assembles the final files from the parts of replications [from, to)
// and removes the parts.
func (c *Checkpoint) Finish(from, to int) ([]string, error) {
	var parts []string
	for r := from; r < to; r++ {
		parts = append(parts, c.partDir(r))
	}
	if err := c.fillSeries(parts, from); err != nil {
		return nil, err
	}
	files, _, err := mergeRange(c.Dir, parts, c.Prov)
	if err != nil {
		return nil, err
	}
	os.RemoveAll(c.partsDir())
	return files, nil
}

// fillSeries gives every part an (empty) timeseries.arrow when some have one: a
// model that observes a series (sim:observe) without sample_every may do so in
// some replications only, and the merged run keeps every row.
func (c *Checkpoint) fillSeries(parts []string, from int) error {
	var missing []int
	for i, d := range parts {
		if _, err := os.Stat(filepath.Join(d, "timeseries.arrow")); err != nil {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 || len(missing) == len(parts) {
		return nil
	}
	for _, i := range missing {
		prov := c.Prov
		prov.From, prov.To = from+i, from+i+1
		w, err := Create(filepath.Join(parts[i], "timeseries.arrow"), SeriesColumns, prov.Metadata("timeseries"), 0)
		if err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}
