package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Export formats: Parquet for DuckDB, Spark, pandas and R's arrow; CSV for a
// plain Python or R with nothing installed.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

// ParquetRowGroupRows is the number of rows per Parquet row group. Row groups
// are cut by row count only (not by the Arrow file's record batches), so the
// Parquet bytes depend on the table's contents alone.
const ParquetRowGroupRows = 1 << 20

// parquetCreatedBy is the writer name stored in every Parquet footer: fixed,
// so that the bytes do not change with the arrow-go patch version.
const parquetCreatedBy = "medtwin (arrow-go pqarrow)"

// Export converts the Arrow IPC file src to dst in the given format
// (FormatParquet or FormatCSV). The file is written under a temporary name and
// renamed when complete. Parquet keeps the Arrow schema's metadata (provenance:
// version, scenario and its SHA-256, parameters, seed, replications, shard) as
// the file's key-value metadata; CSV has no place for it, so a CSV export
// writes it beside the file, as dst with ".csv" replaced by ".meta.json".
// The same src gives the same bytes.
func Export(src, dst, format string) error {
	switch format {
	case FormatParquet:
		return writeParquet(src, dst)
	case FormatCSV:
		schema, err := writeCSV(src, dst)
		if err != nil {
			return err
		}
		return writeCSVMeta(schema, CSVMetaPath(dst))
	}
	return fmt.Errorf("results: unknown export format %q (want %s or %s)", format, FormatParquet, FormatCSV)
}

// ExportPath is the file that exporting src in format writes into dir: src's
// base name with ".arrow" replaced by ".parquet" or ".csv".
func ExportPath(src, dir, format string) string {
	base := strings.TrimSuffix(filepath.Base(src), ".arrow")
	return filepath.Join(dir, base+"."+format)
}

// CSVMetaPath is the sidecar of a CSV export that holds the columns' Arrow
// types and the schema metadata: "x.csv" -> "x.meta.json".
func CSVMetaPath(csvPath string) string {
	return strings.TrimSuffix(csvPath, ".csv") + ".meta.json"
}

// ArrowFiles lists the Arrow files of an output directory (*.arrow directly in
// it, sorted), or path itself when it is a file.
func ArrowFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.arrow"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .arrow files in this directory", path)
	}
	return files, nil
}

// writeParquet reads src twice, one record batch at a time (memory holds a
// batch and the row group being built, whatever the file's size): once for
// the columns that hold nulls, once to write.
func writeParquet(src, dst string) error {
	schema, err := nullableSchema(src)
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(ParquetRowGroupRows),
		parquet.WithCreatedBy(parquetCreatedBy),
	)
	f, err := CreateAtomic(dst)
	if err != nil {
		return err
	}
	// the Arrow schema itself (ARROW:schema) lets Arrow readers restore the
	// exact types; the schema's metadata becomes Parquet key-value metadata
	// (wrapped: the Parquet writer would close the file, which Commit syncs first)
	w, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{f}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Abort()
		return fmt.Errorf("results: %s: %w", dst, err)
	}
	// WriteBuffered cuts row groups by row count, not at the batches' edges
	_, err = Scan(src, func(rec arrow.RecordBatch) error {
		b := array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
		defer b.Release()
		return w.WriteBuffered(b)
	})
	if err == nil {
		err = w.Close()
	} else {
		w.Close()
	}
	if err != nil {
		f.Abort()
		return fmt.Errorf("results: write %s: %w", dst, err)
	}
	return f.Commit()
}

// nullableSchema returns src's schema with every column that holds a null
// marked nullable: medtwin's schemas declare their columns non-nullable, and a
// Parquet "required" column would silently turn a null into a value.
func nullableSchema(src string) (*arrow.Schema, error) {
	var nulls []bool
	schema, err := Scan(src, func(rec arrow.RecordBatch) error {
		if nulls == nil {
			nulls = make([]bool, rec.NumCols())
		}
		for c := range nulls {
			nulls[c] = nulls[c] || rec.Column(c).NullN() > 0
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fields := schema.Fields()
	for c := range nulls {
		fields[c].Nullable = fields[c].Nullable || nulls[c]
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// writeCSV writes a header of column names and one line per row (RFC 4180).
// Floats are written in the shortest form that reads back to the same
// float64; NaN and infinities as NaN, Inf and -Inf, which Python's float(), R's
// read.csv and pandas all read; a null is an empty field.
func writeCSV(src, dst string) (*arrow.Schema, error) {
	f, err := CreateAtomic(dst)
	if err != nil {
		return nil, err
	}
	w := csv.NewWriter(f)
	header := func(s *arrow.Schema) {
		names := make([]string, s.NumFields())
		for i, fd := range s.Fields() {
			names[i] = fd.Name
		}
		w.Write(names)
	}
	var row []string
	schema, err := Scan(src, func(b arrow.RecordBatch) error {
		if row == nil {
			header(b.Schema())
			row = make([]string, b.NumCols())
		}
		for i := 0; i < int(b.NumRows()); i++ {
			for c := range row {
				row[c] = csvValue(b.Column(c), i)
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && row == nil {
		header(schema) // no rows: the header alone
	}
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		f.Abort()
		return nil, fmt.Errorf("results: write %s: %w", dst, err)
	}
	return schema, f.Commit()
}

func csvValue(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch a := col.(type) {
	case *array.Float64:
		return csvFloat(a.Value(i))
	case *array.Float32:
		return csvFloat(float64(a.Value(i)))
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	}
	return col.ValueStr(i)
}

func csvFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// CSVMeta is the sidecar of a CSV export: the columns with their Arrow types
// and the Arrow file's schema metadata (provenance), keys sorted.
type CSVMeta struct {
	Columns  []CSVColumn       `json:"columns"`
	Metadata map[string]string `json:"metadata"`
}

// CSVColumn is one column of a CSV export: its name and Arrow type.
type CSVColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func writeCSVMeta(schema *arrow.Schema, dst string) error {
	m := CSVMeta{Metadata: schema.Metadata().ToMap()}
	for _, f := range schema.Fields() {
		m.Columns = append(m.Columns, CSVColumn{f.Name, f.Type.String()})
	}
	data, err := json.MarshalIndent(m, "", "  ") // map keys are sorted
	if err != nil {
		return err
	}
	return WriteFileAtomic(dst, append(data, '\n'))
}
