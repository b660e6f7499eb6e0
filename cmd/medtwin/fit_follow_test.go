package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/scripts"
)

// followSpec is the vancomycin MAP spec without the creatinine-clearance
// covariate, which a FHIR stream of levels and doses does not carry.
func followSpec(t testing.TB) string {
	src, err := os.ReadFile("../../scenarios/vancomycin_map.lua")
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(src), "\n") {
		if !strings.Contains(l, "CRCL") {
			keep = append(keep, l)
		}
	}
	path := filepath.Join(t.TempDir(), "vanco_follow.lua")
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// followStream is a patient's weight, doses every 12 h (1-h infusions of
// 1 g) and a level before each dose from the 3rd, as NDJSON FHIR resources.
func followStream(patients, levels int) string {
	var b strings.Builder
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	ts := func(h float64) string { return t0.Add(time.Duration(h * float64(time.Hour))).Format(time.RFC3339) }
	for p := 1; p <= patients; p++ {
		fmt.Fprintf(&b, `{"resourceType":"Observation","subject":{"reference":"Patient/p%d"},"effectiveDateTime":%q,"code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"valueQuantity":{"value":%d,"unit":"kg"}}`+"\n", p, ts(0), 60+p)
		for k := 0; k < levels+2; k++ {
			h := 12 * float64(k)
			if k >= 2 {
				fmt.Fprintf(&b, `{"resourceType":"Observation","subject":{"reference":"Patient/p%d"},"effectiveDateTime":%q,"code":{"coding":[{"system":"http://loinc.org","code":"4092-3"}]},"valueQuantity":{"value":%g,"unit":"mg/L"}}`+"\n", p, ts(h-0.2), 9+float64(p%5)+float64(k))
			}
			fmt.Fprintf(&b, `{"resourceType":"MedicationAdministration","subject":{"reference":"Patient/p%d"},"effectivePeriod":{"start":%q,"end":%q},"dosage":{"dose":{"value":1000,"unit":"mg"}}}`+"\n", p, ts(h), ts(h+1))
		}
	}
	return b.String()
}

// TestFitFollow: one JSON line per level, with the posterior narrowing as
// levels come in, and bad lines named.
func TestFitFollow(t *testing.T) {
	spec := followSpec(t)
	var out, errb bytes.Buffer
	app := newApp(&out, &errb)
	app.Reader = strings.NewReader(followStream(2, 3))
	if err := app.Run([]string{"medtwin", "fit", "--follow", spec}); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6 (3 levels × 2 patients):\n%s", len(lines), out.String())
	}
	var first, last followUpdate
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[2]), &last)
	if first.Patient != "p1" || first.Levels != 1 || last.Levels != 3 || last.Recommendation == nil {
		t.Fatalf("updates %+v, %+v", first, last)
	}
	if a, b := first.EtaSD["eta_cl"].(float64), last.EtaSD["eta_cl"].(float64); !(b < a) {
		t.Errorf("SD of eta_cl %v after 1 level, %v after 3: the posterior must narrow", a, b)
	}
	if !strings.Contains(errb.String(), "latency p50") {
		t.Errorf("no latency line: %s", errb.String())
	}
	for _, c := range []struct{ in, want string }{
		{"{not json\n", "stdin line 1: not a FHIR resource"},
		{`{"resourceType":"Observation","effectiveDateTime":"2026-01-01T00:00:00Z"}` + "\n", "stdin line 1: Observation has no subject.reference"},
		{`{"resourceType":"MedicationAdministration","subject":{"reference":"Patient/x"},"effectiveDateTime":"yesterday"}` + "\n", "is not an RFC 3339 time"},
		{`{"resourceType":"MedicationAdministration","subject":{"reference":"Patient/x"},"effectiveDateTime":"2026-01-01T00:00:00Z","dosage":{"dose":{"value":1,"unit":"g"}}}` + "\n", "dosage.dose with a value > 0 in mg"},
	} {
		app := newApp(&out, &errb)
		app.Reader = strings.NewReader(c.in)
		err := app.Run([]string{"medtwin", "fit", "--follow", spec})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
}

// BenchmarkFollowUpdate: the latency of one --follow update (parse the
// level, refit the patient's MAP, recommend among the spec's 24 regimens over
// 2 000 posterior draws), as p50 and p99 over 50 patients × 6 levels.
func BenchmarkFollowUpdate(b *testing.B) {
	spec, err := scripts.LoadFitSpec(followSpec(b))
	if err != nil {
		b.Fatal(err)
	}
	stream := followStream(50, 6)
	var all []time.Duration
	for i := 0; i < b.N; i++ {
		lat, err := follow(spec, strings.NewReader(stream), &bytes.Buffer{}, defaultLevelLOINC)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, lat...)
	}
	p50, p99 := latencyQuantiles(all)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms")
}
