package scripts

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/ops"
	lua "github.com/yuin/gopher-lua"
)

// The medtwin.ops module: require("medtwin.ops") gives
//
//	ops.ed(sim, config)                     a whole emergency department (medtwin doc lua)
//	ops.staff(sim, name, shifts [, policy]) a staff resource following a daily roster
//	ops.equipment(sim, name, config)        machines that fail and are maintained
//	ops.arrivals(sim, config, fn)           non-homogeneous Poisson arrivals calling fn(n)
//	ops.read_csv(file)                      rows of a CSV file in the scenario's directory
func init() {
	goModules["medtwin.ops"] = func(L *lua.LState, dir string) *lua.LTable {
		t := L.NewTable()
		for name, fn := range map[string]lua.LGFunction{
			"ed": opsED, "staff": opsStaff, "equipment": opsEquipment, "arrivals": opsArrivals,
			"read_csv": func(L *lua.LState) int { return opsReadCSV(L, dir) },
		} {
			t.RawSetString(name, L.NewFunction(fn))
		}
		return t
	}
}

// hostOf returns the host behind the sim argument at position n.
func hostOf(L *lua.LState, n int) *host {
	ud, ok := L.Get(n).(*lua.LUserData)
	if ok {
		if h, ok := ud.Value.(*host); ok {
			return h
		}
	}
	L.ArgError(n, "sim expected (call as ops.ed(sim, {...}))")
	return nil
}

// cfg reads a Lua config table with known keys, raising on unknown ones.
type cfg struct {
	L     *lua.LState
	what  string
	t     *lua.LTable
	known []string
}

func newCfg(L *lua.LState, n int, what string, known ...string) *cfg {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		if L.Get(n) == lua.LNil {
			t = L.NewTable()
		} else {
			L.ArgError(n, what+": a table expected")
		}
	}
	c := &cfg{L: L, what: what, t: t, known: known}
	t.ForEach(func(k, _ lua.LValue) {
		key := k.String()
		for _, kn := range known {
			if kn == key {
				return
			}
		}
		L.RaiseError("%s: unknown key '%s'%s", what, key, didYouMean(key, known))
	})
	return c
}

func (c *cfg) has(key string) bool { return c.t.RawGetString(key) != lua.LNil }

func (c *cfg) num(key string, def float64) float64 {
	v := c.t.RawGetString(key)
	if v == lua.LNil {
		return def
	}
	n, ok := v.(lua.LNumber)
	if !ok {
		c.L.RaiseError("%s: %s must be a number, got %s", c.what, key, v.Type())
	}
	return float64(n)
}

func (c *cfg) list(key string, want int) []float64 {
	v := c.t.RawGetString(key)
	if v == lua.LNil {
		return nil
	}
	return numList(c.L, v, c.what+"."+key, want)
}

func numList(L *lua.LState, v lua.LValue, what string, want int) []float64 {
	t, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("%s must be a list of numbers, got %s", what, v.Type())
	}
	var out []float64
	for i := 1; i <= t.Len(); i++ {
		n, ok := t.RawGetInt(i).(lua.LNumber)
		if !ok {
			L.RaiseError("%s entry %d must be a number, got %s", what, i, t.RawGetInt(i).Type())
		}
		out = append(out, float64(n))
	}
	if want > 0 && len(out) != want {
		L.RaiseError("%s has %d entries, want %d", what, len(out), want)
	}
	return out
}

func (c *cfg) five(key string, dst *[5]float64) {
	if v := c.list(key, 5); v != nil {
		copy(dst[:], v)
	}
}

func (c *cfg) sub(key string, known ...string) *cfg {
	v := c.t.RawGetString(key)
	if v == lua.LNil {
		return nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		c.L.RaiseError("%s: %s must be a table", c.what, key)
	}
	c.L.Push(t)
	sc := newCfg(c.L, c.L.GetTop(), c.what+"."+key, known...)
	c.L.Pop(1)
	return sc
}

