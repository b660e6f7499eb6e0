package scripts

import (
	"fmt"
	"io"
	"strings"
)

// LuaFunc documents one name of the Lua API: a global, a module's function, a
// method of a userdata type, or a field of a spec table.
type LuaFunc struct {
	// Name is the name as registered (the key of the method map, the global,
	// the module's field, the spec table's key).
	Name string
	// Sig is how a script writes it: "sim:resource(name, capacity [, opts])".
	Sig string
	// Doc says what it does, with units where they are not seconds.
	Doc string
}

// LuaGroup documents one table of the Lua API: the globals, a module, the
// methods of a userdata type, or the fields of a spec.
type LuaGroup struct {
	// Name is the group's key: "globals", a type name ("sim", "proc", ...), a
	// module ("medtwin.ops") or a spec ("scenario fields").
	Name  string
	Intro string
	Funcs []LuaFunc
}

// LuaAPI is the reference of the Lua API, printed by `medtwin doc lua`. It is
// the one place a Lua name is documented: the host's registrations are checked
// against it by TestLuaDocMatchesRegistrations (every registered name has an
// entry here and every entry names a registered one), and a misspelt method's
// error shows the signature of the method it suggests.
//
// To add a function: register it as usual (a method map in host.go, proc.go,
// patient.go; a global in sandbox.go or scenario.go; a module's table), then add
// its {Name, Sig, Doc} to the group of the same name below.
var LuaAPI = []LuaGroup{
	{Name: "globals", Intro: "Names every scenario, trial spec and fit spec sees, besides Lua 5.1's `base`, `table`, `string` and " +
		"`math` (without `dofile`, `load*`, `module`, `getfenv`/`setfenv`, `collectgarbage`; `math.random` is an error: draw from " +
		"`sim:rng`). Reading an undefined global is an error that suggests the nearest name.", Funcs: []LuaFunc{
		{"scenario", "scenario { name=, params=, seed=, replications=, horizon=, warmup=, build=function(sim, p) ... end, ... }", "declares a scenario; a scenario file returns it (fields: see \"scenario fields\")"},
		{"param", "param(default [, { min=, max=, integer=, unit=, doc=, choices=, len= }])", "declares a parameter in `params`; `--set name=value` overrides it, `sweep` varies it"},
		{"trial", "trial { name=, subjects=, population=, model=, arms=, endpoints=, ... }", "declares a trial; a trial spec returns it (fields: see \"trial fields\"); only in trial specs"},
		{"fit", "fit { model=, theta=, eta=, omega=, sigma=, covariates=, recommend= } | fit(\"DIR\")", "in fit specs, declares a fit (`medtwin fit`); in trial specs, fit(\"DIR\") reads a fit's DIR/population.json and returns { model = function(s), residual = { add=, prop= }, method, ofv, data_sha256 }, recorded as fit_<i>_* in the outputs' provenance"},
		{"seconds", "seconds(x)", "x seconds, in seconds (time in the Lua API is in seconds)"},
		{"minutes", "minutes(x)", "x minutes, in seconds"},
		{"hours", "hours(x)", "x hours, in seconds"},
		{"days", "days(x)", "x days, in seconds"},
		{"weeks", "weeks(x)", "x weeks, in seconds"},
		{"require", "require(name)", "loads `name.lua` from the scenario's own directory (dots are subdirectories) or a bundled module (`medtwin.ops`, `medtwin.model`); nothing else is reachable"},
		{"print", "print(...)", "writes its arguments, tab-separated, to stderr"},
		{"model", "model { ... } | model [[ model file text ]] | model.library(name)", "the `medtwin.model` module as a global (see \"medtwin.model\")"},
	}},
	{Name: "scenario fields", Intro: "Keys of the table given to `scenario { ... }`; another key is an error naming the nearest.", Funcs: []LuaFunc{
		{"name", "name = \"mmc\"", "required; names the output directory `out/<name>`"},
		{"description", "description = \"...\"", "one line for `--list-params` and reports"},
		{"params", "params = { servers = param(10, {min = 1}), ... }", "the parameters `build` receives as `p`"},
		{"seed", "seed = 1", "the base seed of every named stream (default 1; `--seed`)"},
		{"replications", "replications = 20", "independent replications (default 1; `--replications`)"},
		{"horizon", "horizon = days(365)", "seconds; the run stops before the events at exactly `horizon` (SimPy's `run(until=T)`)"},
		{"warmup", "warmup = days(10)", "seconds; statistics before it are discarded"},
		{"sample_every", "sample_every = hours(1)", "samples resources and gauges into timeseries.arrow"},
		{"trace", "trace = true", "logs resource events to events.arrow (`--trace`)"},
		{"auto_flow", "auto_flow = true", "writes a flow.arrow row per sim:source entity when its process ends (arrival, end, total wait in resource queues, done or reneged), " +
			"and for those still in the system at the horizon (no end, disposition in_system); and a waits.arrow row per request it made (resource, request, grant, release, wait, outcome: " +
			"simmer's per_resource arrivals); off by default"},
		{"build", "build = function(sim, p) ... end", "builds one replication's model on `sim` with the parameter values `p`"},
		{"kpis", "kpis = { wait_h = { better = \"lower\" } }", "each KPI's direction, read by `compare`, `sweep` and `optimize`"},
		{"cost", "cost = function(p) return ... end", "a plan's cost per day, minimised by `optimize`"},
		{"costs", "costs = { physicians_peak = 1200, ... }", "cost per unit of each parameter (instead of `cost`)"},
		{"targets", "targets = { door_to_doctor_min = 30, ... }", "service targets shown by the planning verbs"},
		{"kind", "kind = \"ed\"", "what kind of model this is, for the planning verbs"},
	}},
	{Name: "param options", Intro: "Keys of the options table of `param(default, opts)`.", Funcs: []LuaFunc{
		{"min", "min = 0", "smallest allowed value"},
		{"max", "max = 100", "largest allowed value"},
		{"integer", "integer = true", "the value must be a whole number"},
		{"unit", "unit = \"servers\"", "shown by `--list-params`"},
		{"doc", "doc = \"...\"", "one line shown by `--list-params`"},
		{"choices", "choices = { \"fifo\", \"priority\" }", "the allowed values of a string parameter"},
		{"len", "len = 24", "a list parameter's length"},
	}},
	{Name: "trial fields", Intro: "Keys of the table given to `trial { ... }` (`medtwin trial`; examples: `scenarios/vancomycin_trial.lua`, " +
		"`scenarios/tmdd_trial.lua`, `scenarios/iiv_trial.lua`).", Funcs: []LuaFunc{
		{"name", "name = \"vanco\"", "required; names the output directory"},
		{"description", "description = \"...\"", "one line"},
		{"subjects", "subjects = 12000", "virtual subjects, each simulated in every arm (`--subjects`)"},
		{"seed", "seed = 1", "base seed; each subject draws from its own streams (`--seed`)"},
		{"population", "population = { covariates = {{name=, dist=\"normal|lognormal|bernoulli\", ...}}, correlation = {...} } | { patients = \"patients.arrow\", resample = true }", "covariate distributions (Gaussian copula), or real patients from a CSV or `patients.arrow` in the spec's directory; without it (or with no covariates) subjects differ by their IIV alone"},
		{"model", "model = function(s) return { ncmt=, cl=, v1=, ... } end | model.library(\"tmdd_qss\")", "typical parameters from the subject's covariates `s` (`s.crcl_ml_min` is Cockcroft-Gault): ncmt (1-3), cl, v1, q2, v2, q3, v3, ka (> 0: a depot), f, alag, vmax (mg/h) and km (mg/L) for Michaelis-Menten elimination (then the ODE path); e0, emax, ec50, hill, ke0 for endpoints on the effect; irm, kin, kout, rmax, r50 for the indirect response (Dayneka et al. 1993); or a model of the model language"},
		{"params", "params = function(s) return { CL = ... } end", "with a model-language model: typical values over the model's defaults"},
		{"iiv", "iiv = { cl = 0.398, v1 = 0.816 }", "SD of η (log scale) per parameter; one stream per subject and parameter"},
		{"omega", "omega = { params = { \"CL\", \"V1\" }, block = { 0.09, 0.03, 0.04 } }", "NONMEM's $OMEGA BLOCK: lower triangle of η's covariance"},
		{"output", "output = \"c\"", "with a model-language model: the quantity endpoints are on"},
		{"solver", "solver = \"auto\"", "with a model-language model: auto, exact, taylor, dopri5, radau5"},
		{"arms", "arms = { { name=, doses = {...} | function(s) ... end, adapt = { at=, fn=function(s, levels, t, ctx) ... end } }, ... }", "regimens as NONMEM-style records (amt, rate, ii, addl, cmt, time, ss: 1 starts in the steady state of amt every ii, 2 adds it; a model of the language solves it on the CPU, as pt:dose); `adapt` replaces every dose from `t` on; `ctx.doses` are the doses given before `t`, `ctx:map{ ... }` fits them and `levels` by MAP (fit spec keys; example: `scenarios/vanco_bayes_trial.lua`)"},
		{"sampling", "sampling = { times = { 38.5, 47.5 }, residual = { add = 1.0, prop = 0.15 }, lloq = 0.5, blq = \"flag\" }", "measured levels (hours), with residual error (a level may come out negative); `lloq` (mg/L) censors those below it, reported by `blq`: \"flag\" at the LLOQ (M3 data), \"lloq/2\" (M5), \"drop\" as null (M1), each with a `blq_<t>h` column in subjects.arrow and `blq = true` in adapt's levels (example: `scenarios/iiv_trial.lua`)"},
		{"endpoints", "endpoints = { auc24 = { auc = { 72, 96 } }, trough = { conc = 95.9 }, peak = { cmax = {72, 96} }, above = { time_above = 15, window = {72, 96} } }", "per-subject endpoints (also `cmin`); `of = \"effect\"|\"response\"` for PD"},
		{"target", "target = { endpoint = \"auc24\", min = 400, max = 600 }", "the attainment target"},
		{"grid", "grid = 0.05", "hours between the points each subject's concentration is computed at, from 0 to the last endpoint or sampling time, plus a point just before each dose (default 0.05; at most 10,000,000 points per subject). auc is the trapezoidal rule on them (error about grid²/12·|C''| per hour), cmax/cmin the extreme points of the window (a peak between points is missed by up to grid·|C'|), conc, time_above and the sampled levels are interpolated linearly; `timeseries.every` defaults to it. Cost is proportional to 1/grid (example with the accuracy it gives: `scenarios/iiv_trial.lua`)"},
		{"replicates", "replicates = { n = 100, alpha = 0.05 }", "power: the cohort cut into parallel-group trials of n per arm"},
		{"timeseries", "timeseries = { every = 1, subjects = 100 }", "writes concentration curves to timeseries.arrow"},
	}},
	{Name: "fit fields", Intro: "Keys of the table given to `fit { ... }` (`medtwin fit`; examples: `scenarios/theophylline_fit.lua`, " +
		"`scenarios/vancomycin_map.lua`). For `--method foce-i|saem` the values are the initial estimates.", Funcs: []LuaFunc{
		{"name", "name = \"theophylline\"", "names the fit"},
		{"description", "description = \"...\"", "one line"},
		{"model", "model = { compartments = 1, absorption = true, michaelis_menten = false }", "the structural PK model (1-3 compartments)"},
		{"theta", "theta = { CL = 0.04, V1 = 0.5, KA = 1.6 }", "typical values of the model's parameters (L/h, L, 1/h)"},
		{"eta", "eta = { CL = \"eta_cl\", V1 = \"eta_cl\", KA = \"eta_ka\" }", "the η each parameter carries (parameters may share one)"},
		{"eta_model", "eta_model = { CL = \"exp\" }", "how η enters: exp (default), add or prop"},
		{"omega", "omega = { names = { \"eta_ka\", \"eta_cl\" }, diag = { 0.41, 0.028 } } | { names = ..., matrix = {{...}, ...} }", "the covariance of η"},
		{"sigma", "sigma = { additive = 0.7, proportional = 0.1, exponential = ... }", "residual error (mg/L, fraction)"},
		{"covariates", "covariates = { CL = { { name = \"CRCL\", relation = \"linear\", ref = 100, coef = 0.006 } } }", "covariate relations on a parameter; name is a data-set column"},
		{"recommend", "recommend = { target = { metric = \"auc24\", min = 400, max = 600 }, doses = {...}, intervals = {...}, infusion = 1, draws = 2000, cmt = 1 }", "the regimens `--recommend ID` searches, by probability of attainment"},
		{"seed", "seed = 1", "seed of the recommendation's draws and of NPDE simulations"},
	}},
	{Name: "sim", Intro: "The simulation of one replication, passed to `build`.", Funcs: []LuaFunc{
		{"now", "sim:now()", "current time, seconds"},
		{"replication", "sim:replication()", "this replication's index (0-based)"},
		{"seed", "sim:seed()", "the run's seed"},
		{"resource", "sim:resource(name, capacity [, {preempt_mode=\"resume\"|\"restart\", shrink=\"finish\"|\"preempt\"}])", "a resource (servers, beds, staff)"},
		{"patient", "sim:patient(model [, params])", "a patient following a built-in model (`medtwin doc models`) or a model of `medtwin.model`, advanced lazily to `sim:now()`"},
		{"store", "sim:store(name [, capacity])", "a store of items"},
		{"container", "sim:container(name, capacity [, initial])", "a continuous amount"},
		{"rng", "sim:rng(name)", "the named random stream (see rng)"},
		{"entity_rng", "sim:entity_rng(name, id)", "an entity's own named stream, so variants keep each entity's draws"},
		{"schedule", "sim:schedule(dt, fn)", "calls `fn()` after `dt` seconds"},
		{"schedule_at", "sim:schedule_at(t, fn)", "calls `fn()` at time `t`"},
		{"process", "sim:process(fn [, arg])", "starts a process `fn(proc, arg)` now; returns its proc"},
		{"source", "sim:source(name, gap_fn, body [, {limit=n, start=t}])", "arrivals: `gap_fn()` returns seconds to the next; each runs `body(proc, n)`; the first arrives after one gap, or at `start`"},
		{"record", "sim:record(name, x)", "tally KPI: the replication's value is the mean of the observations"},
		{"count", "sim:count(name [, d])", "counter KPI (counts 0 in summaries for a replication that never counted)"},
		{"gauge", "sim:gauge(name, x)", "time-weighted KPI: the value from now on"},
		{"set", "sim:set(name, x)", "value KPI"},
		{"log", "sim:log(kind, entity, value [, resource])", "a row in events.arrow"},
		{"flow", "sim:flow{arrival=, [entity=], [source=], [finish=now], [acuity=], [door_to_triage=], [door_to_doctor=], [disposition=], [boarding=], [wait=]}", "a row in flow.arrow (seconds), what `validate` compares with observed visits; in the process of an auto_flow entity (no entity= or its id) it is that entity's only row, " +
			"entity, source, arrival and wait defaulting to the tracked ones"},
		{"observe", "sim:observe(series, x)", "a row in timeseries.arrow (kept with or without `sample_every`)"},
		{"event", "sim:event()", "an event to wait on and trigger"},
		{"timeout", "sim:timeout(dt)", "an event that happens after `dt` seconds"},
		{"any_of", "sim:any_of(e...)", "an event that happens when any of the events has; its value lists those that had"},
		{"all_of", "sim:all_of(e...)", "an event that happens when all of the events have"},
		{"fail", "sim:fail(msg)", "stops the run with an error naming the scenario line"},
	}},
	{Name: "proc", Intro: "A process, the first argument of a process body. A wait returns `true` (or a value), or `false`/`nil` and why: " +
		"\"interrupted\" (with the cause), \"reneged\", \"balked\", \"blocked\", \"preempted\".", Funcs: []LuaFunc{
		{"now", "proc:now()", "current time, seconds"},
		{"id", "proc:id()", "the process's id (its entity in events.arrow)"},
		{"timeout", "proc:timeout(dt)", "waits `dt` seconds"},
		{"request", "proc:request(res [, {priority=, preempt=, patience=, balk_at=, entity=, wait=false}])", "waits for one unit; returns the request; lower priority values first; a unit free now is granted inside the call, before other events of the same instant; `patience` seconds before reneging; `balk_at = n` does not join when n requests already wait (those in service do not count: with 2 units busy and nobody waiting, `balk_at = 1` joins; with one waiting it returns nil, \"balked\", counted in the resource's balked); `wait=false` refuses at once when no unit is free (nil, \"blocked\", counted in blocked, as a loss system's or simmer's rejected arrival)"},
		{"release", "proc:release(req)", "gives the unit back (nothing if it was preempted; twice is an error)"},
		{"use", "proc:use(res, fn | seconds [, opts])", "request, run `fn(req)` (which may wait) or hold the unit for `seconds`, release; a preempted service resumes or restarts per the resource's `preempt_mode`"},
		{"use_for", "proc:use_for(res, seconds [, opts])", "holds a unit for `seconds` (what `proc:use(res, seconds)` calls)"},
		{"wait", "proc:wait(event)", "waits for an event; returns its value"},
		{"any_of", "proc:any_of(e...)", "waits for any of the events; returns the list of those that had happened"},
		{"all_of", "proc:all_of(e...)", "waits for all of the events"},
		{"put", "proc:put(store, x)", "waits for room and puts an item"},
		{"get", "proc:get(store [, filter])", "waits for an item (the first for which `filter(item)` is true)"},
		{"put_amount", "proc:put_amount(container, x)", "waits for room for `x` (in (0, capacity]), served in arrival order"},
		{"get_amount", "proc:get_amount(container, x)", "waits for the amount `x`, in arrival order (as SimPy's Container)"},
		{"interrupt", "other:interrupt(cause)", "ends `other`'s wait now (a unit granted to it in the same instant goes back)"},
		{"done", "proc:done()", "an event that happens when the process ends"},
		{"ended", "proc:ended()", "whether the process has ended"},
	}},
	{Name: "resource", Intro: "Made by `sim:resource`. Every resource reports, without extra code, utilisation, busy_mean, queue_mean, " +
		"system_mean, wait_mean_s, arrivals, served, reneged, balked, blocked, preempted, overtime_h, in_use_end and queued_end " +
		"(KPIs named `<resource>.<statistic>`). busy_mean, queue_mean and system_mean are time averages of the number in service, " +
		"waiting (Lq) and in system (L = busy_mean + queue_mean); Little's law L = λW holds for them. balked counts requests that " +
		"chose not to join (`balk_at`), blocked those with no room to wait (`wait = false`).", Funcs: []LuaFunc{
		{"name", "res:name()", "its name"},
		{"capacity", "res:capacity()", "units now"},
		{"in_use", "res:in_use()", "units held now"},
		{"queue_length", "res:queue_length()", "requests waiting now"},
		{"utilisation", "res:utilisation()", "busy unit-time over available unit-time so far"},
		{"set_capacity", "res:set_capacity(n)", "changes the capacity now"},
		{"roster", "res:roster({{at=t, capacity=n}, ...} [, period])", "capacity changes on a schedule, repeating every `period` seconds"},
		{"acquire", "res:acquire(opts, fn)", "callback style: calls `fn(req)` when a unit is granted"},
		{"release", "res:release(req)", "callback style: gives the unit back"},
		{"release_after", "res:release_after(req, dt [, fn])", "releases after `dt` seconds of service (resumed after a preemption), then calls `fn`"},
	}},
	{Name: "request", Intro: "Returned by `proc:request` and given to `acquire`'s callback.", Funcs: []LuaFunc{
		{"state", "req:state()", "queued, granted, released, preempted, reneged, balked, blocked or cancelled"},
		{"cancel", "req:cancel()", "withdraws a queued request"},
		{"waited", "req:waited()", "seconds it waited in the queue"},
	}},
	{Name: "rng", Intro: "A named random stream (`sim:rng`, `sim:entity_rng`); distributions from gonum `stat/distuv`.", Funcs: []LuaFunc{
		{"exp", "r:exp(rate)", "exponential with that rate"},
		{"normal", "r:normal(mu, sd)", "normal"},
		{"lognormal", "r:lognormal(mu, sigma)", "log-normal (parameters of the log)"},
		{"gamma", "r:gamma(shape, rate)", "gamma"},
		{"triangular", "r:triangular(min, max, mode)", "triangular"},
		{"uniform", "r:uniform([a, b])", "uniform between a and b (default 0 and 1)"},
		{"weibull", "r:weibull(k, lambda)", "Weibull"},
		{"bernoulli", "r:bernoulli(p)", "true with probability p"},
		{"poisson", "r:poisson(mean)", "Poisson"},
		{"int", "r:int(lo, hi)", "uniform integer in [lo, hi]"},
		{"empirical", "r:empirical(values, weights)", "one of `values` by `weights` (follows changes to either table)"},
	}},
	{Name: "event", Intro: "Made by `sim:event`, `sim:timeout`, `sim:any_of`, `sim:all_of`, `proc:done`.", Funcs: []LuaFunc{
		{"succeed", "ev:succeed(v)", "triggers it with value `v`"},
		{"fail", "ev:fail(msg)", "triggers it as failed: a wait on it returns nil, msg"},
		{"triggered", "ev:triggered()", "whether it has been triggered"},
		{"processed", "ev:processed()", "whether its callbacks have run"},
		{"value", "ev:value()", "its value"},
		{"on_done", "ev:on_done(fn)", "calls `fn(ev)` when it is processed"},
	}},
	{Name: "store", Intro: "Made by `sim:store`.", Funcs: []LuaFunc{
		{"len", "st:len()", "items held"},
		{"put", "st:put(item [, fn])", "callback style: puts `item`, then calls `fn`"},
		{"get", "st:get(fn)", "callback style: calls `fn(item)` with the next item"},
	}},
	{Name: "container", Intro: "Made by `sim:container`.", Funcs: []LuaFunc{
		{"level", "c:level()", "the amount held"},
		{"put", "c:put(x [, fn])", "callback style: adds `x` when there is room, then calls `fn`"},
		{"get", "c:get(x [, fn])", "callback style: takes `x` when available, then calls `fn`"},
	}},
	{Name: "patient", Intro: "Made by `sim:patient(model [, params])`; the model advances lazily to `sim:now()` when read.", Funcs: []LuaFunc{
		{"dose", "pt:dose(amount [, {state=, rate=, ss=, ii=}])", "a bolus, or an infusion at `rate` per model time unit; `ss = 1` first resets the patient to the steady state of `amount` every `ii` hours (`ss = 2` adds it): any model of the model language, built-in or user-written (the fixed point of one dosing interval with the model's F, ALAG and rate; refused for a regimen with no steady state, a lag or infusion longer than `ii`, or equations that depend on time)"},
		{"regimen", "pt:regimen({{time=, amt=, rate=, ii=, addl=, cmt=, ss=}, ...})", "NONMEM-style records, hours from now, mg and mg/h; `cmt` a state name or number; `ss = 1` resets to the steady state of `amt` every `ii` before the record's dose, `ss = 2` adds it (any model of the model language, as pt:dose)"},
		{"conc", "pt:conc()", "the model's concentration output"},
		{"output", "pt:output(name)", "a named output of the model"},
		{"state", "pt:state(name)", "a state variable"},
		{"set", "pt:set(param, value)", "changes a parameter now (a treatment): the integrator restarts"},
	}},
	{Name: "medtwin.ops", Intro: "Hospital components: `local ops = require(\"medtwin.ops\")`. Defaults, each with its source, in `ops/defaults.go`.", Funcs: []LuaFunc{
		{"ed", "ops.ed(sim, config)", "a whole emergency department; keys: visits_per_day, profile (24), day_of_week (7), esi_mix (5), beds, triage/physicians/nurses (shift lists), shift_policy, assess_min, nurse_min, lab_prob, lab_min, imaging_prob, ct (equipment), scan_min, admit_prob, icu_share, ward/icu, patience_min, diversion_at, target_min, ambulance_fraction, surges"},
		{"staff", "ops.staff(sim, name, shifts [, policy])", "a staff resource on a daily roster; a shift is `{from=7, to=19, staff=3, breaks={{after=4, minutes=30, staff=1}}}`"},
		{"equipment", "ops.equipment(sim, name, {units=, mtbf_h=, mttr_h=, repair_sigma=, mode=, maintenance={{at=, minutes=, preempt=}}})", "machines that fail (exponential up-time, log-normal repair) and are maintained daily"},
		{"arrivals", "ops.arrivals(sim, {per_hour={24}} | {per_day=, profile={24}, day_of_week={7}}, fn)", "non-homogeneous Poisson arrivals by thinning, `fn(n)` for each"},
		{"read_csv", "ops.read_csv(file)", "rows of a CSV in the scenario's directory (numbers converted)"},
	}},
	{Name: "medtwin.model", Intro: "A user's own physiology in the model language (`physio/modlang`; rxode2/NONMEM `$DES` notation): " +
		"`local model = require(\"medtwin.model\")`, also the global `model`.", Funcs: []LuaFunc{
		{"__call", "model { name=, time=\"h\", params={{\"CL\", 5, unit=\"L/h\"}, ...}, states={{\"central\", 0, unit=\"mg\"}}, equations=[[ d/dt(central) = -CL/V1*central ]], outputs={\"cp\"} } | model [[ model file text ]]", "compiles a model; equations: assignments, `d/dt(state) =`, if/else, ifelse, exp log sqrt abs min max ^, `F() ALAG() R() D()`; units are checked where every parameter and state has one"},
		{"library", "model.library(name)", "a built-in model file (`medtwin doc models`)"},
		{"show", "model.show(name)", "a built-in model file's text"},
		{"names", "model.names", "the built-in model files' names"},
	}},
	{Name: "model", Intro: "A compiled model, returned by `model { ... }` and `model.library`.", Funcs: []LuaFunc{
		{"simulate", "m:simulate(doses, times [, {params=, path=\"auto|exact|taylor|dopri5|radau5\"}])", "columns `time`, each state and output at `times`; doses are NONMEM-style records {time=, amt=, rate=, ii=, addl=, cmt=, ss=} (`ss = 1` resets to the steady state of `amt` every `ii` before the record's dose, `ss = 2` adds it, as pt:dose)"},
		{"source", "m:source()", "the model file's text"},
		{"name", "m.name", "its name"},
		{"linear", "m.linear", "whether it is linear (then it runs on the exact path)"},
		{"params", "m.params", "its parameters' default values by name"},
	}},
}

