package results

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// Match accepts exactly the column lists a pattern of fixed, repeated
// (<name>) and optional (name?) columns describes.
func TestTableDocMatch(t *testing.T) {
	doc := TableDoc{File: "t.arrow", Writers: "test", Columns: []Column{
		{Name: "id", Type: str}, {Name: "param_<name>", Type: f64}, {Name: "<covariate>", Type: f64},
		{Name: "obs_<t>h_mg_l", Type: f64}, {Name: "extra?", Type: i32}, {Name: "ok", Type: arrow.FixedWidthTypes.Boolean}}}
	schema := func(cols ...Column) *arrow.Schema { return Schema(cols, nil) }
	b := arrow.FixedWidthTypes.Boolean
	good := [][]Column{
		{{"id", str, ""}, {"ok", b, ""}},
		{{"id", str, ""}, {"param_beds", f64, ""}, {"param_x", f64, ""}, {"age_y", f64, ""}, {"obs_38.5h_mg_l", f64, ""}, {"ok", b, ""}},
		{{"id", str, ""}, {"extra", i32, ""}, {"ok", b, ""}},
	}
	for _, cols := range good {
		if err := doc.Match(schema(cols...)); err != nil {
			t.Errorf("%v: %v", cols, err)
		}
	}
	bad := [][]Column{
		{{"id", str, ""}},                                         // a fixed column missing
		{{"id", i64, ""}, {"ok", b, ""}},                          // wrong type
		{{"id", str, ""}, {"param_beds", str, ""}, {"ok", b, ""}}, // a repeated column of the wrong type
		{{"id", str, ""}, {"ok", b, ""}, {"more", f64, ""}},       // an undocumented trailing column
		{{"id", str, ""}, {"extra", i32, ""}, {"extra", i32, ""}, {"ok", b, ""}},
	}
	for _, cols := range bad {
		err := doc.Match(schema(cols...))
		if err == nil || !strings.Contains(err.Error(), "t.arrow (test)") {
			t.Errorf("%v: got %v, want a mismatch naming the table", cols, err)
		}
	}
}

// Every table of a run's directory is documented, and the printed reference
// lists each documented column.
func TestWriteSchemas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSchemas(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for file := range Tables {
		found := false
		for _, d := range Documented() {
			found = found || d.File == file
		}
		if !found {
			t.Errorf("%s is in Tables but not documented (results.Document)", file)
		}
	}
	for _, d := range Documented() {
		if !strings.Contains(out, "## "+d.File+" ("+d.Writers+")") {
			t.Errorf("no section for %s", d.File)
		}
		for _, c := range d.Columns {
			if c.Doc == "" {
				t.Errorf("%s (%s): column %s has no Doc: say what it holds, with its unit", d.File, d.Writers, c.Name)
			}
			if !strings.Contains(out, "| "+c.Name+" | "+c.Type.String()+" |") {
				t.Errorf("%s: no row for %s", d.File, c.Name)
			}
		}
	}
}