// shifts reads {{from=7, to=19, staff=3, breaks={{after=4, minutes=30, staff=1}}}, ...}.
func shifts(L *lua.LState, v lua.LValue, what string) []ops.Shift {
	t, ok := v.(*lua.LTable)
	if !ok || t.Len() == 0 {
		L.RaiseError("%s must be a list of shifts {from = hour, to = hour, staff = n}", what)
	}
	var out []ops.Shift
	for i := 1; i <= t.Len(); i++ {
		L.Push(t.RawGetInt(i))
		c := newCfg(L, L.GetTop(), fmt.Sprintf("%s shift %d", what, i), "from", "to", "staff", "breaks")
		L.Pop(1)
		sh := ops.Shift{From: c.num("from", math.NaN()), To: c.num("to", math.NaN()), Staff: c.int("staff", -1)}
		if b, ok := c.t.RawGetString("breaks").(*lua.LTable); ok {
			for j := 1; j <= b.Len(); j++ {
				L.Push(b.RawGetInt(j))
				bc := newCfg(L, L.GetTop(), fmt.Sprintf("%s shift %d break %d", what, i, j), "after", "minutes", "staff")
				L.Pop(1)
				sh.Breaks = append(sh.Breaks, ops.Break{AfterHours: bc.num("after", 0), Minutes: bc.num("minutes", 0), Staff: bc.int("staff", 1)})
			}
		}
		out = append(out, sh)
	}
	return out
}

func policy(L *lua.LState, s string) engine.ShrinkPolicy {
	switch s {
	case "", "finish":
		return engine.ShrinkFinish
	case "preempt":
		return engine.ShrinkPreempt
	}
	L.RaiseError("shift policy is \"finish\" or \"preempt\", got %q", s)
	return 0
}

func equipmentFrom(L *lua.LState, c *cfg, name string) ops.Equipment {
	e := ops.Equipment{Name: name, Units: c.int("units", 1), MTBFHours: c.num("mtbf_h", 0), MTTRHours: c.num("mttr_h", 0),
		RepairSigma: c.num("repair_sigma", 0)}
	if m := c.t.RawGetString("mode"); m != lua.LNil {
		switch m.String() {
		case "resume":
		case "restart":
			e.Mode = engine.PreemptRestart
		default:
			L.RaiseError("%s: mode is \"resume\" or \"restart\", got %q", c.what, m.String())
		}
	}
	if mt, ok := c.t.RawGetString("maintenance").(*lua.LTable); ok {
		for i := 1; i <= mt.Len(); i++ {
			L.Push(mt.RawGetInt(i))
			mc := newCfg(L, L.GetTop(), fmt.Sprintf("%s maintenance %d", c.what, i), "at", "minutes", "preempt")
			L.Pop(1)
			e.Maintenance = append(e.Maintenance, ops.Maintenance{AtHour: mc.num("at", -1), Minutes: mc.num("minutes", 0),
				Preempt: lua.LVAsBool(mc.t.RawGetString("preempt"))})
		}
	}
	return e
}

var equipmentKeys = []string{"units", "mtbf_h", "mttr_h", "repair_sigma", "mode", "maintenance"}

