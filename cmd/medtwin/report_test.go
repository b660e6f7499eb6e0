package main

import (
	"context"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts/plan"
)

// screenshot renders the HTML report headless in Chromium (Debian package
// chromium) and checks the PNG decodes; without a chromium binary it does
// nothing. The PNGs go to $MEDTWIN_REPORT_SHOTS when set (to look at them),
// else to a temporary directory.
func screenshot(t *testing.T, report, name string) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Logf("no chromium binary: %s not rendered", name)
		return
	}
	dir := os.Getenv("MEDTWIN_REPORT_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	abs, _ := filepath.Abs(report)
	shot := filepath.Join(dir, name+".png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,1800", "--screenshot="+shot, "file://"+abs)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", name, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot of %s: %v", name, err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < 1000 {
		t.Fatalf("screenshot of %s: %v", name, err)
	}
}

func readReport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(string(b), "</html>") {
		t.Fatalf("report %s: %v", path, err)
	}
	if strings.Contains(string(b), "http://") && !strings.Contains(string(b), "xmlns=\"http://www.w3.org") {
		t.Errorf("report %s refers to an external resource", path)
	}
	return string(b)
}

// Acceptance (issue 24): compare's report opens with a headline that names the
// variant and the change in percent with its CI, then the forest plot in
// percent, and only then the full table, collapsed.
func TestCompareReportDecisionFirst(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "compare.html")
	if _, errs, code := medtwin(t, "compare", "../../scenarios/mmc.lua", "--set", "customers=5000", "--replications", "8",
		"--report", report, "--vs", "--set", "servers=11"); code != 0 {
		t.Fatalf("compare: %s", errs)
	}
	html := readReport(t, report)
	head := regexp.MustCompile(`<p class="headline">With servers=11, (wait_h|waited) falls [0-9.]+% \(95% CI [0-9.]+–[0-9.]+%\) versus the base: better\.</p>`)
	h := head.FindStringIndex(html)
	if h == nil {
		t.Fatalf("no headline naming the variant and the change in percent:\n%.1500s", html)
	}
	fig, det := strings.Index(html, "<figure>"), strings.Index(html, "<details>")
	if fig < h[1] || det < fig {
		t.Errorf("want headline, then figure, then the collapsed table; at %d, %d, %d", h[0], fig, det)
	}
	if !strings.Contains(html[fig:det], "change in % of the baseline mean") {
		t.Error("the forest plot's axis is not in percent")
	}
	// declared KPIs (wait_h, waited) come first in the forest plot
	if w, o := strings.Index(html[fig:det], "waited (better)"), strings.Index(html[fig:det], "servers.utilisation"); w < 0 || o >= 0 && o < w {
		t.Errorf("declared KPIs are not listed first in the forest plot (%d, %d)", w, o)
	}
	if !strings.Contains(html[det:], "<th>change</th>") || !regexp.MustCompile(`<td>-[0-9.]+%</td>`).MatchString(html[det:]) {
		t.Error("the full table has no change in percent")
	}
	screenshot(t, report, "compare")
}

