package scripts

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/twin"
	lua "github.com/yuin/gopher-lua"
)

// sim:patient(model, {param = value, ...}) creates a patient whose physiology
// follows a built-in model (see `medtwin models`), advanced lazily to the
// simulation time whenever the script reads it.
func simPatient(h *host, L *lua.LState) int {
	var m models.Model
	var err error
	if ud, ok := L.Get(2).(*lua.LUserData); ok {
		// a model of the language (require("medtwin.model")): the user's own equations
		mm, ok := ud.Value.(*modlang.Model)
		if !ok {
			L.ArgError(2, "a model name or a model of medtwin.model expected")
		}
		m, err = mm.Patient(paramTable(L, 3))
	} else {
		m, err = models.New(L.CheckString(2), paramTable(L, 3))
	}
	if err != nil {
		raise(L, err)
	}
	p, err := twin.New(m, h.sim.Now(), 0)
	if err != nil {
		raise(L, err)
	}
	L.Push(h.wrap("patient", p))
	return 1
}

// paramTable reads argument n, a table {name = number, ...} (absent: empty).
func paramTable(L *lua.LState, n int) map[string]float64 {
	over := map[string]float64{}
	if t, ok := L.Get(n).(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) {
			x, ok := v.(lua.LNumber)
			if !ok {
				L.ArgError(n, fmt.Sprintf("parameter %s must be a number, got %s", k, v.Type()))
			}
			over[k.String()] = float64(x)
		})
	}
	return over
}

// regimenFromLua reads NONMEM-style records {time=, amt=, rate=, ii=, addl=, cmt=, ss=}
// (time and ii in hours, amt in mg, rate in mg/h; cmt a state name or 1-based
// number; ss 1 or 2 a steady-state record of amt every ii), naming the
// record in errors.
func regimenFromLua(L *lua.LState, n int) []pk.Dose {
	t := L.CheckTable(n)
	var out []pk.Dose
	for i := 1; i <= t.Len(); i++ {
		L.Push(t.RawGetInt(i))
		c := newCfg(L, L.GetTop(), fmt.Sprintf("dosing record %d", i), "time", "amt", "rate", "ii", "addl", "cmt", "ss")
		L.Pop(1)
		d := pk.Dose{Time: c.num("time", 0), Amt: c.num("amt", math.NaN()), Rate: c.num("rate", 0), II: c.num("ii", 0),
			ADDL: c.int("addl", 0), SS: c.int("ss", 0), Cmt: c.int("cmt", 0), Source: fmt.Sprintf("dosing record %d", i)}
		if math.IsNaN(d.Amt) {
			L.RaiseError("dosing record %d: amt is required (mg)", i)
		}
		out = append(out, d)
	}
	return out
}

