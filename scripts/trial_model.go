package scripts

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/trial"
	lua "github.com/yuin/gopher-lua"
	"gonum.org/v1/gonum/mat"
)

// A trial's model may be written in the model language (physio/modlang,
// trial.LangModel):
//
//	local model = require("medtwin.model")        -- or the sandbox's global model
//	return trial {
//	  model  = model.library("pk2_oral"),          -- or model { ... } / model [[ $PROB ... ]]
//	  params = function(s) return { CL = 5 * (s.weight_kg / 70)^0.75 } end,  -- optional: typical values
//	  iiv    = { KA = 0.4 },                         -- SD of η (log scale), any model parameter
//	  omega  = { params = { "CL", "V1" }, block = { 0.09, 0.03, 0.04 } },  -- NONMEM's $OMEGA BLOCK(2)
//	  output = "cp",                                 -- the concentration endpoints are on (default: first output)
//	  solver = "auto",                               -- auto | exact | taylor | radau5 | dopri5
//	  ...
//	}
//
// The block is a lower triangle of variances and covariances, row by row, as
// NONMEM's $OMEGA BLOCK(n); trial.LangModel takes its Cholesky factor.

// langFields are the trial fields that only a model-language model takes.
var langFields = []string{"params", "omega", "output", "solver"}

// describeLang reads the model-language part of a trial spec.
func (lt *luaTrial) describeLang(L *lua.LState, t *lua.LTable, m *modlang.Model, fail func(string, ...any) error) error {
	lm := &trial.LangModel{Model: m}
	if v := t.RawGetString("params"); v != lua.LNil {
		if _, ok := v.(*lua.LFunction); !ok {
			return fail("params must be a function(s) returning typical parameter values, got %s", v.Type())
		}
	}
	var err error
	if lm.SD, err = iivFromLua(t, fail); err != nil {
		return err
	}
	if ov := t.RawGetString("omega"); ov != lua.LNil {
		L.Push(ov)
		c := newCfg(L, L.GetTop(), "omega", "params", "block")
		L.Pop(1)
		pt, ok := c.t.RawGetString("params").(*lua.LTable)
		if !ok || pt.Len() == 0 {
			return fail("omega needs params = { \"CL\", \"V1\", ... } and block = { lower triangle of Ω, row by row }")
		}
		for i := 1; i <= pt.Len(); i++ {
			lm.Block = append(lm.Block, lua.LVAsString(pt.RawGetInt(i)))
		}
		n := len(lm.Block)
		tri := c.list("block", n*(n+1)/2)
		if len(tri) != n*(n+1)/2 {
			return fail("omega.block has %d values; a %d×%d block needs %d (its lower triangle, row by row)", len(tri), n, n, n*(n+1)/2)
		}
		om, err := lowerTriangle(n, tri)
		if err != nil {
			return fail("omega.block: %v", err)
		}
		var ch mat.Cholesky
		if !ch.Factorize(om) {
			return fail("omega.block is not positive definite (a correlation beyond ±1?)")
		}
		lm.Chol = mat.NewTriDense(n, mat.Lower, nil)
		ch.LTo(lm.Chol)
	}
	if len(m.Spec.Outputs) > 0 {
		lm.Output = m.Spec.Outputs[0]
	}
	if v := t.RawGetString("output"); v != lua.LNil {
		lm.Output = lua.LVAsString(v)
	}
	if v := t.RawGetString("solver"); v != lua.LNil {
		p, ok := pathNames[lua.LVAsString(v)]
		if !ok {
			return fail("solver '%s' unknown%s", lua.LVAsString(v), didYouMean(lua.LVAsString(v), sortedKeys(pathNames)))
		}
		lm.Path = p
	}
	lt.spec.Lang = lm
	return nil
}

// lowerTriangle makes the symmetric matrix of a lower triangle given row by row.
func lowerTriangle(n int, tri []float64) (*mat.SymDense, error) {
	s := mat.NewSymDense(n, nil)
	k := 0
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			if math.IsNaN(tri[k]) || math.IsInf(tri[k], 0) || i == j && !(tri[k] >= 0) {
				return nil, fmt.Errorf("element %d,%d is %v; want finite values and variances >= 0", i+1, j+1, tri[k])
			}
			s.SetSym(i, j, tri[k])
			k++
		}
	}
	return s, nil
}
