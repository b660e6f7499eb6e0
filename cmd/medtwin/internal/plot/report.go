package plot

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/medtwin/medtwin/engine/results"
)

// Report is a self-contained HTML page (no external resources) with tables and
// inline SVG figures, readable offline.
type Report struct {
	Title    string
	sections []string
}

// Heading adds a section heading and an optional paragraph.
func (r *Report) Heading(h, text string) {
	s := "<h2>" + html.EscapeString(h) + "</h2>"
	if text != "" {
		s += "<p>" + html.EscapeString(text) + "</p>"
	}
	r.sections = append(r.sections, s)
}

// Table adds a table.
func (r *Report) Table(head []string, rows [][]string) {
	var b strings.Builder
	b.WriteString("<table><thead><tr>")
	for _, h := range head {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, c := range row {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	r.sections = append(r.sections, b.String())
}

// Figure adds an inline SVG figure with a caption.
func (r *Report) Figure(svg, caption string) {
	r.sections = append(r.sections, "<figure>"+svg+"<figcaption>"+html.EscapeString(caption)+"</figcaption></figure>")
}

// HTML returns the page.
func (r *Report) HTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}figcaption{color:#555;font-size:90%%}</style></head><body>
<h1>%s</h1><p>medtwin report, generated %s.</p>
`, html.EscapeString(r.Title), html.EscapeString(r.Title), time.Now().UTC().Format(time.RFC3339))
	for _, s := range r.sections {
		b.WriteString(s)
		b.WriteString("\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// Write saves the page through a temporary file.
func (r *Report) Write(path string) error { return results.WriteFileAtomic(path, []byte(r.HTML())) }
