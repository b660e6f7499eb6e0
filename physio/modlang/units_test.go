package modlang

import (
	"math"
	"testing"
)

// Units parse into dimensions with their scale relative to g, L, s, mol.
func TestParseUnit(t *testing.T) {
	cases := []struct {
		unit  string
		scale float64
		exp   [nDims]int8
	}{
		{"mg", 1e-3, [nDims]int8{dimMass: 1}},
		{"L", 1, [nDims]int8{dimVolume: 1}},
		{"1/h", 1.0 / 3600, [nDims]int8{dimTime: -1}},
		{"h^-1", 1.0 / 3600, [nDims]int8{dimTime: -1}},
		{"mg/L", 1e-3, [nDims]int8{dimMass: 1, dimVolume: -1}},
		{"L/h", 1.0 / 3600, [nDims]int8{dimVolume: 1, dimTime: -1}},
		{"mg*h/L", 3.6, [nDims]int8{dimMass: 1, dimTime: 1, dimVolume: -1}},
		{"mU/(L*min)", 1e-3 / 60, [nDims]int8{dimActivity: 1, dimVolume: -1, dimTime: -1}},
		{"nmol/L", 1e-9, [nDims]int8{dimAmount: 1, dimVolume: -1}},
		{"", 1, [nDims]int8{}},
		{"1", 1, [nDims]int8{}},
	}
	for _, c := range cases {
		d, err := ParseUnit(c.unit)
		if err != nil {
			t.Errorf("%q: %v", c.unit, err)
			continue
		}
		if d.Exp != c.exp || math.Abs(d.Scale-c.scale) > 1e-15*c.scale {
			t.Errorf("%q = %v %v, want %v %v", c.unit, d.Scale, d.Exp, c.scale, c.exp)
		}
	}
	for _, bad := range []string{"mg/", "furlong", "(mg", "mg^x", "2"} {
		if _, err := ParseUnit(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	// L/h divided by L times h is dimensionless at scale 1
	a, _ := ParseUnit("L/h")
	b, _ := ParseUnit("L")
	c, _ := ParseUnit("h")
	if !a.div(b).mul(c).same(dimless) {
		t.Error("L/h / L * h is not dimensionless")
	}
}
