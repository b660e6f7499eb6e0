package results

import (
	"encoding/json"
	"fmt"

	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine"
)

// ProvenanceFromMeta reads back the provenance written into a file's metadata.
func ProvenanceFromMeta(md map[string]string) (Provenance, error) {
	var p Provenance
	if _, err := fmt.Sscanf(md["medtwin.replications"], "%d-%d of %d", &p.From, &p.To, &p.Total); err != nil {
		return p, fmt.Errorf("not a medtwin run file (no replication range in its metadata)")
	}
	if _, err := fmt.Sscanf(md["medtwin.seed"], "%d", &p.Seed); err != nil {
		return p, fmt.Errorf("no seed in the metadata")
	}
	p.Version, p.Scenario, p.ScenarioSHA256, p.Shard = md["medtwin.version"], md["medtwin.scenario"], md["medtwin.scenario_sha256"], md["medtwin.shard"]
	var pairs [][2]string
	if err := json.Unmarshal([]byte(md["medtwin.params"]), &pairs); err != nil {
		return p, fmt.Errorf("bad params in the metadata: %v", err)
	}
	p.Params = map[string]string{}
	for _, kv := range pairs {
		p.Params[kv[0]] = kv[1]
	}
	if h, ok := md["medtwin.horizon_s"]; ok {
		var err error
		if p.Horizon, err = strconv.ParseFloat(h, 64); err != nil {
			return p, fmt.Errorf("bad horizon in the metadata: %q", h)
		}
		if p.Warmup, err = strconv.ParseFloat(md["medtwin.warmup_s"], 64); err != nil {
			return p, fmt.Errorf("bad warm-up in the metadata: %q", md["medtwin.warmup_s"])
		}
	}
	return p, nil
}

// AppendRow copies row i of rec into w (columns of the same types) and ends the row.
func AppendRow(w *Writer, rec arrow.RecordBatch, i int) error {
	for c := 0; c < int(rec.NumCols()); c++ {
		switch col := rec.Column(c).(type) {
		case *array.Int32:
			w.I32(c, col.Value(i))
		case *array.Int64:
			w.I64(c, col.Value(i))
		case *array.Float64:
			w.F64(c, col.Value(i))
		case *array.String:
			w.Str(c, col.Value(i))
		case *array.Boolean:
			w.Bool(c, col.Value(i))
		default:
			return fmt.Errorf("results: merge: column %d has unsupported type %s", c, col.DataType())
		}
	}
	return w.EndRow()
}

// mergeRange joins per-replication parts of one shard into out with the shard's
// own provenance (the checkpoint of a run).
func mergeRange(out string, parts []string, prov Provenance) ([]string, *Provenance, error) {
	return merge(out, parts, &prov)
}

// MergeRuns joins the run directories written by shards of one run into out,
// producing exactly the files one machine would have written: rows in
// replication order, record batches cut as a run cuts them (see RepsPerBatch), the metadata of the whole
// run, and a summary recomputed from all replications. It returns the files.
func MergeRuns(out string, parts []string) ([]string, *Provenance, error) {
	return merge(out, parts, nil)
}

// merge joins parts; with want nil they must cover a whole run (merged as
// shard 1/1), otherwise exactly want's replication range (kept as want's shard).
// part is one shard's directory and the provenance of its file.
type part struct {
	dir  string
	prov Provenance
}

// orderParts reads the provenance of file in each part directory and checks
// that the parts come from one scenario, seed, version and parameter set and
// cover a range without gaps or overlaps: with want nil the whole range
// (merged as shard 1/1), else exactly want's. It returns the parts in range
// order and the provenance of the merged file.
func orderParts(parts []string, file string, want *Provenance) ([]part, Provenance, error) {
	if len(parts) == 0 {
		return nil, Provenance{}, fmt.Errorf("merge: no parts given")
	}
	var ps []part
	for _, d := range parts {
		if err := VerifyManifest(d); err != nil {
			return nil, Provenance{}, fmt.Errorf("merge: %w", err)
		}
		t, err := Read(filepath.Join(d, file))
		if err != nil {
			return nil, Provenance{}, fmt.Errorf("merge: %s: %w", d, err)
		}
		prov, err := ProvenanceFromMeta(t.Meta())
		t.Release()
		if err != nil {
			return nil, Provenance{}, fmt.Errorf("merge: %s: %w", d, err)
		}
		ps = append(ps, part{d, prov})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].prov.From < ps[j].prov.From })
	first := ps[0].prov
	next := 0
	if want != nil {
		next = want.From
	}
	for _, p := range ps {
		q := p.prov
		switch {
		case q.ScenarioSHA256 != first.ScenarioSHA256 || q.Scenario != first.Scenario:
			return nil, Provenance{}, fmt.Errorf("merge: %s is from scenario %s (%.12s), not %s (%.12s)", p.dir, q.Scenario, q.ScenarioSHA256, first.Scenario, first.ScenarioSHA256)
		case q.Horizon != first.Horizon || q.Warmup != first.Warmup:
			return nil, Provenance{}, fmt.Errorf("merge: %s has horizon %g s and warm-up %g s; the first part has %g s and %g s", p.dir, q.Horizon, q.Warmup, first.Horizon, first.Warmup)
		case q.Seed != first.Seed || q.Total != first.Total || q.Version != first.Version:
			return nil, Provenance{}, fmt.Errorf("merge: %s has seed %d, %d in all, version %s; the first part has %d, %d, %s", p.dir, q.Seed, q.Total, q.Version, first.Seed, first.Total, first.Version)
		case fmt.Sprint(q.Params) != fmt.Sprint(first.Params):
			return nil, Provenance{}, fmt.Errorf("merge: %s was run with other parameters (%v vs %v)", p.dir, q.Params, first.Params)
		case q.From != next:
			return nil, Provenance{}, fmt.Errorf("merge: %d-%d are missing or overlap (next part %s starts at %d)", next, q.From, p.dir, q.From)
		}
		next = q.To
	}
	end := first.Total
	if want != nil {
		end = want.To
	}
	if next != end {
		return nil, Provenance{}, fmt.Errorf("merge: %d-%d of %d are missing", next, end, first.Total)
	}
	whole := first
	whole.From, whole.To, whole.Shard = 0, first.Total, "1/1"
	if want != nil {
		whole = *want
	}
	return ps, whole, nil
}

