package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/medtwin/medtwin/engine"
)

// Provenance says where a run's results came from; it goes into the metadata of
// every Arrow file. It holds no wall-clock time.
type Provenance struct {
	Version        string
	Scenario       string // file name or built-in model name
	ScenarioSHA256 string
	Params         map[string]string
	Seed           uint64
	// Replications From..To (exclusive) of Total; Shard "i/n" (1-based i).
	From, To, Total int
	Shard           string
	// Horizon and Warmup (seconds) of each replication, recorded when set
	// (> 0): --horizon and --warmup change them without changing the file.
	Horizon, Warmup float64
}

// Metadata returns the provenance as Arrow schema metadata for table.
func (p Provenance) Metadata(table string) map[string]string {
	keys := make([]string, 0, len(p.Params))
	for k := range p.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ordered := make([][2]string, len(keys))
	for i, k := range keys {
		ordered[i] = [2]string{k, p.Params[k]}
	}
	params, _ := json.Marshal(ordered)
	shard := p.Shard
	if shard == "" {
		shard = "1/1"
	}
	m := map[string]string{
		"medtwin.table":           table,
		"medtwin.version":         p.Version,
		"medtwin.scenario":        p.Scenario,
		"medtwin.scenario_sha256": p.ScenarioSHA256,
		"medtwin.params":          string(params),
		"medtwin.seed":            strconv.FormatUint(p.Seed, 10),
		"medtwin.replications":    fmt.Sprintf("%d-%d of %d", p.From, p.To, p.Total),
		"medtwin.shard":           shard,
	}
	if p.Horizon > 0 {
		m["medtwin.horizon_s"] = strconv.FormatFloat(p.Horizon, 'g', -1, 64)
		m["medtwin.warmup_s"] = strconv.FormatFloat(p.Warmup, 'g', -1, 64)
	}
	return m
}

// RunWriter writes one run's directory: kpis.arrow, flow.arrow, waits.arrow and summary.arrow always,
// events.arrow and timeseries.arrow when the run logs events or samples series.
type RunWriter struct {
	Dir    string
	prov   Provenance
	kpis   *Writer
	events *Writer
	series *Writer
	flow   *Writer
	waits  *Writer
	reps   [][]engine.KPIValue // each replication's KPIs, for the summary
	sums   []engine.KPISummary // the summary written by Close
	done   []string
	part   bool // a checkpoint group: no summary, files not synced one by one
}

// newPartWriter is NewRunWriter for a checkpoint group, whose files the group
// syncs before it renames its directory into place, and which needs no summary.
func newPartWriter(dir string, prov Provenance, withEvents, withSeries bool) (*RunWriter, error) {
	return newRunWriter(dir, prov, withEvents, withSeries, true)
}

// size returns the bytes written so far.
func (rw *RunWriter) size() int64 {
	var n int64
	for _, w := range []*Writer{rw.kpis, rw.flow, rw.waits, rw.events, rw.series} {
		if w != nil {
			n += w.Size()
		}
	}
	return n
}

// NewRunWriter creates dir (if needed) and opens the tables. withEvents and
// withSeries say whether events.arrow and timeseries.arrow are written
// (timeseries.arrow is also opened by the first replication that observes a
// series of its own).
func NewRunWriter(dir string, prov Provenance, withEvents, withSeries bool) (*RunWriter, error) {
	return newRunWriter(dir, prov, withEvents, withSeries, false)
}

func newRunWriter(dir string, prov Provenance, withEvents, withSeries, part bool) (*RunWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	rw := &RunWriter{Dir: dir, prov: prov, part: part}
	var err error
	if rw.kpis, err = rw.open("kpis", KPIColumns); err != nil {
		return nil, err
	}
	if rw.flow, err = rw.open("flow", FlowColumns); err == nil {
		rw.waits, err = rw.open("waits", WaitColumns)
	}
	if err == nil && withEvents {
		rw.events, err = rw.open("events", EventColumns)
	}
	if err == nil && withSeries {
		rw.series, err = rw.open("timeseries", SeriesColumns)
	}
	if err != nil {
		rw.Abort()
		return nil, err
	}
	return rw, nil
}

// open creates table.arrow in the run's directory. A checkpoint group's files
// are not synced one by one: the group syncs them before its rename.
func (rw *RunWriter) open(table string, cols []Column) (*Writer, error) {
	w, err := Create(filepath.Join(rw.Dir, table+".arrow"), cols, rw.prov.Metadata(table), 0)
	if err != nil {
		return nil, err
	}
	w.f.noSync = rw.part
	return w, nil
}

