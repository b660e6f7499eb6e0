package pm

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Patch 12: the meter stops a match when its context ends, with the context's cause,
// and at its step budget otherwise.
func TestMeterStops(t *testing.T) {
	src := []byte(strings.Repeat("a", 3000))
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("the run exceeded its time limit of 2s (--timeout)"))
	_, err := FindMetered(&Meter{Context: ctx}, "a*a*a*a*a*b", src, 0, 1)
	if err == nil || err.Error() != "stopped: the run exceeded its time limit of 2s (--timeout)" {
		t.Fatalf("cancelled: %v", err)
	}
	m := &Meter{MaxSteps: 1 << 20}
	_, err = FindMetered(m, "a*a*a*a*a*b", src, 0, 1)
	if err == nil || !strings.Contains(err.Error(), "pattern too complex") || m.Steps() != 1<<20 {
		t.Fatalf("budget: %v after %d steps", err, m.Steps())
	}
}

// Without limits the matcher finds what Lua 5.1 finds: "(%w+)=(%w+)" in
// "k=v" captures bytes 0..1 and 2..3 (reference manual, section 5.4.1).
func TestFindCaptures(t *testing.T) {
	mds, err := FindMetered(&Meter{}, "(%w+)=(%w+)", []byte("k=v"), 0, 1)
	if err != nil || len(mds) != 1 {
		t.Fatalf("%v %v", mds, err)
	}
	md := mds[0]
	got := []int{md.Capture(0), md.Capture(1), md.Capture(2), md.Capture(3), md.Capture(4), md.Capture(5)}
	want := []int{0, 3, 0, 1, 2, 3}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("captures %v, want %v", got, want)
		}
	}
}