// ops.ed(sim, config): the default ED of ops.DefaultED, overridden by config.
func opsED(L *lua.LState) int {
	h := hostOf(L, 1)
	c := newCfg(L, 2, "ops.ed", "visits_per_day", "profile", "day_of_week", "ambulance_fraction", "esi_mix", "triage",
		"triage_min", "beds", "physicians", "nurses", "shift_policy", "assess_min", "nurse_min", "lab_prob", "lab_min",
		"imaging_prob", "ct", "scan_min", "admit_prob", "icu_share", "ward", "icu", "patience_min", "diversion_at",
		"target_min", "surges", "sepsis")
	ed, err := ops.DefaultED(c.num("visits_per_day", 150))
	if err != nil {
		raise(L, err)
	}
	if c.has("profile") || c.has("day_of_week") {
		prof := c.list("profile", 0)
		if prof == nil {
			prof = ops.EDProfile
		}
		if ed.Arrivals, err = ops.ProfileNHPP(c.num("visits_per_day", 150), prof, c.list("day_of_week", 0)); err != nil {
			raise(L, err)
		}
	}
	ed.AmbulanceFraction = c.num("ambulance_fraction", ed.AmbulanceFraction)
	c.five("esi_mix", &ed.ESIMix)
	pol := policy(L, lua.LVAsString(c.t.RawGetString("shift_policy")))
	for key, r := range map[string]*ops.Roster{"triage": &ed.TriageNurses, "physicians": &ed.Physicians, "nurses": &ed.Nurses} {
		if v := c.t.RawGetString(key); v != lua.LNil {
			r.Shifts = shifts(L, v, "ops.ed."+key)
		}
		r.Policy = pol
	}
	ed.TriageMinutes = c.num("triage_min", ed.TriageMinutes)
	ed.Beds = c.int("beds", ed.Beds)
	c.five("assess_min", &ed.AssessMinutes)
	c.five("nurse_min", &ed.NurseMinutes)
	c.five("lab_prob", &ed.LabProb)
	ed.LabMinutes = c.num("lab_min", ed.LabMinutes)
	c.five("imaging_prob", &ed.ImagingProb)
	if ct := c.sub("ct", equipmentKeys...); ct != nil {
		ed.Imaging = equipmentFrom(L, ct, "ct")
	}
	ed.ScanMinutes = c.num("scan_min", ed.ScanMinutes)
	c.five("admit_prob", &ed.AdmitProb)
	c.five("icu_share", &ed.ICUShare)
	for key, u := range map[string]*ops.Unit{"ward": &ed.Ward, "icu": &ed.ICU} {
		if uc := c.sub(key, "beds", "los_median_days", "los_sigma", "discharge_from", "discharge_to"); uc != nil {
			u.Beds = uc.int("beds", u.Beds)
			u.LOSMedianDays = uc.num("los_median_days", u.LOSMedianDays)
			u.LOSSigma = uc.num("los_sigma", u.LOSSigma)
			u.DischargeFrom = uc.num("discharge_from", u.DischargeFrom)
			u.DischargeTo = uc.num("discharge_to", u.DischargeTo)
		}
	}
	c.five("patience_min", &ed.PatienceMinutes)
	ed.DiversionAt = c.int("diversion_at", ed.DiversionAt)
	ed.TargetMinutes = c.num("target_min", ed.TargetMinutes)
	if sv, ok := c.t.RawGetString("surges").(*lua.LTable); ok {
		for i := 1; i <= sv.Len(); i++ {
			L.Push(sv.RawGetInt(i))
			sc := newCfg(L, L.GetTop(), fmt.Sprintf("ops.ed.surges entry %d", i), "at", "count")
			L.Pop(1)
			ed.Surges = append(ed.Surges, ops.Batch{At: sc.num("at", -1), Count: sc.int("count", 0)})
		}
	}
	if sc := c.sub("sepsis", "fraction", "pathogen_median", "pathogen_sigma", "screen_sensitivity", "lactate_min",
		"antibiotic_effect", "antibiotic_min", "deterioration_damage", "death_damage", "death_days", "vitals_min"); sc != nil {
		d := ops.DefaultSepsis()
		d.Fraction = sc.num("fraction", d.Fraction)
		d.PathogenMedian = sc.num("pathogen_median", d.PathogenMedian)
		d.PathogenSigma = sc.num("pathogen_sigma", d.PathogenSigma)
		d.ScreenSensitivity = sc.num("screen_sensitivity", d.ScreenSensitivity)
		d.LactateMinutes = sc.num("lactate_min", d.LactateMinutes)
		d.AntibioticEffect = sc.num("antibiotic_effect", d.AntibioticEffect)
		d.AntibioticMinutes = sc.num("antibiotic_min", d.AntibioticMinutes)
		d.DeteriorationDamage = sc.num("deterioration_damage", d.DeteriorationDamage)
		d.DeathDamage = sc.num("death_damage", d.DeathDamage)
		d.DeathDays = sc.num("death_days", d.DeathDays)
		d.VitalsMinutes = sc.num("vitals_min", d.VitalsMinutes)
		for name, v := range map[string]float64{"fraction": d.Fraction, "screen_sensitivity": d.ScreenSensitivity, "antibiotic_effect": d.AntibioticEffect} {
			if !(v >= 0 && v <= 1) {
				L.RaiseError("ops.ed.sepsis: %s must be in [0, 1], got %v", name, v)
			}
		}
		if !(d.PathogenMedian > 0) || d.PathogenSigma < 0 || d.DeathDays <= 0 {
			L.RaiseError("ops.ed.sepsis: pathogen_median and death_days must be > 0 and pathogen_sigma >= 0")
		}
		ed.Sepsis = d
	}
	if err := ed.Build(h.sim); err != nil {
		raise(L, err)
	}
	return 0
}

