package plan_test

import (
	"testing"
	"time"

	"github.com/medtwin/medtwin/scripts"
	. "github.com/medtwin/medtwin/scripts/plan"
)

// FuzzGrid: any --grid string is either rejected or gives values that --set
// accepts, never a panic or an unbounded list.
func FuzzGrid(f *testing.F) {
	for _, s := range []string{"servers=1..3", "servers=1..1e9", "servers=5..3", "arrival_rate=0.5..2:0.5", "servers=1,2,,3", "servers=..", "servers=1..2:0", "=1"} {
		f.Add(s)
	}
	base, err := scripts.Load("../../scenarios/mmc.lua", time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		axes, err := ParseGrid(base, []string{spec})
		if err != nil {
			return
		}
		for _, c := range Combos(axes) {
			if _, err := Apply(base, axes, c); err != nil {
				t.Fatalf("--grid %q gave a value --set rejects: %v", spec, err)
			}
		}
	})
}

// FuzzConstraint: constraints parse or fail cleanly.
func FuzzConstraint(f *testing.F) {
	for _, s := range []string{"lwbs_rate<=0.02", "a>=1e400", "x<", ">=3", "a.b >= -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConstraint(s)
		if err == nil && (c.KPI == "" || c.Op == "") {
			t.Fatalf("%q parsed to %+v", s, c)
		}
	})
}