// MergeRows joins one table (e.g. subjects.arrow of `medtwin trial`) written
// by shards that each cover a range of rows' units into out/name: rows in range
// order, a record batch per part, the provenance of the whole. Parts must have
// the same schema.
func MergeRows(out, name string, parts []string) (string, *Provenance, error) {
	ps, whole, err := orderParts(parts, name, nil)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", nil, err
	}
	if name == "subjects.arrow" {
		for _, p := range ps {
			if err := checkSubjects(filepath.Join(p.dir, name), p.prov); err != nil {
				return "", nil, fmt.Errorf("merge: %w", err)
			}
		}
	}
	first, err := Read(filepath.Join(ps[0].dir, name))
	if err != nil {
		return "", nil, err
	}
	var cols []Column
	for _, f := range first.Schema.Fields() {
		cols = append(cols, Column{Name: f.Name, Type: f.Type})
	}
	first.Release()
	paths := make([]string, len(ps))
	for k, p := range ps {
		paths[k] = filepath.Join(p.dir, name)
	}
	path := filepath.Join(out, name)
	// one stream of rows, batched as a single run's writer batches it
	// (every DefaultBatchRows rows), so that the merged file has one run's bytes
	if err := concat(path, paths, cols, whole.Metadata(strings.TrimSuffix(name, ".arrow")), false); err != nil {
		return "", nil, err
	}
	return path, &whole, nil
}

// Concat writes the rows of the files at paths, in order, into out with the
// given columns and metadata: a record batch per input file. Every input must
// have exactly those columns.
func Concat(out string, paths []string, cols []Column, meta map[string]string) error {
	return concat(out, paths, cols, meta, true)
}

