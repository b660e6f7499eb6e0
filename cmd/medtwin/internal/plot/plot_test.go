package plot

import (
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBandAndSVG(t *testing.T) {
	p, err := Band("t", "x", "y", []float64{1, 2, 3}, []float64{2, 3, 4}, []float64{1, 2, 3}, []float64{3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVG(p)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(svg), &v); err != nil || v.XMLName.Local != "svg" {
		t.Fatalf("not SVG: %v", err)
	}
	if _, err := Band("t", "x", "y", []float64{1, 2}, []float64{1}, []float64{1}, []float64{1}); err == nil {
		t.Fatal("mismatched lengths accepted")
	}
	if _, err := Band("t", "x", "y", []float64{1}, []float64{math.NaN()}, []float64{1}, []float64{1}); err == nil {
		t.Fatal("NaN accepted")
	}
	dir := t.TempDir()
	if err := Save(p, filepath.Join(dir, "a.pdf")); err == nil {
		t.Fatal("a .pdf name accepted")
	}
	if err := Save(p, filepath.Join(dir, "a.png")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.png")); !strings.HasPrefix(string(b), "\x89PNG") {
		t.Fatal("not a PNG")
	}
}

func TestTornadoAndReport(t *testing.T) {
	p, err := Tornado("sens", "kpi", []string{"a", "b"}, []float64{1, 0}, []float64{2, 5}, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := SVG(p)
	r := &Report{Title: "R & D <test>"}
	r.Heading("h", "text")
	r.Table([]string{"kpi", "mean"}, [][]string{{"wait_min", "1.25"}})
	r.Figure(svg, "caption")
	h := r.HTML()
	for _, want := range []string{"<td>wait_min</td><td>1.25</td>", "R &amp; D &lt;test&gt;", "<svg", "</html>"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
