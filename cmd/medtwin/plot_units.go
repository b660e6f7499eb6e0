package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
)

// Units on plot axes. A KPI's unit is the one its scenario declares (kpis =
// { name = { unit = ... } }), else the one its name says (kpiUnit); a
// parameter's is its param(..., { unit = ... }). Arrow files carry neither, so
// the scenario is found through the manifest.json beside the file: the .lua
// argument of the command that wrote it, used only when it is still there and
// its SHA-256 is the manifest's (the scenario that produced the file).

// axisUnits are the declared units of a result's scenario: by parameter and
// by KPI name. Both are empty when the scenario cannot be found.
type axisUnits struct {
	params, kpis map[string]string
}

// unitsFor finds the units of the scenario that wrote the files in dir.
func unitsFor(dir string) axisUnits {
	u := axisUnits{params: map[string]string{}, kpis: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return u
	}
	var m results.Manifest
	if json.Unmarshal(data, &m) != nil || m.ScenarioSHA == "" {
		return u
	}
	for _, a := range m.Command {
		if !strings.HasSuffix(a, ".lua") {
			continue
		}
		src, err := os.ReadFile(a)
		sum := sha256.Sum256(src)
		if err != nil || hex.EncodeToString(sum[:]) != m.ScenarioSHA {
			continue
		}
		sc, err := scripts.LoadSource(a, src, 10*time.Second)
		if err != nil {
			continue
		}
		for _, p := range sc.Params {
			u.params[p.Name] = p.Unit
		}
		for _, k := range sc.KPIs {
			u.kpis[k.Name] = k.Unit
		}
		break
	}
	return u
}

// withUnit is "name (unit)", or name alone when the unit is unknown or the
// name itself (servers, in servers).
func withUnit(name, unit string) string {
	if unit == "" || unit == name {
		return name
	}
	return name + " (" + unit + ")"
}

// kpiAxis labels an axis showing a KPI.
func (u axisUnits) kpiAxis(kpi string) string { return withUnit(kpi, kpiUnit(kpi, u.kpis)) }

// paramAxis labels an axis showing a grid parameter.
func (u axisUnits) paramAxis(name string) string { return withUnit(name, u.params[name]) }

// seriesUnit is the unit of a timeseries.arrow series: units for a resource's
// in_use and capacity, requests for its queue, else the KPI naming rule (a
// gauge KPI).
func seriesUnit(name string) string {
	switch {
	case strings.HasSuffix(name, ".in_use"), strings.HasSuffix(name, ".capacity"):
		return "units"
	case strings.HasSuffix(name, ".queue"):
		return "requests"
	}
	return kpiUnit(name, nil)
}

// seriesUnits is the units of several series, each once, joined by ", " (a
// shared y axis); "" when none is known.
func seriesUnits(names []string) string {
	var out []string
	for _, n := range names {
		if u := seriesUnit(n); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return strings.Join(out, ", ")
}
