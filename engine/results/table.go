package results

import (
	"bufio"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Column is one column of a table: a snake_case name (with the unit where one
// applies, e.g. time_s) and an Arrow type.
type Column struct {
	Name string
	Type arrow.DataType
	Doc  string
}

// Schema builds the Arrow schema of cols with the given metadata (keys sorted, so
// that the bytes do not depend on map order).
func Schema(cols []Column, meta map[string]string) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type}
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fields, &md)
}

// DefaultBatchRows is the number of rows per record batch.
const DefaultBatchRows = 65536

// RepsPerBatch is the size of the blocks of replications (0..1023,
// 1024..2047, ...) whose rows a run's tables (kpis, flow, events, timeseries)
// put into one record batch: a batch ends where the rows of another block
// begin (see Writer.Rep), at DefaultBatchRows rows, and at the end of the file.
// The cuts depend only on the replication numbers of the rows in order, so a
// run, its shards merged and a resumed run write the same bytes. (Until issue
// 25 every replication ended its batch: a record batch, with its flatbuffer
// metadata, per replication was about an eighth of a run of many small
// replications.)
const RepsPerBatch = 1024

// Writer streams rows into an Arrow IPC file. Append values column by column
// (I32, I64, F64, Str, Bool) and call EndRow; EndBatch closes the current record
// batch early, and Rep where a new block of replications begins (see
// RepsPerBatch). Memory holds at most one batch.
type Writer struct {
	path      string
	f         *AtomicFile
	buf       *bufio.Writer // a record batch is many small writes
	written   int64         // bytes handed to buf so far (the file's size once flushed)
	buffered  int64         // bytes of the values of the pending rows, a lower bound of their encoding
	w         *ipc.FileWriter
	b         *array.RecordBuilder
	schema    *arrow.Schema
	batchRows int
	pending   int
	block     int // the block of replications of the pending rows (see Rep)
	rows      int64
	err       error
	// the values of the pending rows, column by column, handed to the
	// builders in bulk when the batch ends (see staged): appending row by row
	// to Arrow's builders was about a tenth of a run of small replications
	st []staged
}

// staged holds the values appended to one column since they were last handed
// to its builder (a column uses the slice of its type). The slices keep their
// capacity from batch to batch.
type staged struct {
	i32 []int32
	i64 []int64
	f64 []float64
	str []string
}

