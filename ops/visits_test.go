package ops

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Good rows are read with their times on the wall clock of day 0; every bad
// row is left out and named with its line, column and reason.
func TestReadVisitsCSV(t *testing.T) {
	p := writeFile(t, "visits.csv", `id,arrival,acuity,seen,departure,disposition
1,2026-03-02T08:15:00+01:00,3,2026-03-02T08:45:00+01:00,2026-03-02T12:15:00+01:00,discharged
2,2026-03-03T23:30:00Z,2,,2026-03-04T01:00:00Z,LWBS
3,not a time,3,,,discharged
4,2026-03-02T09:00:00+01:00,7,,,discharged
5,2026-03-02T09:00:00+01:00,2,2026-03-02T08:00:00+01:00,,admitted
6,2026-03-02T09:00:00+01:00,2,,,home
7,,2,,,discharged
8,2026-03-02T10:00:00+01:00,,2026-03-02T10:20:00+01:00,2026-03-02T10:10:00+01:00,admitted
9,5.5,1,,,discharged
`)
	vs, err := ReadVisits(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Visits) != 2 {
		t.Fatalf("%d visits, want 2: %+v", len(vs.Visits), vs.Visits)
	}
	v := vs.Visits[0]
	if v.Arrival != 8.25*3600 || v.DoorToDoctor() != 1800 || v.LOS() != 4*3600 || v.Acuity != 3 || v.Disposition != "discharged" {
		t.Errorf("first visit %+v", v)
	}
	w := vs.Visits[1]
	if w.Arrival != (24+23.5)*3600 || !math.IsNaN(w.Seen) || w.Disposition != "left_unseen" {
		t.Errorf("second visit %+v", w)
	}
	want := []string{"line 4, arrival", "line 5, acuity", "line 6, seen: before arrival", "line 7, disposition",
		"line 8, arrival: empty", "line 9, departure: before the provider-seen time", "line 10, arrival"}
	if len(vs.Bad) != len(want) {
		t.Fatalf("bad rows %v, want %d", vs.Bad, len(want))
	}
	for i, b := range vs.Bad {
		if !strings.HasPrefix(b.String(), want[i]) {
			t.Errorf("bad row %d is %q, want %q...", i, b, want[i])
		}
	}
	// hours form
	p = writeFile(t, "hours.csv", "arrival,seen,departure\n1.5,2,4\n26,,27\n")
	vs, err = ReadVisits(p)
	if err != nil || len(vs.Visits) != 2 || vs.Visits[1].Arrival != 26*3600 || vs.Visits[0].DoorToDoctor() != 1800 {
		t.Fatalf("hours: %+v, %v", vs, err)
	}
	for body, msg := range map[string]string{"acuity\n3\n": "no arrival column", "arrival\nx\n": "no usable visit", "arrival,arrival\n1,2\n": "twice"} {
		if _, err := ReadVisits(writeFile(t, "bad.csv", body)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", body, err, msg)
		}
	}
}

// encounters.arrow of fhir import: EMER encounters become visits with arrival
// and departure; other classes are not ED visits.
func TestReadVisitsEncounters(t *testing.T) {
	str := arrow.BinaryTypes.String
	cols := []results.Column{{Name: "pseudonym", Type: str}, {Name: "class", Type: str}, {Name: "start_shifted", Type: str},
		{Name: "end_shifted", Type: str}, {Name: "los_h", Type: arrow.PrimitiveTypes.Float64}}
	p := filepath.Join(t.TempDir(), "encounters.arrow")
	w, err := results.Create(p, cols, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][4]string{{"a", "EMER", "2020-01-01T10:00:00Z", "2020-01-01T14:30:00Z"}, {"a", "AMB", "2020-01-01T09:00:00Z", ""},
		{"b", "EMER", "2020-01-02T03:00:00Z", ""}, {"b", "EMER", "yesterday", ""}} {
		for i, s := range r {
			w.Str(i, s)
		}
		w.F64(4, math.NaN())
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	vs, err := ReadVisits(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Visits) != 2 || vs.Visits[0].Arrival != 10*3600 || vs.Visits[0].LOS() != 4.5*3600 || vs.Visits[1].Arrival != 27*3600 ||
		!math.IsNaN(vs.Visits[1].LOS()) || !math.IsNaN(vs.Visits[0].Boarding()) {
		t.Errorf("visits %+v", vs.Visits)
	}
	if len(vs.Bad) != 1 || vs.Bad[0].Line != 4 || vs.Bad[0].Column != "start_shifted" {
		t.Errorf("bad rows %v", vs.Bad)
	}
}

// admit_decision gives the boarding time, departure minus the decision to
// admit; one before arrival or after departure is a named bad row; a visit
// without it has no boarding (NaN) (encounters.arrow never has it:
// TestReadVisitsEncounters).
func TestReadVisitsBoarding(t *testing.T) {
	p := writeFile(t, "visits.csv", `arrival,seen,departure,disposition,admit_decision
1,1.5,9,admitted,5.5
2,2.5,4,discharged,
3,3.5,9,admitted,2
4,4.5,6,admitted,7
`)
	vs, err := ReadVisits(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Visits) != 2 || vs.Visits[0].Boarding() != 3.5*3600 || !math.IsNaN(vs.Visits[1].Boarding()) {
		t.Fatalf("visits %+v", vs.Visits)
	}
	if len(vs.Bad) != 2 || !strings.HasPrefix(vs.Bad[0].String(), "line 4, admit_decision: before arrival") ||
		!strings.HasPrefix(vs.Bad[1].String(), "line 5, departure: before the decision to admit") {
		t.Errorf("bad rows %v", vs.Bad)
	}
	_, o := Samples(nil, vs.Visits)
	if len(o["boarding_h"]) != 1 || o["boarding_h"][0] != 3.5 {
		t.Errorf("boarding_h sample %v, want [3.5]", o["boarding_h"])
	}
}
