package scripts

import (
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// lua.LTable.Entries (a method of the carried gopher-lua) counts what
// ForEach visits (the reference), whatever the table holds: string keys in a
// small table or a map, other keys, an array part with holes, deleted fields.
func TestTableEntriesCountsWhatForEachVisits(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, src := range []string{
		`return {}`,
		`return { a = 1 }`,
		`return { a = 1, b = 2, c = "x" }`,
		`return { 1, 2, 3 }`,
		`return { 1, nil, 3, a = 1 }`,
		`return { [true] = 1, [2.5] = 2, a = 3 }`,
		`local t = { a = 1, b = 2 }; t.a = nil; return t`,
		`local t = { 1, 2, 3 }; t[2] = nil; return t`,
		`local t = { a = 1 }; t.b = 2; t.b = nil; t.c = 3; return t`,
		`local t = {}; for i = 1, 12 do t["k" .. i] = i end; t.k3 = nil; return t`,
		`local t = { a = 1, b = 2 }; t[false] = 3; t.a = nil; return t`,
	} {
		if err := L.DoString(src); err != nil {
			t.Fatal(err)
		}
		tb := L.Get(-1).(*lua.LTable)
		L.Pop(1)
		want := 0
		tb.ForEach(func(lua.LValue, lua.LValue) { want++ })
		if got := tb.Entries(); got != want {
			t.Errorf("%s: Entries = %d; ForEach visits %d", src, got, want)
		}
	}
}

// Options are read by name, and a field that is none of the options is still
// an error naming it, whether it is a misspelt name, an array item or another
// key; a field set to nil is no field.
func TestOptionTablesReadByName(t *testing.T) {
	ok := wrapBuild(`    local r = sim:resource("desk", 1, { shrink = "finish" })
    local o = { patience = 5, priority = 1, gone = 1 }
    o.gone = nil
    sim:source("c", function() return 1 end, function(proc)
      local req = proc:request(r, o)
      sim:record("waited", req and 0 or 1)
      if req then proc:timeout(10); proc:release(req) end
    end, { limit = 3, start = 0 })`)
	sc, err := LoadSource("ok.lua", []byte(ok), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	// 3 customers at 0, 1, 2: the first is served for 10 s, the others wait
	// longer than their patience of 5 s and renege
	if k, _ := kpi(res[0], "waited"); k.N != 3 || k.Value != 2.0/3 {
		t.Errorf("waited = %+v, want the mean 2/3 of 3 customers (limit = 3, patience = 5)", k)
	}
	for _, c := range []struct{ opts, want string }{
		{`sim:source("c", function() return 1 end, function(proc) end, { limt = 3 })`, "unknown source option 'limt'"},
		{`sim:source("c", function() return 1 end, function(proc) end, { limit = 3, 7 })`, "unknown source option '1'"},
		{`sim:resource("d", 1, { shrink = "finish", [true] = 1 })`, "unknown resource option 'true'"},
		{`sim:resource("d", 1, { shrnk = "finish" })`, "unknown resource option 'shrnk'"},
		{`local r = sim:resource("d", 1); sim:process(function(proc) proc:request(r, { patience = 1, priorty = 2 }) end)`, "unknown request option 'priorty'"},
	} {
		sc, err := LoadSource("bad.lua", []byte(wrapBuild("    "+c.opts)), time.Minute)
		if err == nil {
			_, err = runAll(t, sc, time.Minute, 0)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.lua:4:") {
			t.Errorf("%s: error %v, want bad.lua:4: ... %q", c.opts, err, c.want)
		}
	}
}
