package modlang

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The base dimensions of the unit algebra: mass, volume, time, amount of
// substance, pressure and enzyme/hormone activity (insulin units). Volume is
// a base of its own (L) rather than length³: pharmacometric models do not mix
// lengths and volumes, and "L" then cannot be misread as a length.
const (
	dimMass = iota
	dimVolume
	dimTime
	dimAmount
	dimPressure
	dimActivity
	nDims
)

var dimNames = [nDims]string{"g", "L", "s", "mol", "mmHg", "U"}

// Dim is a physical dimension with the scale of its unit relative to the base
// units (g, L, s, mol, mmHg, U): mg is {1e-3, mass¹}, L/h is {1/3600,
// volume¹·time⁻¹}. Two quantities can be added only when both agree.
type Dim struct {
	Scale float64
	Exp   [nDims]int8
	// Any marks a numeric literal: it takes the dimension of what it is
	// combined with in sums and comparisons, and is dimensionless in
	// products.
	Any bool
}

// dimless is the dimension of a pure number.
var dimless = Dim{Scale: 1}

var anyDim = Dim{Scale: 1, Any: true}

// unitTable is the named units: each a scale and a base dimension (or none).
var unitTable = map[string]struct {
	scale float64
	base  int // -1: dimensionless
}{
	"g": {1, dimMass}, "kg": {1e3, dimMass}, "mg": {1e-3, dimMass}, "ug": {1e-6, dimMass}, "mcg": {1e-6, dimMass},
	"ng": {1e-9, dimMass}, "pg": {1e-12, dimMass},
	"L": {1, dimVolume}, "dL": {0.1, dimVolume}, "mL": {1e-3, dimVolume}, "uL": {1e-6, dimVolume},
	"s": {1, dimTime}, "min": {60, dimTime}, "h": {3600, dimTime}, "d": {86400, dimTime}, "day": {86400, dimTime},
	"week": {7 * 86400, dimTime},
	"mol":  {1, dimAmount}, "mmol": {1e-3, dimAmount}, "umol": {1e-6, dimAmount}, "nmol": {1e-9, dimAmount},
	"pmol": {1e-12, dimAmount},
	"mmHg": {1, dimPressure},
	"U":    {1, dimActivity}, "mU": {1e-3, dimActivity}, "uU": {1e-6, dimActivity}, "IU": {1, dimActivity},
	"1": {1, -1}, "%": {0.01, -1},
}

// knownUnits lists the unit names for error messages.
func knownUnits() string {
	var names []string
	for k := range unitTable {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// ParseUnit parses a unit such as "mg", "L/h", "1/h", "mg/L", "mg*h/L",
// "h^-1" or "mU/(L*min)". The empty string and "1" are dimensionless.
func ParseUnit(s string) (Dim, error) {
	p := unitParser{s: strings.TrimSpace(s)}
	if p.s == "" {
		return dimless, nil
	}
	d, err := p.product()
	if err == nil && p.i < len(p.s) {
		err = fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	if err != nil {
		return Dim{}, fmt.Errorf("unit %q: %v", s, err)
	}
	return d, nil
}

type unitParser struct {
	s string
	i int
}

func (p *unitParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *unitParser) product() (Dim, error) {
	d, err := p.power()
	if err != nil {
		return d, err
	}
	for {
		p.skip()
		if p.i >= len(p.s) || (p.s[p.i] != '*' && p.s[p.i] != '/' && p.s[p.i] != '.') {
			return d, nil
		}
		op := p.s[p.i]
		p.i++
		e, err := p.power()
		if err != nil {
			return d, err
		}
		if op == '/' {
			d = d.div(e)
		} else {
			d = d.mul(e)
		}
	}
}

func (p *unitParser) power() (Dim, error) {
	p.skip()
	if p.i >= len(p.s) {
		return Dim{}, fmt.Errorf("a unit name expected at the end")
	}
	var d Dim
	if p.s[p.i] == '(' {
		p.i++
		var err error
		if d, err = p.product(); err != nil {
			return d, err
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return d, fmt.Errorf("')' expected")
		}
		p.i++
	} else {
		j := p.i
		for j < len(p.s) && (isLetter(p.s[j]) || isDigit(p.s[j]) || p.s[j] == '%') {
			j++
		}
		name := p.s[p.i:j]
		if name == "" {
			return d, fmt.Errorf("a unit name expected at %q", p.s[p.i:])
		}
		u, ok := unitTable[name]
		if !ok {
			if _, err := strconv.ParseFloat(name, 64); err == nil && name != "1" {
				return d, fmt.Errorf("only 1 may stand as a number, got %s", name)
			}
			return d, fmt.Errorf("unknown unit %q (known: %s)", name, knownUnits())
		}
		p.i = j
		d = Dim{Scale: u.scale}
		if u.base >= 0 {
			d.Exp[u.base] = 1
		}
	}
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '^' {
		p.i++
		j := p.i
		if j < len(p.s) && (p.s[j] == '-' || p.s[j] == '+') {
			j++
		}
		for j < len(p.s) && isDigit(p.s[j]) {
			j++
		}
		n, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return d, fmt.Errorf("an integer exponent expected after ^")
		}
		p.i = j
		d, _ = d.pow(float64(n))
	}
	return d, nil
}

func (a Dim) mul(b Dim) Dim {
	r := Dim{Scale: a.Scale * b.Scale}
	for i := range r.Exp {
		r.Exp[i] = a.Exp[i] + b.Exp[i]
	}
	return r
}

func (a Dim) div(b Dim) Dim {
	r := Dim{Scale: a.Scale / b.Scale}
	for i := range r.Exp {
		r.Exp[i] = a.Exp[i] - b.Exp[i]
	}
	return r
}

// pow raises a dimension to the power x; ok is false when an exponent would
// not be an integer (√mg).
func (a Dim) pow(x float64) (Dim, bool) {
	r := Dim{Scale: math.Pow(a.Scale, x)}
	for i, e := range a.Exp {
		v := float64(e) * x
		if v != math.Trunc(v) {
			return r, false
		}
		r.Exp[i] = int8(v)
	}
	return r, true
}

// same reports whether a and b are the same dimension at the same scale.
func (a Dim) same(b Dim) bool {
	return a.Exp == b.Exp && math.Abs(a.Scale-b.Scale) <= 1e-12*math.Max(a.Scale, b.Scale)
}

func (a Dim) isDimless() bool { return a.Any || a.same(dimless) }

// String writes the dimension in base units with its scale, e.g.
// "1e-06·g·L⁻¹" as "1e-06 g/L".
func (a Dim) String() string {
	if a.Any {
		return "a number"
	}
	var num, den []string
	for i, e := range a.Exp {
		switch {
		case e == 1:
			num = append(num, dimNames[i])
		case e > 1:
			num = append(num, fmt.Sprintf("%s^%d", dimNames[i], e))
		case e == -1:
			den = append(den, dimNames[i])
		case e < -1:
			den = append(den, fmt.Sprintf("%s^%d", dimNames[i], -e))
		}
	}
	s := strings.Join(num, "*")
	if s == "" {
		s = "1"
	}
	if len(den) > 0 {
		s += "/" + strings.Join(den, "/")
	}
	if a.Scale != 1 {
		s = strconv.FormatFloat(a.Scale, 'g', 6, 64) + " " + s
	}
	return s
}
