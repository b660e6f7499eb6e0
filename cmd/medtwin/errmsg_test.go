package main

import (
	"strings"
	"testing"
)

// An error message reaches the terminal without control characters and at
// most maxMessage bytes long (issue 18, Low 12).
func TestCleanMessage(t *testing.T) {
	for in, want := range map[string]string{
		"plain: line 3\n\tdetail": "plain: line 3\n\tdetail",
		"esc \x1b[2J nul \x00":    `esc \x1b[2J nul \x00`,
		"bad utf8 \xff é":         `bad utf8 \xff é`,
		"c1 \u009b":               `c1 \xc2\x9b`,
	} {
		if got := cleanMessage(in); got != want {
			t.Errorf("cleanMessage(%q) = %q, want %q", in, got, want)
		}
	}
	huge := strings.Repeat("x", 50<<20)
	got := cleanMessage(huge)
	if len(got) > maxMessage+64 || !strings.HasSuffix(got, "… (52420608 bytes more)") {
		t.Errorf("50 MB message: %d bytes, ends %q", len(got), got[len(got)-40:])
	}
}
