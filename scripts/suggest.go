package scripts

import (
	"sort"
	"strings"

	"github.com/xrash/smetrics"
)

// Nearest returns the candidate closest to name by edit distance, or "" if none
// is close enough to be a likely misspelling (edit distance at most a third of
// name, plus one). The CLI uses it for verbs, scripts for parameter names.
func Nearest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := smetrics.WagnerFischer(strings.ToLower(name), strings.ToLower(c), 1, 1, 1)
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := len(name)/3 + 1
	if bestD > limit {
		return ""
	}
	return best
}

// didYouMean returns "; did you mean 'x'?" or "".
func didYouMean(name string, candidates []string) string {
	if n := Nearest(name, candidates); n != "" {
		return "; did you mean '" + n + "'?"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