// concat is Concat, ending a record batch after each file when perFile (else
// the writer cuts batches every DefaultBatchRows rows, wherever the files
// end).
func concat(out string, paths []string, cols []Column, meta map[string]string, perFile bool) error {
	w, err := Create(out, cols, meta, 0)
	if err != nil {
		return err
	}
	for _, p := range paths {
		t, err := Read(p)
		if err != nil {
			w.Abort()
			return err
		}
		if !sameColumns(cols, t.Schema) {
			t.Release()
			w.Abort()
			return fmt.Errorf("merge: %s has another schema than the first part", p)
		}
		for _, rec := range t.Batches {
			for i := 0; i < int(rec.NumRows()); i++ {
				if err := AppendRow(w, rec, i); err != nil {
					t.Release()
					w.Abort()
					return err
				}
			}
		}
		t.Release()
		if !perFile {
			continue
		}
		if err := w.EndBatch(); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

func sameColumns(cols []Column, s *arrow.Schema) bool {
	if len(cols) != len(s.Fields()) {
		return false
	}
	for i, c := range cols {
		if g := s.Field(i); g.Name != c.Name || !arrow.TypeEqual(g.Type, c.Type) {
			return false
		}
	}
	return true
}

func merge(out string, parts []string, want *Provenance) ([]string, *Provenance, error) {
	ps, whole, err := orderParts(parts, "kpis.arrow", want)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, err
	}
	var files []string
	var reps []engine.RepResult
	for _, table := range []string{"kpis", "flow", "waits", "events", "timeseries"} {
		name := table + ".arrow"
		present := 0
		for _, p := range ps {
			if _, err := os.Stat(filepath.Join(p.dir, name)); err == nil {
				present++
			}
		}
		if present == 0 {
			continue
		}
		if present != len(ps) {
			return nil, nil, fmt.Errorf("merge: %s is in some parts but not all", name)
		}
		w, err := Create(filepath.Join(out, name), Tables[name], whole.Metadata(table), 0)
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) ([]string, *Provenance, error) { w.Abort(); return nil, nil, err }
		for _, p := range ps {
			t, err := Read(filepath.Join(p.dir, name))
			if err != nil {
				return fail(err)
			}
			if err := t.NeedExactly(Tables[name]); err != nil {
				t.Release()
				return fail(fmt.Errorf("merge: %w", err))
			}
			seen := map[int32]bool{}
			for _, rec := range t.Batches {
				reps32 := rec.Column(0).(*array.Int32)
				for i := 0; i < int(rec.NumRows()); i++ {
					r := reps32.Value(i)
					if r < int32(p.prov.From) || r >= int32(p.prov.To) {
						t.Release()
						return fail(fmt.Errorf("merge: %s/%s has replication %d, outside its range %d-%d", p.dir, name, r, p.prov.From, p.prov.To-1))
					}
					seen[r] = true
					if err := w.Rep(int(r)); err != nil {
						t.Release()
						return fail(err)
					}
					if err := AppendRow(w, rec, i); err != nil {
						t.Release()
						return fail(err)
					}
					if table == "kpis" {
						reps = appendKPI(reps, rec, i)
					}
				}
			}
			t.Release()
			// every replication reports its KPIs: a part with fewer (zero
			// record batches, a truncated rewrite) would merge into a file
			// with rows missing under a provenance that says complete
			if table == "kpis" && len(seen) != p.prov.To-p.prov.From {
				return fail(fmt.Errorf("merge: %s/%s has KPIs of %d replications, its metadata says %d-%d (%d)", p.dir, name, len(seen), p.prov.From, p.prov.To-1, p.prov.To-p.prov.From))
			}
		}
		if err := w.Close(); err != nil {
			return nil, nil, err
		}
		files = append(files, w.Path())
	}
	sum := filepath.Join(out, "summary.arrow")
	if err := WriteSummary(sum, engine.Summaries(reps, 0.95), whole.Metadata("summary")); err != nil {
		return nil, nil, err
	}
	return append(files, sum), &whole, nil
}

var kindByName = map[string]engine.KPIKind{"tally": engine.KindTally, "counter": engine.KindCounter, "gauge": engine.KindGauge, "value": engine.KindValue}

// appendKPI adds kpis.arrow row i to the per-replication results.
func appendKPI(reps []engine.RepResult, rec arrow.RecordBatch, i int) []engine.RepResult {
	rep := int(rec.Column(0).(*array.Int32).Value(i))
	if len(reps) == 0 || reps[len(reps)-1].Replication != rep {
		reps = append(reps, engine.RepResult{Replication: rep})
	}
	r := &reps[len(reps)-1]
	r.KPIs = append(r.KPIs, engine.KPIValue{Name: rec.Column(1).(*array.String).Value(i), Kind: kindByName[rec.Column(2).(*array.String).Value(i)],
		Value: rec.Column(3).(*array.Float64).Value(i), N: rec.Column(4).(*array.Int64).Value(i)})
	return reps
}

// ReadKPIs reads kpis.arrow back into per-replication results.
func ReadKPIs(path string) ([]engine.RepResult, error) {
	t, err := Read(path)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	if err := t.NeedExactly(KPIColumns); err != nil {
		return nil, err
	}
	var reps []engine.RepResult
	for _, rec := range t.Batches {
		for i := 0; i < int(rec.NumRows()); i++ {
			reps = appendKPI(reps, rec, i)
		}
	}
	return reps, nil
}

// checkSubjects checks that a trial shard's subjects.arrow holds rows of
// exactly the subjects its provenance names (its first column, subject), so
// that an empty or truncated shard does not merge into a file with subjects
// missing.
func checkSubjects(path string, prov Provenance) error {
	t, err := Read(path)
	if err != nil {
		return err
	}
	defer t.Release()
	if err := t.Need(Column{Name: "subject", Type: i64}); err != nil {
		return err
	}
	c := t.Column("subject")
	seen := map[int64]bool{}
	for _, b := range t.Batches {
		col := b.Column(c).(*array.Int64)
		for i := 0; i < col.Len(); i++ {
			v := col.Value(i)
			if v < int64(prov.From) || v >= int64(prov.To) {
				return fmt.Errorf("%s: subject %d is outside its range %d-%d", path, v, prov.From, prov.To-1)
			}
			seen[v] = true
		}
	}
	if len(seen) != prov.To-prov.From {
		return fmt.Errorf("%s: rows of %d subjects, its metadata says %d-%d (%d)", path, len(seen), prov.From, prov.To-1, prov.To-prov.From)
	}
	return nil
}
