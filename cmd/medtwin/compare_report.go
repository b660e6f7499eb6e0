package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
)

// forestRows is the most KPIs that compare's forest plot shows.
const forestRows = 15

// relChange is a paired difference as percent of the baseline mean: the
// estimate and its 95% CI (the CI of the difference divided by |baseline|;
// the baseline mean is treated as known, which it nearly is with common
// random numbers). ok is false where the baseline is 0 or the CI undefined.
func relChange(d plan.Diff) (pct, lo, hi float64, ok bool) {
	den := math.Abs(d.Baseline)
	if den == 0 || math.IsNaN(den) || math.IsNaN(d.Diff.Low) || math.IsNaN(d.Diff.High) {
		return 0, 0, 0, false
	}
	return 100 * d.Diff.Mean / den, 100 * d.Diff.Low / den, 100 * d.Diff.High / den, true
}

// pctDecimals is the number of decimals that suits a percentage of p's size.
func pctDecimals(p float64) int {
	switch a := math.Abs(p); {
	case a >= 10:
		return 0
	case a >= 1:
		return 1
	}
	return 2
}

// pctText writes a percentage with a precision that suits its size.
func pctText(p float64) string { return fmt.Sprintf("%.*f%%", pctDecimals(p), p) }

// compareHeadline is the sentence that answers "what does the variant change":
// the first KPI the scenario declares that got a verdict of better or worse
// (else the first declared, else the undeclared KPI with the largest relative
// change and a verdict), in percent of the baseline with its 95% CI.
func compareHeadline(variantLabel string, declared []plan.KPI, diffs []plan.Diff) string {
	byName := map[string]plan.Diff{}
	for _, d := range diffs {
		byName[d.KPI] = d
	}
	decided := func(d plan.Diff) bool { return d.Verdict == "better" || d.Verdict == "worse" }
	var pick *plan.Diff
	for _, k := range declared {
		if d, ok := byName[k.Name]; ok && decided(d) {
			pick = &d
			break
		}
	}
	if pick == nil {
		for _, k := range declared {
			if d, ok := byName[k.Name]; ok {
				pick = &d
				break
			}
		}
	}
	if pick == nil {
		best := -1.0
		for i, d := range diffs {
			if p, _, _, ok := relChange(d); ok && decided(d) && math.Abs(p) > best {
				best, pick = math.Abs(p), &diffs[i]
			}
		}
	}
	if pick == nil {
		return fmt.Sprintf("With %s, no KPI differs detectably from the base (95%% CIs of the paired differences all contain 0).", variantLabel)
	}
	d := *pick
	pct, lo, hi, ok := relChange(d)
	if !ok {
		return fmt.Sprintf("With %s, %s changes by %s (95%% CI %s to %s) versus the base: %s.",
			variantLabel, d.KPI, num(d.Diff.Mean), num(d.Diff.Low), num(d.Diff.High), d.Verdict)
	}
	if !decided(d) {
		return fmt.Sprintf("With %s, %s shows no detectable change versus the base: %s (95%% CI %s to %s).",
			variantLabel, d.KPI, signedPct(pct), signedPct(lo), signedPct(hi))
	}
	verb := "rises"
	if pct < 0 {
		verb = "falls"
		lo, hi = -hi, -lo
	}
	k := pctDecimals(pct) // the CI at the estimate's precision
	guess := ""
	if d.Guessed() {
		guess = " (direction guessed from the name: the scenario declares none)"
	}
	return fmt.Sprintf("With %s, %s %s %s (95%% CI %.*f–%.*f%%) versus the base: %s%s.",
		variantLabel, d.KPI, verb, pctText(math.Abs(pct)), k, lo, k, hi, d.Verdict, guess)
}

func signedPct(p float64) string {
	if p > 0 {
		return "+" + pctText(p)
	}
	return pctText(p)
}

// variantLabel names what the variant changes from the base: the parameters
// whose values differ, or its scenario when it is another file.
func variantLabel(base, variant *scripts.Scenario) string {
	if variant.Path != base.Path {
		return "scenario " + variant.Name + changed(variant)
	}
	bv, vv := base.Values(), variant.Values()
	var parts []string
	for _, p := range variant.Params {
		if vv[p.Name] != bv[p.Name] {
			parts = append(parts, p.Name+"="+vv[p.Name])
		}
	}
	if len(parts) == 0 {
		return "the variant (same parameters)"
	}
	return strings.Join(parts, ", ")
}

