package results

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// Schedule says how often a run writes its finished replications as a
// checkpoint group: after Every replications, or at the first replication that
// finishes Interval or more after the group began, whichever comes first. Off
// writes no checkpoint: the run writes its final files directly, and a killed
// run starts over.
type Schedule struct {
	Off      bool
	Every    int           // replications per group (0: no count limit)
	Interval time.Duration // wall time per group (0: no time limit)
}

// DefaultSchedule groups the replications that finish within 10 s: a killed
// run redoes at most about 10 s of work (or one replication, when a
// replication takes longer).
var DefaultSchedule = Schedule{Interval: 10 * time.Second}

// ParseSchedule reads "off", a count of replications ("1": every replication,
// "500") or a Go duration ("10s", "2m").
func ParseSchedule(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "off":
		return Schedule{Off: true}, nil
	case s == "":
		return DefaultSchedule, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return Schedule{}, fmt.Errorf("checkpoint: a count must be at least 1, got %d", n)
		}
		return Schedule{Every: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return Schedule{}, fmt.Errorf("checkpoint: want off, a number of replications (e.g. 100) or a duration (e.g. 10s), got %q", s)
	}
	return Schedule{Interval: d}, nil
}

// String writes the schedule as ParseSchedule reads it.
func (s Schedule) String() string {
	switch {
	case s.Off:
		return "off"
	case s.Every > 0:
		return strconv.Itoa(s.Every)
	}
	return s.Interval.String()
}

// Checkpoint writes a run's replications, in replication order, into Dir: the
// final files as the replications come and, on a schedule, groups of finished
// replications under Dir/.parts/rep-FROM-TO (each a small run directory renamed
// into place when complete, with one fsync per file: kpis.arrow only, unless
// the run logs events or samples time series), so that a run that is killed can
// continue (Start with resume), redoing at most the replications since the last
// group, and its final files be assembled from the groups, byte-identical to an
// uninterrupted run.
type Checkpoint struct {
	Dir        string
	Prov       Provenance // of the whole run (its From-To)
	Events     bool
	Series     bool
	BatchLimit int64 // largest output in bytes (0: no limit)
	Schedule   Schedule

	parts   []string           // committed groups, in order
	next    int                // the replication after the last committed group
	written int64              // bytes in committed groups
	direct  *RunWriter         // the final files, unless groups were resumed
	pending []engine.RepResult // the open group
	rows    int                // event and series rows in it
	began   time.Time
	sums    []engine.KPISummary // of the files Finish wrote as the replications came
}

// groupRows caps the event and series rows a group holds in memory before it
// is written, whatever the schedule.
const groupRows = 1 << 19

func (c *Checkpoint) partsDir() string { return filepath.Join(c.Dir, ".parts") }

func partName(from, to int) string { return fmt.Sprintf("rep-%06d-%06d", from, to) }

// Start prepares the run: with resume, it keeps the groups an earlier attempt
// of the same run (same scenario, parameters, seed, version and replication
// range) finished and returns the first replication still to run; otherwise it
// removes any earlier checkpoint and returns Prov.From.
func (c *Checkpoint) Start(resume bool) int {
	c.parts, c.written, c.next = nil, 0, c.Prov.From
	RemoveTemps(c.Dir) // final files being written when a run died
	if !resume {
		os.RemoveAll(c.partsDir())
		return c.Prov.From
	}
	type group struct {
		dir      string
		from, to int
	}
	var found []group
	entries, _ := os.ReadDir(c.partsDir())
	for _, e := range entries {
		dir := filepath.Join(c.partsDir(), e.Name())
		p, ok := c.groupProvenance(dir)
		if !ok || !strings.HasPrefix(e.Name(), "rep-") || e.Name() != partName(p.From, p.To) || !c.sameFiles(dir) {
			// a group being written when the run died, another run's, or one
			// written with or without --trace where this run is the other way:
			// its replications are run again
			os.RemoveAll(dir)
			continue
		}
		found = append(found, group{dir, p.From, p.To})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].from < found[j].from })
	next := c.Prov.From
	for _, g := range found {
		if g.from != next || g.to > c.Prov.To {
			os.RemoveAll(g.dir)
			continue
		}
		c.parts = append(c.parts, g.dir)
		c.written += dirSize(g.dir)
		next = g.to
	}
	c.next = next
	return next
}

// groupProvenance reads a group's provenance and says whether it belongs to
// this run.
func (c *Checkpoint) groupProvenance(dir string) (Provenance, bool) {
	t, err := Read(filepath.Join(dir, "kpis.arrow"))
	if err != nil {
		return Provenance{}, false
	}
	defer t.Release()
	p, err := ProvenanceFromMeta(t.Meta())
	if err != nil {
		return p, false
	}
	return p, p.ScenarioSHA256 == c.Prov.ScenarioSHA256 && p.Seed == c.Prov.Seed && p.Total == c.Prov.Total &&
		fmt.Sprint(p.Params) == fmt.Sprint(c.Prov.Params) && p.Version == c.Prov.Version && p.From < p.To &&
		p.Horizon == c.Prov.Horizon && p.Warmup == c.Prov.Warmup
}

// sameFiles says whether a group has events.arrow exactly when this run logs
// events: merging groups of both kinds fails ("events.arrow is in some parts
// but not all"), which wedged a directory resumed after --trace was turned on
// or off. (A missing timeseries.arrow is filled in by fillSeries.)
func (c *Checkpoint) sameFiles(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "events.arrow"))
	return (err == nil) == c.Events
}