// luaDoc returns the entry for name in group, if any.
func luaDoc(group, name string) (LuaFunc, bool) {
	for _, g := range LuaAPI {
		if g.Name != group {
			continue
		}
		for _, f := range g.Funcs {
			if f.Name == name {
				return f, true
			}
		}
	}
	return LuaFunc{}, false
}

// WriteLuaReference prints LuaAPI as Markdown: a section per group, a table of
// signatures and what each does.
func WriteLuaReference(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# medtwin Lua API\n\nGenerated by `medtwin doc lua` from the host's registrations (scripts/luadoc.go). " +
		"Time is in seconds.\n")
	for _, g := range LuaAPI {
		fmt.Fprintf(&b, "\n## %s\n\n", g.Name)
		if g.Intro != "" {
			b.WriteString(g.Intro + "\n\n")
		}
		b.WriteString("| call | does |\n|---|---|\n")
		for _, f := range g.Funcs {
			fmt.Fprintf(&b, "| `%s` | %s |\n", strings.ReplaceAll(f.Sig, "|", "\\|"), strings.ReplaceAll(f.Doc, "|", "\\|"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// suggestDoc returns "; did you mean 'x'? (signature of x)" for a misspelt
// name of group, with the signature from LuaAPI, or "" when nothing is close.
func suggestDoc(group, name string, candidates []string) string {
	n := Nearest(name, candidates)
	if n == "" {
		return ""
	}
	if d, ok := luaDoc(group, n); ok {
		return fmt.Sprintf("; did you mean '%s'? (%s)", n, d.Sig)
	}
	return didYouMean(name, candidates)
}
