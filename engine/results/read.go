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
func Read(path string) (*Table, error) {
	t := &Table{Path: path}
	schema, err := Scan(path, func(rec arrow.RecordBatch) error {
		rec.Retain()
		t.Batches = append(t.Batches, rec)
		return nil
	})
	if err != nil {
		t.Release()
		return nil, err
	}
	t.Schema = schema
	return t, nil
}

// Scan reads an Arrow IPC file one record batch at a time, so that memory
// holds one batch whatever the file's size: fn sees each batch, validated,
// and may keep it only by retaining it. It returns the file's schema. Errors
// are those of Read; an error of fn stops the scan and is returned.
func Scan(path string, fn func(rec arrow.RecordBatch) error) (schema *arrow.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			schema, err = nil, fmt.Errorf("%s: not a readable Arrow IPC file (%v)", path, r)
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
	if err := checkFooter(f, st.Size()); err != nil {
		return nil, fmt.Errorf("%s: not an Arrow IPC file: %w", path, err)
	}
	limit := st.Size() + 1
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.NewGoAllocator()), ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("%s: not an Arrow IPC file: %w", path, err)
	}
	defer r.Close()
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			return nil, fmt.Errorf("%s: record batch %d: %w", path, i, err)
		}
		if err := validate(rec); err != nil {
			return nil, fmt.Errorf("%s: record batch %d: %w", path, i, err)
		}
		if err := fn(rec); err != nil {
			return nil, err
		}
	}
	return r.Schema(), nil
}

// validate checks a batch read from an untrusted file before any value is
// touched: offsets of variable-length columns within their data (the
// library's own ValidateFull), and buffers of fixed-width columns and validity
// bitmaps long enough for the rows. A corrupted file is an error, not a panic
// later in inspect, merge or plot.
func validate(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	for c := 0; c < int(rec.NumCols()); c++ {
		col := rec.Column(c)
		name := rec.ColumnName(c)
		if col.Len() != n {
			return fmt.Errorf("column %s has %d rows, the batch %d", name, col.Len(), n)
		}
		if v, ok := col.(interface{ ValidateFull() error }); ok {
			if err := v.ValidateFull(); err != nil {
				return fmt.Errorf("column %s: %w", name, err)
			}
		}
		d := col.Data()
		need := d.Offset() + d.Len()
		bufs := d.Buffers()
		if len(bufs) > 0 && bufs[0] != nil && bufs[0].Len()*8 < need {
			return fmt.Errorf("column %s: validity bitmap too short", name)
		}
		if fw, ok := d.DataType().(arrow.FixedWidthDataType); ok && d.DataType().ID() != arrow.BOOL {
			if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len() < need*fw.BitWidth()/8 {
				return fmt.Errorf("column %s: data buffer too short for %d rows", name, d.Len())
			}
		} else if d.DataType().ID() == arrow.BOOL {
			if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len()*8 < need {
				return fmt.Errorf("column %s: data buffer too short for %d rows", name, d.Len())
			}
		}
	}
	return nil
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