// writeCompareReport is `medtwin compare --report`: the headline, a forest
// plot of the key KPIs in percent of the baseline with 95% CIs (declared KPIs
// first, then those with a verdict, largest change first), and the full table
// collapsed below.
func writeCompareReport(path string, base, variant *scripts.Scenario, diffs []plan.Diff) error {
	r := &plot.Report{Title: "medtwin compare: " + base.Name}
	r.Headline(compareHeadline(variantLabel(base, variant), base.KPIs, diffs))
	counts := map[string]int{}
	for _, d := range diffs {
		counts[d.Verdict]++
	}
	r.Note(fmt.Sprintf("Baseline%s against variant%s: %d replications each with common random numbers (seed %d). "+
		"Over all %d KPIs: %d better, %d worse, %d higher or lower (no declared direction), %d with no detectable difference.",
		changed(base), changed(variant), base.Replications, base.Seed, len(diffs), counts["better"], counts["worse"],
		counts["higher"]+counts["lower"], counts["no detectable difference"]))

	var names, verdicts []string
	var m, lo, hi []float64
	add := func(d plan.Diff) {
		p, l, h, ok := relChange(d)
		if !ok || len(names) >= forestRows {
			return
		}
		v := plot.Neutral
		if d.Verdict == "better" || d.Verdict == "worse" {
			v = d.Verdict
		}
		names, verdicts = append(names, d.KPI+" ("+d.Verdict+")"), append(verdicts, v)
		m, lo, hi = append(m, p), append(lo, l), append(hi, h)
	}
	isDeclared := map[string]bool{}
	for _, k := range base.KPIs {
		isDeclared[k.Name] = true
	}
	for _, d := range diffs { // declared KPIs first, in the scenario's order
		if isDeclared[d.KPI] {
			add(d)
		}
	}
	var rest []plan.Diff
	for _, d := range diffs {
		if !isDeclared[d.KPI] && (d.Verdict == "better" || d.Verdict == "worse") {
			rest = append(rest, d)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool {
		a, _, _, _ := relChange(rest[i])
		b, _, _, _ := relChange(rest[j])
		return math.Abs(a) > math.Abs(b)
	})
	for _, d := range rest {
		add(d)
	}
	if len(names) > 0 {
		if p, err := plot.Forest("change versus the base, % (95% CI)", "change in % of the baseline mean", names, m, lo, hi, verdicts); err == nil {
			if svg, err := plot.SVGSize(p, 9*72, plot.ForestHeight(len(names))); err == nil {
				r.Figure(svg, "Paired differences (variant − base) with common random numbers, in percent of the baseline mean; "+
					"green: better, red: worse, grey: no detectable difference or no declared direction. "+
					"KPIs the scenario declares come first, then the others with a verdict, largest change first.")
			}
		}
	}
	var rows [][]string
	for _, d := range diffs {
		ratio := "-"
		if d.WidthRatio > 0 && !math.IsInf(d.WidthRatio, 0) {
			ratio = fmt.Sprintf("%.1f", d.WidthRatio)
		}
		change, ci := "-", "-"
		if p, l, h, ok := relChange(d); ok {
			change, ci = signedPct(p), "["+signedPct(l)+", "+signedPct(h)+"]"
		}
		rows = append(rows, []string{d.KPI, num(d.Baseline), num(d.Variant), change, ci, num(d.Diff.Mean),
			"[" + num(d.Diff.Low) + ", " + num(d.Diff.High) + "]", ratio, d.Verdict})
	}
	full := &plot.Report{}
	full.Table([]string{"kpi", "baseline", "variant", "change", "95% CI of change", "difference", "95% CI of difference (CRN)",
		"CI width indep/CRN", "verdict"}, rows)
	r.Details(fmt.Sprintf("All %d KPIs (table)", len(diffs)), full)
	return r.Write(path)
}
