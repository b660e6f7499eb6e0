package main

import (
	"encoding/json"
	"io"
	"math"

	"github.com/medtwin/medtwin/scripts"
)

// paramJSON is one parameter in `run --list-params --json`, keys in
// snake_case. An unbounded side has a null bound: JSON has no infinity, and
// encoding/json refuses +Inf.
type paramJSON struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Value   any      `json:"value"`
	Default any      `json:"default"`
	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Integer bool     `json:"integer"`
	Unit    string   `json:"unit"`
	Doc     string   `json:"doc"`
	Choices []string `json:"choices,omitempty"`
	Len     int      `json:"len,omitempty"`
	Where   string   `json:"where"`
	Source  string   `json:"source"`
}

// writeParamsJSON writes the scenario's parameters as a JSON array.
func writeParamsJSON(w io.Writer, ps []*scripts.Param) error {
	bound := func(x float64) *float64 {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return &x
	}
	out := make([]paramJSON, len(ps))
	for i, p := range ps {
		out[i] = paramJSON{Name: p.Name, Kind: p.Kind.String(), Value: finite(p.Value), Default: finite(p.Default), Min: bound(p.Min), Max: bound(p.Max),
			Integer: p.Integer, Unit: p.Unit, Doc: p.Doc, Choices: p.Choices, Len: p.Len, Where: p.Where, Source: p.Source}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// finite replaces a non-finite number (a default of math.huge) by nil.
func finite(v any) any {
	if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return nil
	}
	return v
}