func dirSize(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if st, err := e.Info(); err == nil {
			n += st.Size()
		}
	}
	return n
}

// Add takes one replication (replications come in order) and writes the
// group when the schedule says so. It enforces BatchLimit on the total output.
func (c *Checkpoint) Add(r engine.RepResult) error {
	if c.streaming() {
		// the final files, written as the replications come: the groups are
		// only read back after a kill
		if c.direct == nil {
			var err error
			if c.direct, err = NewRunWriter(c.Dir, c.Prov, c.Events, c.Series); err != nil {
				return err
			}
		}
		if err := c.direct.Add(r); err != nil {
			return err
		}
		if c.BatchLimit > 0 && c.direct.size() > c.BatchLimit {
			c.direct.Abort()
			c.direct = nil
			c.pending = nil
			return c.overLimit()
		}
		if c.Schedule.Off {
			return nil
		}
	}
	if len(c.pending) == 0 {
		c.began = time.Now()
	}
	c.pending = append(c.pending, r)
	c.rows += len(r.Events) + len(r.Series)
	s := c.Schedule
	if s.Every > 0 && len(c.pending) >= s.Every || s.Interval > 0 && time.Since(c.began) >= s.Interval || c.rows >= groupRows {
		return c.commit()
	}
	return nil
}

// streaming says whether the run writes its final files as it goes: unless it
// resumed groups of an earlier attempt, which Finish merges.
func (c *Checkpoint) streaming() bool { return len(c.parts) == 0 || c.direct != nil }

func (c *Checkpoint) overLimit() error {
	return fmt.Errorf("results: the output exceeds the limit of %d bytes (--max-output); sample less (sample_every, trace) or raise the limit", c.BatchLimit)
}

// commit writes the open group into a temporary directory, syncs its files and
// renames the directory to its final name.
func (c *Checkpoint) commit() error {
	if len(c.pending) == 0 {
		return nil
	}
	prov := c.Prov
	prov.From, prov.To = c.pending[0].Replication, c.pending[len(c.pending)-1].Replication+1
	final := filepath.Join(c.partsDir(), partName(prov.From, prov.To))
	tmp := final + TempSuffix + strconv.Itoa(os.Getpid())
	os.RemoveAll(tmp)
	fail := func(err error) error { os.RemoveAll(tmp); return err }
	rw, err := newPartWriter(tmp, prov, c.Events, c.Series)
	if err != nil {
		return fail(err)
	}
	for _, r := range c.pending {
		if err := rw.Add(r); err != nil {
			rw.Abort()
			return fail(err)
		}
	}
	c.pending, c.rows = c.pending[:0], 0
	files, err := rw.Close()
	if err != nil {
		return fail(err)
	}
	for _, f := range files {
		if err := syncFile(f); err != nil {
			return fail(err)
		}
	}
	if c.written += dirSize(tmp); c.BatchLimit > 0 && c.direct == nil && c.written > c.BatchLimit {
		return fail(c.overLimit())
	}
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		return fail(err)
	}
	c.parts = append(c.parts, final)
	c.next = prov.To
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("results: sync %s: %w", path, err)
	}
	return nil
}

// Stop ends a run that failed or was interrupted: the replications that
// finished are written as a group, kept for a resume; with checkpoints off the
// final files being written are discarded. It returns the number of
// replications kept.
func (c *Checkpoint) Stop() int {
	c.commit()
	if c.direct != nil {
		c.direct.Abort()
		c.direct = nil
	}
	return c.next - c.Prov.From
}

// Finish writes the final files of replications Prov.From to Prov.To (all
// added or resumed) and removes the groups: the files written as the
// replications came, or, after a resume, the groups merged. It returns the
// files.
func (c *Checkpoint) Finish() ([]string, error) {
	if c.direct != nil {
		files, err := c.direct.Close()
		c.sums = c.direct.sums
		c.direct = nil
		if err == nil {
			c.pending = nil
			os.RemoveAll(c.partsDir())
		}
		return files, err
	}
	if err := c.commit(); err != nil {
		return nil, err
	}
	if err := c.fillSeries(); err != nil {
		return nil, err
	}
	files, _, err := mergeRange(c.Dir, c.parts, c.Prov)
	if err != nil {
		return nil, err
	}
	os.RemoveAll(c.partsDir())
	return files, nil
}

// fillSeries gives every group an (empty) timeseries.arrow when some have one:
// a model that observes a series (sim:observe) without sample_every may do so
// in some replications only, and the merged run keeps every row.
func (c *Checkpoint) fillSeries() error {
	var missing []string
	for _, d := range c.parts {
		if _, err := os.Stat(filepath.Join(d, "timeseries.arrow")); err != nil {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 || len(missing) == len(c.parts) {
		return nil
	}
	for _, d := range missing {
		prov, ok := c.groupProvenance(d)
		if !ok {
			return fmt.Errorf("results: checkpoint group %s is unreadable", filepath.Base(d))
		}
		w, err := Create(filepath.Join(d, "timeseries.arrow"), SeriesColumns, prov.Metadata("timeseries"), 0)
		if err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Summaries returns the KPI summaries of the run Finish wrote (its
// summary.arrow): kept in memory from the replications as they came, or read
// back from kpis.arrow when Finish merged resumed groups.
func (c *Checkpoint) Summaries() ([]engine.KPISummary, error) {
	if c.sums != nil {
		return c.sums, nil
	}
	reps, err := ReadKPIs(filepath.Join(c.Dir, "kpis.arrow"))
	if err != nil {
		return nil, err
	}
	return engine.Summaries(reps, 0.95), nil
}
