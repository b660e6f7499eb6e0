package modlang

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseFile reads a model file: blocks headed by $NAME, as in mrgsolve's
// model specification files:
//
//	$PROB pk1oral                      # the name; further lines: the description
//	One compartment, first-order absorption
//	$CITE Gabrielsson & Weiner 2016, Pharmacokinetic and Pharmacodynamic Data Analysis, ch. 2
//	$TIME h
//	$PARAM
//	CL [L/h] = 4     ; clearance ; source of the value
//	$STATE
//	depot [mg] = 0   ; the initial value is an expression of the parameters
//	$ODE
//	d/dt(depot) = -KA*depot
//	$OUTPUT cp
//
// Units in brackets are optional; where every parameter and state has one,
// the equations' dimensions are checked. file names the file in errors.
func ParseFile(file, src string) (Spec, error) {
	s := Spec{File: file}
	lines := strings.Split(src, "\n")
	block := ""
	var eq []string
	errAt := func(i int, format string, args ...any) error {
		return &Error{File: file, FileLine: i + 1, Model: s.Name, Msg: fmt.Sprintf(format, args...)}
	}
	for i, raw := range lines {
		line := strings.TrimRight(raw, "\r")
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "$") {
			head, rest, _ := strings.Cut(trim[1:], " ")
			block = strings.ToUpper(head)
			rest = strings.TrimSpace(rest)
			switch block {
			case "PROB":
				s.Name = rest
			case "CITE":
				s.Citation = rest
			case "TIME":
				s.TimeUnit = rest
			case "OUTPUT":
				s.Outputs = append(s.Outputs, strings.Fields(rest)...)
			case "ODE", "DES":
				if s.EqLine != 0 {
					return s, errAt(i, "a second $ODE block")
				}
				s.EqLine = i + 2
				if rest != "" {
					return s, errAt(i, "the equations start on the line after $ODE")
				}
			case "PARAM", "STATE", "CMT":
				if rest != "" {
					return s, errAt(i, "the declarations start on the line after $%s", head)
				}
			default:
				return s, errAt(i, "unknown block $%s (want $PROB, $CITE, $TIME, $PARAM, $STATE, $ODE, $OUTPUT)", head)
			}
			continue
		}
		if block == "ODE" || block == "DES" {
			eq = append(eq, line)
			continue
		}
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue
		}
		switch block {
		case "":
			return s, errAt(i, "text before the first $ block")
		case "PROB":
			if s.Description != "" {
				s.Description += " "
			}
			s.Description += trim
		case "CITE":
			s.Citation += " " + trim
		case "OUTPUT":
			s.Outputs = append(s.Outputs, strings.Fields(trim)...)
		case "PARAM", "STATE", "CMT":
			name, unit, value, doc, source, err := declaration(trim)
			if err != nil {
				return s, errAt(i, "%v", err)
			}
			if block == "PARAM" {
				v, err := strconv.ParseFloat(value, 64)
				if err != nil {
					return s, errAt(i, "parameter %s: a number expected after =, got %q", name, value)
				}
				s.Params = append(s.Params, Param{Name: name, Value: v, Unit: unit, Doc: doc, Source: source})
			} else {
				s.States = append(s.States, State{Name: name, Init: value, Unit: unit, Doc: doc})
			}
		default:
			return s, errAt(i, "unexpected text in $%s", block)
		}
	}
	s.Equations = strings.Join(eq, "\n")
	return s, nil
}

// declaration splits `NAME [unit] = value ; doc ; source`.
func declaration(line string) (name, unit, value, doc, source string, err error) {
	parts := strings.SplitN(line, ";", 3)
	lhs, rhs, ok := strings.Cut(parts[0], "=")
	if !ok {
		return "", "", "", "", "", fmt.Errorf("NAME [unit] = value expected, got %q", line)
	}
	lhs = strings.TrimSpace(lhs)
	if i := strings.Index(lhs, "["); i >= 0 {
		j := strings.Index(lhs, "]")
		if j < i {
			return "", "", "", "", "", fmt.Errorf("unclosed [ in %q", lhs)
		}
		unit = strings.TrimSpace(lhs[i+1 : j])
		lhs = strings.TrimSpace(lhs[:i])
	}
	name = lhs
	value = strings.TrimSpace(rhs)
	if len(parts) > 1 {
		doc = strings.TrimSpace(parts[1])
	}
	if len(parts) > 2 {
		source = strings.TrimSpace(parts[2])
	}
	return name, unit, value, doc, source, nil
}

// Source writes a Spec back in the model file format.
func (s Spec) Source() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$PROB %s\n", s.Name)
	if s.Description != "" {
		fmt.Fprintf(&b, "%s\n", s.Description)
	}
	if s.Citation != "" {
		fmt.Fprintf(&b, "$CITE %s\n", s.Citation)
	}
	if s.TimeUnit != "" {
		fmt.Fprintf(&b, "$TIME %s\n", s.TimeUnit)
	}
	decl := func(name, unit, value, doc, source string) {
		fmt.Fprintf(&b, "%s", name)
		if unit != "" {
			fmt.Fprintf(&b, " [%s]", unit)
		}
		fmt.Fprintf(&b, " = %s", value)
		if doc != "" || source != "" {
			fmt.Fprintf(&b, " ; %s", doc)
		}
		if source != "" {
			fmt.Fprintf(&b, " ; %s", source)
		}
		b.WriteString("\n")
	}
	b.WriteString("$PARAM\n")
	for _, p := range s.Params {
		decl(p.Name, p.Unit, strconv.FormatFloat(p.Value, 'g', -1, 64), p.Doc, p.Source)
	}
	b.WriteString("$STATE\n")
	for _, st := range s.States {
		init := st.Init
		if init == "" {
			init = "0"
		}
		decl(st.Name, st.Unit, init, st.Doc, "")
	}
	b.WriteString("$ODE\n")
	b.WriteString(strings.Trim(s.Equations, "\n"))
	b.WriteString("\n")
	if len(s.Outputs) > 0 {
		fmt.Fprintf(&b, "$OUTPUT %s\n", strings.Join(s.Outputs, " "))
	}
	return b.String()
}
