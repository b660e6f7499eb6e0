package fit

import (
	"math"
	"strings"
	"testing"
)

const exampleCSV = `ID,TIME,AMT,RATE,II,ADDL,SS,CMT,EVID,MDV,DV,LLOQ,WT,CRCL
1,0,1000,500,12,2,0,1,1,1,.,.,70,90
1,1.5,0,0,0,0,0,1,0,0,25.1,0.5,.,.
1,11.9,0,0,0,0,0,1,0,0,0.3,0.5,72,
1,12,0,0,0,0,0,1,2,1,.,.,.,60
1,30,0,0,0,0,0,1,3,1,.,.,.,.
1,31,500,0,0,0,0,1,1,1,.,.,.,.
1,32,0,0,0,0,0,1,0,1,9.9,.,.,.
2,0,750,0,0,0,0,1,4,1,.,.,.,.
2,2,0,0,0,0,0,1,0,0,12,.,80,100
`

func TestReadCSV(t *testing.T) {
	ds, err := ReadCSV(strings.NewReader(exampleCSV), "ex.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ds.Covariates, ","); got != "WT,CRCL" {
		t.Fatalf("covariates %s", got)
	}
	if len(ds.Subjects) != 2 || len(ds.Subjects[0].Records) != 7 {
		t.Fatalf("subjects %d, records %d", len(ds.Subjects), len(ds.Subjects[0].Records))
	}
	r := ds.Subjects[0].Records
	if r[0].EVID != EvidDose || r[0].Dose.Amt != 1000 || r[0].Dose.Rate != 500 || r[0].Dose.ADDL != 2 || r[0].Row != 2 {
		t.Errorf("dose row: %+v", r[0])
	}
	if !r[1].Observed() || r[1].BLQ || r[1].DV != 25.1 {
		t.Errorf("observation row: %+v", r[1])
	}
	if !r[2].BLQ || r[2].LLOQ != 0.5 {
		t.Errorf("DV 0.3 < LLOQ 0.5 must be BLQ: %+v", r[2])
	}
	// covariates: WT carried forward (70, 70, 72, 72, ...), CRCL 90, 90, 90, 60, 60
	wantWT := []float64{70, 70, 72, 72, 72, 72, 72}
	wantCR := []float64{90, 90, 90, 60, 60, 60, 60}
	for i, rec := range r {
		if rec.Cov[0] != wantWT[i] || rec.Cov[1] != wantCR[i] {
			t.Errorf("row %d covariates %v, want %v %v", rec.Row, rec.Cov, wantWT[i], wantCR[i])
		}
	}
	if r[6].Observed() {
		t.Error("MDV = 1 observation must stay out of the fit")
	}
	// subject 2: the first covariate value is carried back to earlier rows
	if c := ds.Subjects[1].Records[0].Cov; c[0] != 80 || c[1] != 100 {
		t.Errorf("subject 2 first row covariates %v, want 80 100", c)
	}
	// segments: the reset at 30 h cuts the ADDL doses (12, 24 h kept) and starts anew
	segs := ds.Subjects[0].segments()
	if len(segs) != 2 || len(segs[0].doses) != 3 || len(segs[1].doses) != 1 || segs[1].doses[0].Time != 31 {
		t.Fatalf("segments: %+v", segs)
	}
}

// TestReadCSVAddlCutAtReset: additional doses due after a reset are not given.
func TestReadCSVAddlCutAtReset(t *testing.T) {
	src := "ID,TIME,AMT,II,ADDL,EVID,DV\n1,0,100,12,10,1,.\n1,30,0,0,0,3,.\n1,40,0,0,0,0,1\n"
	ds, err := ReadCSV(strings.NewReader(src), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	segs := ds.Subjects[0].segments()
	if len(segs[0].doses) != 3 { // 0, 12, 24 h; 36 h and later fall after the reset at 30 h
		t.Errorf("%d doses before the reset, want 3", len(segs[0].doses))
	}
}

// TestReadCSVBadRows: each bad row is named by line, column and why.
func TestReadCSVBadRows(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"ID,TIME\n1,0\n", "no DV column"},
		{"ID,TIME,DV\n1,x,3\n", "line 2, column TIME: \"x\" is not a finite number"},
		{"ID,TIME,DV,EVID\n1,0,3,7\n", "line 2, column EVID: 7 must be an integer in 0..4"},
		{"ID,TIME,DV,AMT,EVID\n1,0,.,0,1\n", "line 2, column AMT: a dose record (EVID 1) needs AMT > 0"},
		{"ID,TIME,DV,AMT,EVID\n1,0,5,100,0\n", "line 2, column AMT: AMT = 100 on a record that is not a dose"},
		{"ID,TIME,DV\n1,5,3\n1,4,3\n", "line 3, column TIME: 4 goes back in time (line 2 has 5)"},
		{"ID,TIME,DV\n1,0,3\n2,0,3\n1,1,3\n", "line 4, column ID: subject 1 appears again"},
		{"ID,TIME,DV\n1,0,.\n", "line 2, column DV: an observation (EVID 0, MDV 0) needs DV"},
		{"ID,TIME,DV,BLQ\n1,0,0,1\n", "line 2, column LLOQ: a BLQ observation needs LLOQ > 0"},
		{"ID,TIME,DV,WT\n1,0,3,heavy\n", "line 2, column WT: covariate \"heavy\" is not a finite number"},
		{"ID,TIME,DV,AMT,ADDL\n1,0,.,5,1.5\n", "line 2: ADDL must be an integer within ±100000, got 1.5"},
		{"ID,TIME,DV,AMT,RATE\n1,0,.,5,-1\n", "line 2: RATE must be >= 0"},
		{"ID,TIME,DV\n,0,3\n", "line 2, column ID: the subject ID is missing"},
		{"ID,TIME,DV\n", "no data rows"},
	} {
		_, err := ReadCSV(strings.NewReader(c.src), "bad.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.src, err, c.want)
		}
	}
}

// TestNoEVID: without EVID a row with AMT > 0 is a dose, MDV = 1 is EVID 2.
func TestNoEVID(t *testing.T) {
	ds, err := ReadCSV(strings.NewReader("ID,TIME,AMT,MDV,DV\n1,0,100,1,.\n1,1,0,0,4\n1,2,.,1,.\n"), "n.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := ds.Subjects[0].Records
	if r[0].EVID != EvidDose || r[1].EVID != EvidObservation || r[2].EVID != EvidOther {
		t.Errorf("EVIDs %d %d %d, want 1 0 2", r[0].EVID, r[1].EVID, r[2].EVID)
	}
	if !math.IsNaN(0*r[1].DV) && r[1].DV != 4 {
		t.Errorf("DV %v", r[1].DV)
	}
}