var patientMethods = map[string]method{
	// pt:regimen({{time = 0, amt = 1000, rate = 1000, ii = 12, addl = 3, cmt = "central"}, ...}):
	// NONMEM-style records, times in hours from now
	"regimen": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		t := L.CheckTable(2)
		states := make([]string, 0)
		for _, s := range p.Model.Info().States {
			states = append(states, s.Name)
		}
		// cmt may be a state name: map it to its number before validating
		for i := 1; i <= t.Len(); i++ {
			if r, ok := t.RawGetInt(i).(*lua.LTable); ok {
				if name, ok := r.RawGetString("cmt").(lua.LString); ok {
					idx, err := p.StateIndex(string(name))
					if err != nil {
						L.RaiseError("dosing record %d: %v", i, err)
					}
					r.RawSetString("cmt", lua.LNumber(idx+1))
				}
			}
		}
		recs := regimenFromLua(L, 2)
		admins, err := pk.Expand(recs)
		if err != nil {
			raise(L, err)
		}
		now := h.sim.Now()
		for _, a := range admins {
			if a.Cmt > len(states) {
				L.RaiseError("CMT %d is not a state of %s (1..%d: %v)", a.Cmt, p.Model.Info().Name, len(states), states)
			}
			if now+a.Time*3600 < now {
				L.RaiseError("dosing record at %g h is in the past", a.Time)
			}
		}
		// steady-state records first: at a record's time its steady state
		// is set before any dose of that time is given (pk's order)
		for _, d := range recs {
			if d.SS == 0 {
				continue
			}
			sd := modelDose(p, d)
			if err := p.CheckSteadyState(sd); err != nil {
				raise(L, err)
			}
			h.sim.ScheduleAt(now+d.Time*3600, func() {
				if err := p.SteadyState(sd, h.sim.Now()); err != nil {
					h.fail(err)
				}
			})
		}
		for _, a := range admins {
			state := states[0]
			if a.Cmt > 0 {
				state = states[a.Cmt-1]
			}
			a := a
			at := now + a.Time*3600
			f, lag, err := p.DoseProps(state)
			if err != nil {
				raise(L, err)
			}
			h.sim.ScheduleAt(at+lag, func() {
				if err := give(p, state, a.Amount*f, a.Rate*secondsPerModel(p)/3600, h.sim.Now()); err != nil {
					h.fail(err)
				}
			})
		}
		return 0
	},
	// pt:dose(amount [, {state = "depot", rate = per model time unit, ss = 1|2, ii = h}]):
	// the model's F scales the amount and its ALAG delays it (pk: f and
	// alag); ss puts the patient in the steady state of amount every ii
	// hours first (NONMEM's SS=1 reset, SS=2 added)
	"dose": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		amt := nonneg(L, 2, "dose amount")
		state, rate := p.Model.Info().States[0].Name, 0.0
		ss := pk.Dose{Amt: amt, Source: "pt:dose"}
		if t, ok := L.Get(3).(*lua.LTable); ok {
			t.ForEach(func(k, v lua.LValue) {
				switch k.String() {
				case "state", "cmt":
					state = v.String()
				case "rate":
					n, ok := v.(lua.LNumber)
					if !ok || !(n >= 0) {
						L.RaiseError("pt:dose: rate must be a number >= 0 (amount per model time unit), got %s", v.String())
					}
					rate = float64(n)
				case "ss":
					ss.SS = intValue(L, v, "pt:dose: ss")
				case "ii":
					n, ok := v.(lua.LNumber)
					if !ok {
						L.RaiseError("pt:dose: ii must be a number, got %s", v.Type())
					}
					ss.II = float64(n)
				default:
					L.ArgError(3, fmt.Sprintf("unknown dose option '%s'%s", k, didYouMean(k.String(), []string{"state", "rate", "ss", "ii"})))
				}
			})
		}
		if ss.SS != 0 || ss.II != 0 {
			i, err := p.StateIndex(state)
			if err != nil {
				raise(L, err)
			}
			// rate is per model time unit here, mg/h in a record
			ss.Cmt, ss.Rate = i+1, rate*3600/secondsPerModel(p)
			if err := (pk.Dose{Amt: ss.Amt, Rate: ss.Rate, II: ss.II, SS: ss.SS, Source: ss.Source}).Validate(0); err != nil {
				raise(L, err)
			}
			if ss.SS == 0 {
				L.ArgError(3, "ii is the interdose interval of a steady state: give ss = 1 or 2 with it")
			}
			d := modelDose(p, ss)
			if err := p.SteadyState(d, h.sim.Now()); err != nil {
				raise(L, err)
			}
		}
		f, lag, err := p.DoseProps(state)
		if err != nil {
			raise(L, err)
		}
		if lag == 0 {
			if err := give(p, state, amt*f, rate, h.sim.Now()); err != nil {
				raise(L, err)
			}
			return 0
		}
		h.sim.ScheduleAt(h.sim.Now()+lag, func() {
			if err := give(p, state, amt*f, rate, h.sim.Now()); err != nil {
				h.fail(err)
			}
		})
		return 0
	},
	// pt:output(name): a model output now (conc_mg_l, map_mmhg, ...)
	"output": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		v, err := p.Output(L.CheckString(2), h.sim.Now())
		if err != nil {
			raise(L, err)
		}
		L.PushNumber(lua.LNumber(v))
		return 1
	},
	"conc": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		v, err := p.Output("conc_mg_l", h.sim.Now())
		if err != nil {
			raise(L, err)
		}
		L.PushNumber(lua.LNumber(v))
		return 1
	},
	// pt:state(name): a state variable now
	"state": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		i, err := p.StateIndex(L.CheckString(2))
		if err != nil {
			raise(L, err)
		}
		if err := p.AdvanceTo(h.sim.Now()); err != nil {
			raise(L, err)
		}
		L.PushNumber(lua.LNumber(p.State()[i]))
		return 1
	},
	// pt:set(name, value): change a parameter or input now (a treatment)
	"set": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		if err := p.Set(L.CheckString(2), float64(L.CheckNumber(3)), h.sim.Now()); err != nil {
			raise(L, err)
		}
		return 0
	},
}

// give puts amount into state now: an infusion at rate (per model time
// unit) when rate > 0, a bolus otherwise.
func give(p *twin.Patient, state string, amount, rate, now float64) error {
	if rate > 0 && amount == 0 {
		return nil // F = 0: nothing reaches the state
	}
	if rate > 0 {
		return p.Infuse(state, amount, rate, now)
	}
	return p.Bolus(state, amount, now)
}

// modelDose is a dosing record (hours, mg/h) in the patient model's time
// unit, for its steady state.
func modelDose(p *twin.Patient, d pk.Dose) pk.Dose {
	per := secondsPerModel(p) / 3600 // hours per model time unit
	d.Time, d.II, d.Rate = d.Time/per, d.II/per, d.Rate*per
	return d
}

// secondsPerModel returns the seconds per model time unit of a patient.
func secondsPerModel(p *twin.Patient) float64 {
	s, _ := twin.SecondsPer(p.Model.Info().TimeUnit)
	return s
}