// Add appends one replication's rows; a table's record batch holds the rows
// of a block of RepsPerBatch replications (see Writer.Rep).
func (rw *RunWriter) Add(r engine.RepResult) error {
	rep := int32(r.Replication)
	if err := addRows(rw.kpis, rep, r.KPIs, func(w *Writer, k engine.KPIValue) {
		w.Str(1, k.Name)
		w.Str(2, k.Kind.String())
		w.F64(3, k.Value)
		w.I64(4, k.N)
	}); err != nil {
		return err
	}
	if w := rw.events; w != nil {
		if err := addRows(w, rep, r.Events, func(w *Writer, e engine.EventRow) {
			w.F64(1, e.Time)
			w.Str(2, e.Kind)
			w.I64(3, e.Entity)
			w.Str(4, e.Resource)
			w.F64(5, e.Value)
		}); err != nil {
			return err
		}
	}
	if rw.series == nil && len(r.Series) > 0 {
		// a model's own series (sim:observe) are kept even when nothing is
		// sampled: the file begins with the first replication that observes
		// one (the replications before it add no record batch to it)
		var err error
		if rw.series, err = rw.open("timeseries", SeriesColumns); err != nil {
			return err
		}
	}
	if w := rw.series; w != nil {
		if err := addRows(w, rep, r.Series, func(w *Writer, s engine.SeriesRow) {
			w.F64(1, s.Time)
			w.Str(2, s.Series)
			w.I64(3, s.Entity)
			w.F64(4, s.Value)
		}); err != nil {
			return err
		}
	}
	if err := addRows(rw.flow, rep, r.Flow, func(w *Writer, f engine.FlowRow) {
		w.I64(1, f.Entity)
		w.Str(2, f.Source)
		w.F64(3, f.Arrival)
		w.F64(4, f.End)
		w.I32(5, f.Acuity)
		w.F64(6, f.DoorTriage)
		w.F64(7, f.DoorDoctor)
		w.Str(8, f.Disposition)
		w.F64(9, f.End-f.Arrival)
		w.F64(10, f.Boarding)
		w.F64(11, f.Wait)
	}); err != nil {
		return err
	}
	if err := addRows(rw.waits, rep, r.Waits, func(w *Writer, q engine.WaitRow) {
		w.I64(1, q.Entity)
		w.Str(2, q.Source)
		w.Str(3, q.Resource)
		w.F64(4, q.Request)
		w.F64(5, q.Grant)
		w.F64(6, q.Release)
		w.F64(7, q.Wait)
		w.Str(8, q.Outcome)
	}); err != nil {
		return err
	}
	rw.reps = append(rw.reps, r.KPIs)
	return nil
}

// Summaries returns the KPI summaries of the replications added so far.
func (rw *RunWriter) Summaries() []engine.KPISummary {
	reps := make([]engine.RepResult, len(rw.reps))
	for i, k := range rw.reps {
		reps[i].KPIs = k
	}
	return engine.Summaries(reps, 0.95)
}

// Close writes summary.arrow and moves every file to its final name. It returns
// the paths written.
func (rw *RunWriter) Close() ([]string, error) {
	for _, w := range []*Writer{rw.kpis, rw.flow, rw.waits, rw.events, rw.series} {
		if w == nil {
			continue
		}
		if err := w.Close(); err != nil {
			rw.Abort()
			return nil, err
		}
		rw.done = append(rw.done, w.Path())
	}
	rw.kpis, rw.flow, rw.waits, rw.events, rw.series = nil, nil, nil, nil, nil
	if rw.part {
		return rw.done, nil
	}
	path := filepath.Join(rw.Dir, "summary.arrow")
	rw.sums = rw.Summaries()
	if err := WriteSummary(path, rw.sums, rw.prov.Metadata("summary")); err != nil {
		return nil, err
	}
	rw.done = append(rw.done, path)
	return rw.done, nil
}

// Abort discards the files not yet closed.
func (rw *RunWriter) Abort() {
	for _, w := range []*Writer{rw.kpis, rw.flow, rw.waits, rw.events, rw.series} {
		if w != nil {
			w.Abort()
		}
	}
	rw.kpis, rw.flow, rw.waits, rw.events, rw.series = nil, nil, nil, nil, nil
}

// WriteSummary writes summary.arrow.
func WriteSummary(path string, sums []engine.KPISummary, meta map[string]string) error {
	w, err := Create(path, SummaryColumns, meta, 0)
	if err != nil {
		return err
	}
	for _, s := range sums {
		w.Str(0, s.Name)
		w.Str(1, s.Kind.String())
		w.I32(2, int32(s.N))
		w.F64(3, s.Mean)
		w.F64(4, s.SD)
		w.F64(5, s.Low)
		w.F64(6, s.High)
		w.F64(7, s.HalfWidth)
		w.F64(8, s.Level)
		if err := w.EndRow(); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// addRows writes one replication's rows into w (the replication in column 0,
// the rest by put), in the record batch of its block of replications
// (Writer.Rep).
func addRows[T any](w *Writer, rep int32, rows []T, put func(*Writer, T)) error {
	if len(rows) == 0 {
		return nil
	}
	if err := w.Rep(int(rep)); err != nil {
		return err
	}
	for _, r := range rows {
		w.I32(0, rep)
		put(w, r)
		if err := w.EndRow(); err != nil {
			return err
		}
	}
	return nil
}
