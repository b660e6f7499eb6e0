package scripts

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/trial"
)

// lloqTrial: 100 mg IV bolus into 50 L, CL 5 L/h, no IIV and no residual
// error, so each level is C(t) = 2·e^{−0.1t} mg/L exactly: 1.637 at 2 h,
// 0.736 at 10 h, 0.271 at 20 h, 0.0996 at 30 h. With lloq = 0.5 the last
// two are below the limit.
const lloqTrial = `return trial {
  name = "lloq", subjects = 3,
  model = function(s) return { ncmt = 1, cl = 5, v1 = 50 } end,
  arms = { { name = "100 mg", doses = { { amt = 100, cmt = 1 } } } },
  sampling = { times = { 2, 10, 20, 30 }, residual = { add = 0, prop = 0 }, lloq = 0.5, blq = "RULE" },
  endpoints = { c2 = { conc = 2 } },
}`

// Issue 24: measured levels went negative with no below-quantification
// handling. With sampling.lloq, a level below it is flagged (blq_<t>h) and
// reported by the rule: at the limit (flag), at half of it (lloq/2), or
// dropped (null in subjects.arrow, NaN when read back); levels at or above
// it are reported as drawn.
func TestTrialLLOQ(t *testing.T) {
	conc := func(h float64) float64 { return 2 * math.Exp(-0.1*h) }
	for rule, below := range map[string]float64{trial.BLQFlag: 0.5, trial.BLQHalf: 0.25, trial.BLQDrop: math.NaN()} {
		tr, res := runTrial(t, strings.Replace(lloqTrial, "RULE", rule, 1))
		for _, r := range res {
			for k, h := range tr.SampleTimes {
				wantBLQ := conc(h) < 0.5
				want := conc(h)
				if wantBLQ {
					want = below
				}
				got := r.Samples[k]
				if r.BLQ[k] != wantBLQ || !(math.Abs(got-want) <= 1e-6*want || math.IsNaN(want) && math.IsNaN(got)) {
					t.Errorf("%s: subject %d at %g h: %v (blq %v), want %v (blq %v)", rule, r.Subject, h, got, r.BLQ[k], want, wantBLQ)
				}
			}
		}
		// the file has the flags after the levels, and reads back the same
		cols := tr.Columns()
		var names []string
		for _, c := range cols {
			names = append(names, c.Name)
		}
		if got := strings.Join(names, ","); !strings.Contains(got, "obs_2h_mg_l,obs_10h_mg_l,obs_20h_mg_l,obs_30h_mg_l,blq_2h,blq_10h,blq_20h,blq_30h,total_dose_mg") {
			t.Errorf("%s: columns %s", rule, got)
		}
		dir := t.TempDir()
		f, err := tr.Create(dir, tr.Provenance("test", 0, tr.Subjects, ""))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Add(res); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		back, err := tr.ReadSubjects(filepath.Join(dir, "subjects.arrow"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range res {
			if !sameBits(back[i].Samples, res[i].Samples) || !equalBools(back[i].BLQ, res[i].BLQ) {
				t.Errorf("%s: subject %d read back %v %v, wrote %v %v", rule, i, back[i].Samples, back[i].BLQ, res[i].Samples, res[i].BLQ)
			}
		}
	}
}

// runTrial loads a trial spec from src and runs all its subjects.
func runTrial(t *testing.T, src string) (*trial.Spec, []trial.Result) {
	t.Helper()
	tr, err := LoadTrial(write(t, "trial.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	return tr, res
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Without lloq nothing changes: no blq columns, levels as drawn (with an
// additive error of SD 1 mg/L some are negative, as before); a bad limit or
// rule is an error naming it.
func TestTrialWithoutLLOQ(t *testing.T) {
	src := strings.Replace(strings.Replace(lloqTrial, `, lloq = 0.5, blq = "RULE"`, "", 1), "add = 0,", "add = 1,", 1)
	src = strings.Replace(src, "subjects = 3", "subjects = 50", 1)
	tr, res := runTrial(t, src)
	for _, c := range tr.Columns() {
		if strings.HasPrefix(c.Name, "blq_") {
			t.Errorf("column %s without lloq", c.Name)
		}
	}
	negative := 0
	for _, r := range res {
		if r.BLQ != nil {
			t.Fatalf("subject %d: BLQ flags without lloq", r.Subject)
		}
		for _, v := range r.Samples {
			if v < 0 {
				negative++
			}
		}
	}
	if negative == 0 {
		t.Error("no negative level without lloq: the levels are not as drawn")
	}
	for bad, msg := range map[string]string{
		`lloq = -1`:                "sampling.lloq must be a finite level >= 0",
		`lloq = 0.5, blq = "half"`: `sampling.blq must be "flag", "lloq/2" or "drop", got "half"`,
		`blq = "drop"`:             `sampling.blq = "drop" needs sampling.lloq > 0`,
		`llqo = 0.5`:               "sampling: unknown key 'llqo'",
	} {
		_, err := LoadTrial(write(t, "bad.lua", strings.Replace(lloqTrial, `lloq = 0.5, blq = "RULE"`, bad, 1)))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", bad, err, msg)
		}
	}
}

// Review of issue 24: sampling.blq was read with LVAsString, so a value that
// is not a string (blq = true, blq = { "drop" }) became "" and silently the
// flag rule. It must be one of the rule names.
func TestTrialBLQRuleMustBeString(t *testing.T) {
	for _, bad := range []string{`lloq = 0.5, blq = true`, `lloq = 0.5, blq = { "drop" }`} {
		_, err := LoadTrial(write(t, "bad.lua", strings.Replace(lloqTrial, `lloq = 0.5, blq = "RULE"`, bad, 1)))
		if err == nil || !strings.Contains(err.Error(), "sampling.blq must be") {
			t.Errorf("%s: %v, want an error naming sampling.blq", bad, err)
		}
	}
}