// Acceptance (issue 24): optimize's report says which plan was chosen, marks
// it in the table and on the cost figure, and labels intervals with the
// Bonferroni-adjusted level the decision used (97.5% for two constraints).
func TestOptimizeReportChosenPlan(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "optimize.html")
	out, errs, code := medtwin(t, "optimize", "../../scenarios/mmc.lua", "--set", "customers=3000", "--grid", "servers=9..13",
		"--constraint", "wait_h<=0.5", "--constraint", "waited<=0.7", "--batch", "5", "--max-replications", "20", "--report", report)
	if code != 0 {
		t.Fatalf("optimize: %s", errs)
	}
	m := regexp.MustCompile(`chosen plan: (servers=\d+) \(cost ([0-9.]+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("optimize chose nothing:\n%s", out)
	}
	html := readReport(t, report)
	if !strings.Contains(html, `<p class="headline">Chosen plan: `+m[1]+` (cost `+m[2]+`)`) {
		t.Errorf("the headline does not name the chosen plan %s", m[1])
	}
	rows := regexp.MustCompile(`<tr class="chosen"><td>([^<]*)</td>`).FindAllStringSubmatch(html, -1)
	if len(rows) != 1 || rows[0][1] != m[1] {
		t.Errorf("highlighted rows %v, want exactly the chosen plan %s", rows, m[1])
	}
	if !strings.Contains(html, "97.5% confidence per constraint (Bonferroni over 2 constraints") ||
		!strings.Contains(html, "<th>wait_h 97.5% CI</th>") {
		t.Error("the report does not state the adjusted level 97.5%")
	}
	if strings.Contains(html, "95% CI") {
		t.Error("the report labels intervals 95% although the decision used 97.5%")
	}
	if c := strings.Count(html, "<figure>"); c != 2 {
		t.Errorf("%d cost figures, want one per constraint (2)", c)
	}
	if !strings.Contains(html, "chosen</text>") {
		t.Error("the cost figure does not mark the chosen plan")
	}
	screenshot(t, report, "optimize")
}

// Acceptance (issue 24): the run report lists parameter values with units and
// never shows a negative lower bound for a KPI whose values are all >= 0.
func TestRunReportParamsAndBounds(t *testing.T) {
	dir := t.TempDir()
	run, report := filepath.Join(dir, "run"), filepath.Join(dir, "run.html")
	if _, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--set", "customers=3000", "--replications", "3",
		"--out", run, "--quiet", "--report", report); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	html := readReport(t, report)
	for _, row := range []string{"<td>servers</td><td>10</td><td>servers</td>", "<td>arrival_rate</td><td>9</td><td>per hour</td>",
		"<td>wait_h</td><td>h</td>", "<td>servers.wait_mean_s</td><td>s</td>"} {
		if !strings.Contains(html, row) {
			t.Errorf("report has no row %s", row)
		}
	}
	minima, err := kpiMinima(run)
	if err != nil {
		t.Fatal(err)
	}
	for name, min := range minima {
		if min >= 0 && strings.Contains(html, "<td>"+name+"</td>") && regexp.MustCompile(`<td>`+regexp.QuoteMeta(name)+`</td><td>[^<]*</td><td>[^<]*</td><td>\[-`).MatchString(html) {
			t.Errorf("%s is never negative but its CI is shown below 0", name)
		}
	}
	screenshot(t, report, "run")
}

// clippedLow clips at 0 only a KPI that was never negative.
func TestClippedLow(t *testing.T) {
	s := engine.KPISummary{Name: "boarding_h", Summary: stats.Summary{N: 3, Mean: 0.0008, Low: -0.0004, High: 0.002}}
	if low, c := clippedLow(s, map[string]float64{"boarding_h": 0}); low != 0 || !c {
		t.Errorf("boarding_h: low %g clipped %v, want 0 true", low, c)
	}
	if low, c := clippedLow(s, map[string]float64{"boarding_h": -1}); low != -0.0004 || c {
		t.Errorf("a KPI with negative values: low %g clipped %v, want -0.0004 false", low, c)
	}
}

// atLevel agrees with stats.Summarize at another level: for x = 1..5 (mean 3,
// sd sqrt(2.5)) the 97.5% half-width is t(0.9875, 4)·sd/√5 with t(0.9875, 4)
// = 3.4954 (R 4.2: qt(0.9875, 4) = 3.4954059; an independent reference).
func TestAtLevelBonferroni(t *testing.T) {
	s := atLevel(stats.Summarize([]float64{1, 2, 3, 4, 5}, 0.95), plan.AdjustedLevel(2))
	want := 3.4954 * math.Sqrt(2.5) / math.Sqrt(5)
	if math.Abs(s.HalfWidth-want) > 1e-3 || s.Level != 0.975 {
		t.Errorf("half-width %g at level %g, want %g at 0.975", s.HalfWidth, s.Level, want)
	}
	if got := levelText(0.975); got != "97.5%" {
		t.Errorf("levelText(0.975) = %q", got)
	}
}

// The headline turns a fall into a positive percentage and CI range:
// baseline 50, difference −9 [−12, −6] is a fall of 18% (12–24%).
func TestCompareHeadlinePercent(t *testing.T) {
	d := plan.Diff{KPI: "door_to_doctor_min", Baseline: 50, Verdict: "better",
		Diff: stats.Summary{N: 10, Mean: -9, Low: -12, High: -6}}
	got := compareHeadline("physicians_peak=5", []plan.KPI{{Name: "door_to_doctor_min", Better: plan.Lower}}, []plan.Diff{d})
	want := "With physicians_peak=5, door_to_doctor_min falls 18% (95% CI 12–24%) versus the base: better."
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
