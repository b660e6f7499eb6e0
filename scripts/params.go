package scripts

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ParamKind is the type of a parameter's value.
type ParamKind uint8

// Parameter kinds.
const (
	Number ParamKind = iota
	Bool
	String
	NumberList
)

func (k ParamKind) String() string {
	return [...]string{"number", "boolean", "string", "list of numbers"}[k]
}

// Param is a scenario parameter declared with param(default, {...}).
type Param struct {
	Name    string
	Kind    ParamKind
	Default any // float64, bool, string or []float64
	Value   any
	Min     float64 // -Inf if unbounded
	Max     float64 // +Inf if unbounded
	Integer bool
	Unit    string
	Doc     string
	Choices []string
	// Len, if > 0, is the required length of a list (24 for hours of the day).
	Len int
	// Where is "file:line" of the declaration.
	Where string
	// Source says where Value came from: "default" or "--set".
	Source string
}

// FormatValue renders a value the way --set accepts it.
func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case []float64:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// Parse converts a --set string to the parameter's kind; it does not check bounds.
func (p *Param) Parse(s string) (any, error) {
	switch p.Kind {
	case Number:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is a number, got %q", p.Name, s)
		}
		return f, nil
	case Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s is true or false, got %q", p.Name, s)
		}
		return b, nil
	case NumberList:
		var out []float64
		for _, part := range strings.Split(s, ",") {
			f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return nil, fmt.Errorf("%s is a comma-separated list of numbers, got %q", p.Name, s)
			}
			out = append(out, f)
		}
		return out, nil
	}
	return s, nil
}

// Check returns an error, naming the declaration's file and line, if v is
// outside the parameter's bounds.
func (p *Param) Check(v any) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s %s", p.Where, p.Name, fmt.Sprintf(format, a...))
	}
	checkNum := func(f float64, what string) error {
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return bad("%smust be a finite number, got %v", what, f)
		case p.Integer && f != math.Trunc(f):
			return bad("%smust be an integer, got %v", what, f)
		case p.Integer && math.Abs(f) > 1<<53: // past this an integer is not exact, and int conversion wraps
			return bad("%smust be an integer within ±2^53, got %v", what, f)
		case f < p.Min:
			return bad("%smust be >= %v, got %v", what, p.Min, f)
		case f > p.Max:
			return bad("%smust be <= %v, got %v", what, p.Max, f)
		}
		return nil
	}
	switch x := v.(type) {
	case float64:
		return checkNum(x, "")
	case []float64:
		if p.Len > 0 && len(x) != p.Len {
			return bad("must have %d entries, got %d", p.Len, len(x))
		}
		for i, f := range x {
			if err := checkNum(f, fmt.Sprintf("entry %d ", i+1)); err != nil {
				return err
			}
		}
	case string:
		if len(p.Choices) > 0 {
			for _, c := range p.Choices {
				if c == x {
					return nil
				}
			}
			return bad("must be one of %s, got %q%s", strings.Join(p.Choices, ", "), x, didYouMean(x, p.Choices))
		}
	}
	return nil
}

// toLua converts a parameter value to a Lua value.
func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case []float64:
		t := L.CreateTable(len(x), 0)
		for _, f := range x {
			t.Append(lua.LNumber(f))
		}
		return t
	}
	return lua.LNil
}

// paramFn implements param(default, {min=, max=, integer=, unit=, doc=, choices=, len=}).
// It returns a marked table that the scenario loader turns into a Param.
func paramFn(L *lua.LState) int {
	def := L.CheckAny(1)
	// tables sized for what they hold: L.NewTable reserves 32 array and 32
	// hash slots, and param() runs again at every replication
	opts := L.OptTable(2, nil)
	if opts == nil {
		opts = L.CreateTable(0, 0)
	}
	t := L.CreateTable(0, 4)
	t.RawSetString("__param", lua.LTrue)
	t.RawSetString("default", def)
	t.RawSetString("opts", opts)
	t.RawSetString("where", lua.LString(strings.TrimSuffix(L.Where(1), ":")))
	L.Push(t)
	return 1
}

var paramOptNames = []string{"min", "max", "integer", "unit", "doc", "choices", "len"}

// parseParam turns the table made by param() into a Param.
func parseParam(name string, t *lua.LTable) (*Param, error) {
	where := lua.LVAsString(t.RawGetString("where"))
	p := &Param{Name: name, Where: where, Min: math.Inf(-1), Max: math.Inf(1), Source: "default"}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s: parameter %s: %s", where, name, fmt.Sprintf(format, a...))
	}
	switch d := t.RawGetString("default").(type) {
	case lua.LNumber:
		p.Kind, p.Default = Number, float64(d)
	case lua.LBool:
		p.Kind, p.Default = Bool, bool(d)
	case lua.LString:
		p.Kind, p.Default = String, string(d)
	case *lua.LTable:
		p.Kind = NumberList
		var list []float64
		n := d.Len()
		for i := 1; i <= n; i++ {
			f, ok := d.RawGetInt(i).(lua.LNumber)
			if !ok {
				return nil, fail("a list default must hold numbers only; entry %d is a %s", i, d.RawGetInt(i).Type())
			}
			list = append(list, float64(f))
		}
		p.Default = list
	default:
		return nil, fail("the default must be a number, boolean, string or list of numbers, got %s", t.RawGetString("default").Type())
	}
	var bad error
	t.RawGetString("opts").(*lua.LTable).ForEach(func(k, v lua.LValue) {
		if bad != nil {
			return
		}
		key := k.String()
		switch key {
		case "min", "max", "len":
			f, ok := v.(lua.LNumber)
			if !ok {
				bad = fail("%s must be a number, got %s", key, v.Type())
				return
			}
			switch key {
			case "min":
				p.Min = float64(f)
			case "max":
				p.Max = float64(f)
			default:
				p.Len = int(f)
			}
		case "integer":
			p.Integer = lua.LVAsBool(v)
		case "unit":
			p.Unit = v.String()
		case "doc":
			p.Doc = v.String()
		case "choices":
			ct, ok := v.(*lua.LTable)
			if !ok {
				bad = fail("choices must be a list of strings")
				return
			}
			ct.ForEach(func(_, c lua.LValue) { p.Choices = append(p.Choices, c.String()) })
		default:
			bad = fail("unknown option '%s'%s", key, didYouMean(key, paramOptNames))
		}
	})
	if bad != nil {
		return nil, bad
	}
	if p.Min > p.Max {
		return nil, fail("min %v is above max %v", p.Min, p.Max)
	}
	if err := p.Check(p.Default); err != nil {
		return nil, fmt.Errorf("%v (the default)", err)
	}
	p.Value = p.Default
	return p, nil
}
