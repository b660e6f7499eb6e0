package scripts

import (
	"strings"
	"testing"
)

// Code that nests too deeply is an error naming the file and line, not a fatal
// Go stack overflow in gopher-lua's compiler (issue 18, High 3: a 4 MB chain of
// `not`, 2^20 levels, killed the process; 2,000 levels show the bound without
// parsing megabytes). Each shape nests in another part of the tree;
// parentheses leave no node of their own in gopher-lua's tree.
func TestDeepNestingIsAnError(t *testing.T) {
	const n = 2000
	for name, src := range map[string]string{
		"not":       "local x = " + strings.Repeat("not ", n) + "true",
		"tables":    "local x = " + strings.Repeat("{", n) + strings.Repeat("}", n),
		"fields":    "local x = ({})" + strings.Repeat(".b", n),
		"concat":    "local x = 'a'" + strings.Repeat(" .. 'a'", n),
		"blocks":    strings.Repeat("do ", n) + strings.Repeat("end ", n),
		"functions": strings.Repeat("local f = function() ", n) + strings.Repeat("end ", n),
	} {
		_, err := Compile("\n"+src, "deep.lua")
		if err == nil || !strings.Contains(err.Error(), "deep.lua:2: the code nests more than") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Lua 5.1's own limit (200 levels, LUAI_MAXCCALLS) stays well inside
	if _, err := Compile("local x = "+strings.Repeat("(", 190)+"1"+strings.Repeat(")", 190), "ok.lua"); err != nil {
		t.Fatal(err)
	}
}
