package results

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Table is an Arrow IPC file read into memory.
type Table struct {
	Path    string
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
}

// Read reads an Arrow IPC file. A file that is not Arrow, or is truncated, gives
// an error naming the file; it never panics.
func Read(path string) (t *Table, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("%s: not a readable Arrow IPC file (%v)", path, r)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// no message can be larger than the file: a corrupted length must not make
	// the reader allocate the default 256 MiB
	limit := st.Size() + 1
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.NewGoAllocator()), ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("%s: not an Arrow IPC file: %w", path, err)
	}
	defer r.Close()
	t = &Table{Path: path, Schema: r.Schema()}
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Release()
			return nil, fmt.Errorf("%s: record batch %d: %w", path, i, err)
		}
		rec.Retain()
		t.Batches = append(t.Batches, rec)
	}
	return t, nil
}

// Release frees the batches.
func (t *Table) Release() {
	for _, b := range t.Batches {
		b.Release()
	}
	t.Batches = nil
}

// NumRows returns the number of rows.
func (t *Table) NumRows() int64 {
	var n int64
	for _, b := range t.Batches {
		n += b.NumRows()
	}
	return n
}

// Meta returns the schema metadata as a map.
func (t *Table) Meta() map[string]string { return t.Schema.Metadata().ToMap() }

// Rows returns up to n rows (all if n < 0) as strings, for display.
func (t *Table) Rows(n int) [][]string {
	var out [][]string
	for _, b := range t.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			if n >= 0 && len(out) >= n {
				return out
			}
			row := make([]string, b.NumCols())
			for c := 0; c < int(b.NumCols()); c++ {
				row[c] = b.Column(c).ValueStr(i)
			}
			out = append(out, row)
		}
	}
	return out
}

// Column returns the index of the named column, or -1.
func (t *Table) Column(name string) int {
	idx := t.Schema.FieldIndices(name)
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}