// Create opens a writer for path with the given columns and metadata.
func Create(path string, cols []Column, meta map[string]string, batchRows int) (*Writer, error) {
	if batchRows <= 0 {
		batchRows = DefaultBatchRows
	}
	f, err := CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	schema := Schema(cols, meta)
	mem := memory.NewGoAllocator()
	buf := bufio.NewWriterSize(f, 64<<10)
	tw := &Writer{path: path, f: f, buf: buf, b: array.NewRecordBuilder(mem, schema), schema: schema, batchRows: batchRows,
		st: make([]staged, len(cols))}
	w, err := ipc.NewFileWriter(countingWriter{buf, &tw.written}, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err != nil {
		tw.b.Release()
		f.Abort()
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	tw.w = w
	return tw, nil
}

// countingWriter adds the bytes written through it to *n: the size of a file
// being written, known without a stat per replication (--max-output).
type countingWriter struct {
	w io.Writer
	n *int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	*c.n += int64(k)
	return k, err
}

// Size returns the bytes written so far (the footer not yet) and the bytes of
// the values of the rows not yet written (their record batch will be larger).
func (w *Writer) Size() int64 { return w.written + w.buffered }

// Path returns the final path of the file.
func (w *Writer) Path() string { return w.path }

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int64 { return w.rows }

// I32 appends to column i (int32).
func (w *Writer) I32(i int, v int32) { w.buffered += 4; w.st[i].i32 = append(w.st[i].i32, v) }

// I64 appends to column i (int64).
func (w *Writer) I64(i int, v int64) { w.buffered += 8; w.st[i].i64 = append(w.st[i].i64, v) }

// F64 appends to column i (float64).
func (w *Writer) F64(i int, v float64) { w.buffered += 8; w.st[i].f64 = append(w.st[i].f64, v) }

// Str appends to column i (utf8).
func (w *Writer) Str(i int, v string) {
	w.buffered += 4 + int64(len(v))
	w.st[i].str = append(w.st[i].str, v)
}

// Bool appends to column i (bool).
func (w *Writer) Bool(i int, v bool) {
	w.buffered++
	w.flush(i)
	w.b.Field(i).(*array.BooleanBuilder).Append(v)
}

// Null appends a null to column i.
func (w *Writer) Null(i int) {
	w.flush(i)
	w.b.Field(i).AppendNull()
}

// flush hands column i's staged values to its builder, in the order they
// were appended (a value of the wrong type panics, as the builder's type
// assertion did when values were appended one by one).
func (w *Writer) flush(i int) {
	st := &w.st[i]
	n := len(st.i32) + len(st.i64) + len(st.f64) + len(st.str)
	if n == 0 {
		return
	}
	var ok bool
	switch b := w.b.Field(i).(type) {
	case *array.Int32Builder:
		ok = handOver(b, &st.i32, n)
	case *array.Int64Builder:
		ok = handOver(b, &st.i64, n)
	case *array.Float64Builder:
		ok = handOver(b, &st.f64, n)
	case *array.StringBuilder:
		ok = handOver(b, &st.str, n)
	}
	if ok {
		return
	}
	panic(fmt.Sprintf("results: %s: column %d (%s) was given values of another type", w.path, i, w.b.Field(i).Type()))
}

// handOver appends *vals to b and empties it, if they are all n values staged
// for the column (none of another type).
func handOver[T any](b interface{ AppendValues([]T, []bool) }, vals *[]T, n int) bool {
	if len(*vals) != n {
		return false
	}
	b.AppendValues(*vals, nil)
	clear(*vals) // the builder copied them: keep no string alive
	*vals = (*vals)[:0]
	return true
}

// Rep announces that the rows that follow belong to replication r: the rows
// pending end their record batch first if they belong to another block of
// RepsPerBatch replications.
func (w *Writer) Rep(r int) error {
	b := r / RepsPerBatch
	if w.pending > 0 && b != w.block {
		if err := w.EndBatch(); err != nil {
			return err
		}
	}
	w.block = b
	return w.err
}

// EndRow finishes a row; a full batch is written out.
func (w *Writer) EndRow() error {
	w.pending++
	w.rows++
	if w.pending >= w.batchRows {
		return w.EndBatch()
	}
	return w.err
}

// EndBatch writes the rows appended so far as one record batch (nothing if none).
func (w *Writer) EndBatch() error {
	if w.err != nil || w.pending == 0 {
		return w.err
	}
	for i := range w.st {
		w.flush(i)
	}
	rec := w.b.NewRecordBatch()
	defer rec.Release()
	w.pending, w.buffered = 0, 0
	if err := w.w.Write(rec); err != nil {
		w.err = fmt.Errorf("results: write %s: %w", w.path, err)
	}
	return w.err
}

// Close writes the last batch and the footer and moves the file to its final
// name. On any error the temporary file is removed.
func (w *Writer) Close() error {
	defer w.b.Release()
	if err := w.EndBatch(); err != nil {
		w.w.Close()
		w.f.Abort()
		return err
	}
	if err := w.w.Close(); err != nil {
		w.f.Abort()
		return fmt.Errorf("results: close %s: %w", w.path, err)
	}
	if err := w.buf.Flush(); err != nil {
		w.f.Abort()
		return fmt.Errorf("results: write %s: %w", w.path, err)
	}
	return w.f.Commit()
}

// Abort discards the file.
func (w *Writer) Abort() {
	w.b.Release()
	w.w.Close()
	w.f.Abort()
}
