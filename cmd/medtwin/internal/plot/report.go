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

// Headline adds the sentence that answers the report's question, in large
// type (class "headline"); a report puts it first.
func (r *Report) Headline(text string) {
	r.sections = append(r.sections, `<p class="headline">`+html.EscapeString(text)+"</p>")
}

// Note adds a plain paragraph.
func (r *Report) Note(text string) {
	r.sections = append(r.sections, "<p>"+html.EscapeString(text)+"</p>")
}

// Details adds body collapsed under a summary line (an HTML <details>
// element): the full table below the decision.
func (r *Report) Details(summary string, body *Report) {
	r.sections = append(r.sections, "<details><summary>"+html.EscapeString(summary)+"</summary>"+
		strings.Join(body.sections, "\n")+"</details>")
}

// Table adds a table.
func (r *Report) Table(head []string, rows [][]string) { r.MarkedTable(head, rows, nil) }

// MarkedTable adds a table whose rows i with marked[i] set are highlighted
// (class "chosen", bold on a yellow background): the plan an optimisation
// chose. marked may be shorter than rows.
func (r *Report) MarkedTable(head []string, rows [][]string, marked []bool) {
	var b strings.Builder
	b.WriteString("<table><thead><tr>")
	for _, h := range head {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for i, row := range rows {
		if i < len(marked) && marked[i] {
			b.WriteString(`<tr class="chosen">`)
		} else {
			b.WriteString("<tr>")
		}
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
figure{margin:1em 0}figcaption{color:#555;font-size:90%%}figure svg{max-width:100%%;height:auto}
.headline{font-size:130%%;font-weight:bold;background:#eef5ee;border-left:6px solid #2ca02c;padding:.6em 1em}
tr.chosen td{background:#fff3b0;font-weight:bold}details{margin:1em 0}summary{cursor:pointer;font-weight:bold}</style></head><body>
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