// ops.staff(sim, name, shifts [, policy]) returns a resource following the roster.
func opsStaff(L *lua.LState) int {
	h := hostOf(L, 1)
	r := ops.Roster{Name: L.CheckString(2), Shifts: shifts(L, L.Get(3), "ops.staff "+L.CheckString(2)), Policy: policy(L, L.OptString(4, "finish"))}
	res, err := r.Apply(h.sim)
	if err != nil {
		raise(L, err)
	}
	L.Push(h.wrap("resource", res))
	return 1
}

// ops.equipment(sim, name, {units=, mtbf_h=, mttr_h=, repair_sigma=, mode=, maintenance={{at=, minutes=, preempt=}}}).
func opsEquipment(L *lua.LState) int {
	h := hostOf(L, 1)
	name := L.CheckString(2)
	c := newCfg(L, 3, "ops.equipment "+name, equipmentKeys...)
	res, err := equipmentFrom(L, c, name).Apply(h.sim)
	if err != nil {
		raise(L, err)
	}
	L.Push(h.wrap("resource", res))
	return 1
}

// ops.arrivals(sim, {per_hour = {24} | per_day = n [, profile = {24}] [, day_of_week = {7}] [, stream = name]}, fn)
// calls fn(n) at each arrival.
func opsArrivals(L *lua.LState) int {
	h := hostOf(L, 1)
	c := newCfg(L, 2, "ops.arrivals", "per_hour", "per_day", "profile", "day_of_week", "stream")
	fn := L.CheckFunction(3)
	var a *ops.NHPP
	var err error
	if c.has("per_hour") {
		a, err = ops.NewNHPP(c.list("per_hour", 0), c.list("day_of_week", 0))
	} else {
		prof := c.list("profile", 0)
		if prof == nil {
			prof = make([]float64, 24)
			for i := range prof {
				prof[i] = 1
			}
		}
		a, err = ops.ProfileNHPP(c.num("per_day", math.NaN()), prof, c.list("day_of_week", 0))
	}
	if err != nil {
		raise(L, err)
	}
	stream := "arrivals"
	if c.has("stream") {
		stream = c.t.RawGetString("stream").String()
	}
	a.Start(h.sim, stream, func(n int) { h.call(fn, 0, lua.LNumber(n)) })
	return 0
}

// ops.read_csv(file) returns the rows of a CSV file (header in the first row) in
// the scenario's directory; numbers become numbers.
func opsReadCSV(L *lua.LState, dir string) int {
	name := L.CheckString(1)
	if !strings.HasSuffix(name, ".csv") {
		L.ArgError(1, "only .csv files can be read")
	}
	path, err := insideDir(dir, name)
	if err != nil {
		L.RaiseError("ops.read_csv %s: %v", name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		L.RaiseError("ops.read_csv: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		L.RaiseError("ops.read_csv %s: %v", name, err)
	}
	out := L.NewTable()
	if len(recs) == 0 {
		L.Push(out)
		return 1
	}
	head := recs[0]
	for _, rec := range recs[1:] {
		row := L.NewTable()
		for i, v := range rec {
			if i >= len(head) {
				break
			}
			if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				row.RawSetString(head[i], lua.LNumber(x))
			} else {
				row.RawSetString(head[i], lua.LString(v))
			}
		}
		out.Append(row)
	}
	L.Push(out)
	return 1
}
