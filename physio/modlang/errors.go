package modlang

import (
	"fmt"
	"sort"
	"strings"
)

// Error is a syntax or semantic error in a model, with its place: the file
// and the line there when known, and the line and column inside the
// equation block.
type Error struct {
	File  string // the model file or Lua script ("" when unknown)
	Model string // the model's name
	// FileLine is the line in File (0: not known, e.g. a Lua long string
	// whose own line the host does not know).
	FileLine int
	// Line and Col are 1-based, inside the block named by Section
	// ("equations", or "param CL" for a parameter's own declaration; 0 when
	// the error has no place inside a block).
	Line, Col int
	Section   string
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.FileLine > 0 {
			fmt.Fprintf(&b, ":%d", e.FileLine)
			if e.Col > 0 {
				fmt.Fprintf(&b, ":%d", e.Col)
			}
		}
		b.WriteString(": ")
	}
	if e.Model != "" {
		fmt.Fprintf(&b, "model %s: ", e.Model)
	}
	if e.Line > 0 && e.FileLine == 0 {
		fmt.Fprintf(&b, "%s line %d, column %d: ", e.Section, e.Line, e.Col)
	} else if e.Section != "" && e.Line == 0 {
		fmt.Fprintf(&b, "%s: ", e.Section)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// suggest returns ` (did you mean "x"?)` for the known name nearest to name
// (case-insensitive equality first, then edit distance at most a third of the
// name's length, at least 1), or "".
func suggest(name string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if strings.EqualFold(k, name) && k != name {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	limit := max(1, len(name)/3)
	if best != "" && bestD <= limit {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// editDistance is the optimal string alignment distance: Levenshtein's
// with transpositions of adjacent letters counted as one edit.
func editDistance(a, b string) int {
	pp := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1) // a transposition (Damerau)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
