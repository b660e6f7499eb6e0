package scripts

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/twin"
	lua "github.com/yuin/gopher-lua"
)

// sim:patient(model, {param = value, ...}) creates a patient whose physiology
// follows a built-in model (see `medtwin models`), advanced lazily to the
// simulation time whenever the script reads it.
func simPatient(h *host, L *lua.LState) int {
	name := L.CheckString(2)
	over := map[string]float64{}
	if t, ok := L.Get(3).(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) {
			n, ok := v.(lua.LNumber)
			if !ok {
				L.ArgError(3, fmt.Sprintf("parameter %s must be a number, got %s", k, v.Type()))
			}
			over[k.String()] = float64(n)
		})
	}
	m, err := models.New(name, over)
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

var patientMethods = map[string]method{
	// pt:dose(amount [, {state = "depot", rate = per model time unit}])
	"dose": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		amt := nonneg(L, 2, "dose amount")
		state, rate := p.Model.Info().States[0].Name, 0.0
		if t, ok := L.Get(3).(*lua.LTable); ok {
			t.ForEach(func(k, v lua.LValue) {
				switch k.String() {
				case "state", "cmt":
					state = v.String()
				case "rate":
					rate = float64(lua.LVAsNumber(v))
				default:
					L.ArgError(3, fmt.Sprintf("unknown dose option '%s'%s", k, didYouMean(k.String(), []string{"state", "rate"})))
				}
			})
		}
		var err error
		if rate > 0 {
			err = p.Infuse(state, amt, rate, h.sim.Now())
		} else {
			err = p.Bolus(state, amt, h.sim.Now())
		}
		if err != nil {
			raise(L, err)
		}
		return 0
	},
	// pt:output(name): a model output now (conc_mg_l, map_mmhg, ...)
	"output": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		v, err := p.Output(L.CheckString(2), h.sim.Now())
		if err != nil {
			raise(L, err)
		}
		L.Push(lua.LNumber(v))
		return 1
	},
	"conc": func(h *host, L *lua.LState) int {
		p := check[*twin.Patient](L, 1, "patient")
		v, err := p.Output("conc_mg_l", h.sim.Now())
		if err != nil {
			raise(L, err)
		}
		L.Push(lua.LNumber(v))
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
		L.Push(lua.LNumber(p.State()[i]))
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
