package scripts

import (
	"strings"
	"testing"
	"time"
)

// A pattern that backtracks exponentially stops with an error at the step
// budget, in the string functions that match patterns, called as a function or
// as a method (issue 18, High 3: before, gopher-lua's matcher ran for about
// 40 s and ignored --timeout and signals).
func TestCatastrophicPatternStops(t *testing.T) {
	for _, call := range []string{
		`string.find(s, "a*a*a*a*a*b")`,
		`for w in s:gmatch("a-a-a-a-a-b") do end`,
	} {
		t.Run(call, func(t *testing.T) {
			path := write(t, "pat.lua", wrapBuild(`    local s = string.rep("a", 3000)
    `+call))
			sc, err := Load(path, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			done := make(chan error, 1)
			go func() { _, err := runAll(t, sc, 20*time.Second, 0); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "pattern too complex") {
					t.Fatalf("%v", err)
				}
				if testing.Verbose() {
					t.Log(err)
				}
				if el := time.Since(start); el > 10*time.Second {
					t.Errorf("stopped after %v", el)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the pattern ran for 30 s")
			}
		})
	}
}

// Ordinary patterns give what Lua 5.1 gives (results worked out by hand from
// the reference manual, section 5.4.1): the wrappers pass every argument and
// every result through.
func TestPatternsStillMatch(t *testing.T) {
	path := write(t, "ok.lua", wrapBuild(`
    local function check(got, want) if got ~= want then error("got " .. tostring(got) .. ", want " .. tostring(want)) end end
    local a, b, c = string.find("hello world", "(o)", 6)
    check(a, 8); check(b, 8); check(c, "o")
    check(string.find("a.b", ".", 1, true), 2)
    check(("  trim me  "):match("^%s*(.-)%s*$"), "trim me")
    local k, v = ("key=val"):match("(%w+)=(%w+)")
    check(k .. v, "keyval")
    local words = {}
    for w in string.gmatch("one two three", "%a+") do words[#words + 1] = w end
    check(table.concat(words, ","), "one,two,three")
    local r, n = string.gsub("hello world", "o", "0", 1)
    check(r, "hell0 world"); check(n, 1)
    check((string.gsub("abc", "%w", function(x) return x:upper() end)), "ABC")
    check(string.match("x", "y"), nil)
    check(select("#", string.find("abc", "z")), 1)
    check(string.find("abc", "b", -2), 2)
    check(string.find("", ""), 1)
    check(pcall(string.find, "abc", "[a"), false)`))
	sc, err := Load(path, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runAll(t, sc, 10*time.Second, 0); err != nil {
		t.Fatal(err)
	}
}

// gopher-lua's gsub copies the whole string once per replacement: 200,000
// one-byte replacements in a 200 kB string ran for over six minutes in Go,
// past --timeout and SIGTERM (found while fixing issue 18, Low 8). Such a
// call is refused at once, for a string and a function replacement alike;
// one of ordinary size still works.
func TestGsubQuadraticWorkRefused(t *testing.T) {
	for body, want := range map[string]string{
		`local s = string.rep("a", 200000):gsub("a", "b")`:                        "string.gsub: 200000 replacements",
		`local s = string.rep("a", 200000):gsub("a", function(c) return "b" end)`: "string.gsub: 200000 replacements",
		// the empty pattern matches at every position and was not checked at
		// all: 257 replacements of 8 MiB, a 2 GB result copied 257 times (found
		// by FuzzScenario, whose worker was killed)
		`local s = string.rep("a", 256):gsub("", string.rep("b", 2^23))`: "string.gsub: 257 replacements",
	} {
		sc, err := Load(write(t, "g.lua", wrapBuild(body)), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = runAll(t, sc, time.Minute, 0)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("%s: took %v", body, el)
		}
	}
	sc, err := Load(write(t, "ok.lua", wrapBuild(`local s, n = string.rep("ab", 1000):gsub("a", "x"); assert(n == 1000 and s == string.rep("xb", 1000))`)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runAll(t, sc, time.Minute, 0); err != nil {
		t.Fatal(err)
	}
}
