package main

import (
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/modlang"
)

// `medtwin models show NAME` prints the model file, which parses and
// compiles back to the same model; an unknown name is a usage error with a
// suggestion.
func TestModelsShow(t *testing.T) {
	out, _, code := medtwin(t, "models", "show", "tmdd_qss")
	if code != 0 || !strings.HasPrefix(out, "$PROB tmdd_qss\n") || !strings.Contains(out, "Gibiansky") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s, err := modlang.ParseFile("shown", out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := modlang.Compile(s); err != nil {
		t.Fatal(err)
	}
	_, errs, code := medtwin(t, "models", "show", "tmdd")
	if code != 2 || !strings.Contains(errs, `no built-in model "tmdd"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	out, _, code = medtwin(t, "models", "show", "--c", "pk1")
	if code != 0 || !strings.Contains(out, "MEDTWIN_FN static inline void pk1_rhs(") {
		t.Errorf("exit %d: %s", code, out)
	}
	for _, args := range [][]string{{"models", "show"}, {"models"}} {
		out, _, code = medtwin(t, args...)
		if code != 0 || !strings.Contains(out, "pk3_oral tmdd_qss transit") {
			t.Errorf("%v: exit %d: %s", args, code, out)
		}
	}
}
