package ops

import (
	"fmt"
	"math"
	"slices"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
)

// ED is an emergency department. Patients arrive (walk-in or by ambulance), are
// triaged and given an acuity (ESI 1–5), wait for a treatment space with a
// patience that depends on acuity (leaving without being seen when it runs
// out), are assessed by a physician, may need labs and imaging, get nursing
// care, and are discharged or admitted — boarding in the ED until a ward or ICU
// bed frees. Lower ESI means more urgent and is served first everywhere.
type ED struct {
	Arrivals          *NHPP
	Surges            []Batch
	AmbulanceFraction float64    // share of arrivals by ambulance (diverted when the ED is full)
	ESIMix            [5]float64 // acuity distribution
	TriageNurses      Roster
	TriageMinutes     float64 // mean triage time (exponential)
	Beds              int     // treatment spaces
	Physicians        Roster
	Nurses            Roster
	AssessMinutes     [5]float64 // mean physician time by ESI (log-normal, CV 0.5)
	NurseMinutes      [5]float64 // mean nursing time by ESI
	LabProb           [5]float64
	LabMinutes        float64 // mean lab turnaround (log-normal, CV 0.5)
	ImagingProb       [5]float64
	Imaging           Equipment
	ScanMinutes       float64 // mean scan time
	AdmitProb         [5]float64
	ICUShare          [5]float64 // share of admissions going to the ICU
	Ward, ICU         Unit
	PatienceMinutes   [5]float64 // mean patience before leaving unseen (0: none)
	DiversionAt       int        // divert ambulances when this many wait for a bed (0: never)
	TargetMinutes     float64    // door-to-doctor target
	// Sepsis, if set, makes a share of patients septic, with physiology (see Sepsis).
	Sepsis *Sepsis
}

// Validate checks the configuration; errors name the table and entry.
func (ed *ED) Validate() error {
	if ed.Arrivals == nil {
		return fmt.Errorf("ops: ED: no arrival process")
	}
	sum := 0.0
	for i, p := range ed.ESIMix {
		if math.IsNaN(p) || p < 0 {
			return fmt.Errorf("ops: ED: ESI mix entry %d (ESI %d) is %v, want >= 0", i+1, i+1, p)
		}
		sum += p
	}
	if sum <= 0 {
		return fmt.Errorf("ops: ED: the ESI mix is all zero")
	}
	for name, tab := range map[string][5]float64{"lab probability": ed.LabProb, "imaging probability": ed.ImagingProb,
		"admission probability": ed.AdmitProb, "ICU share": ed.ICUShare} {
		for i, p := range tab {
			if !(p >= 0 && p <= 1) {
				return fmt.Errorf("ops: ED: %s entry %d (ESI %d) is %v, want a probability in [0, 1]", name, i+1, i+1, p)
			}
		}
	}
	for name, tab := range map[string][5]float64{"assessment minutes": ed.AssessMinutes, "nursing minutes": ed.NurseMinutes, "patience minutes": ed.PatienceMinutes} {
		for i, v := range tab {
			if math.IsNaN(v) || v < 0 {
				return fmt.Errorf("ops: ED: %s entry %d (ESI %d) is %v, want >= 0", name, i+1, i+1, v)
			}
		}
	}
	switch {
	case ed.Beds < 1:
		return fmt.Errorf("ops: ED: beds must be >= 1, got %d", ed.Beds)
	case ed.AmbulanceFraction < 0 || ed.AmbulanceFraction > 1:
		return fmt.Errorf("ops: ED: ambulance fraction %v is not in [0, 1]", ed.AmbulanceFraction)
	case !(ed.TriageMinutes >= 0 && ed.LabMinutes >= 0 && ed.ScanMinutes >= 0):
		return fmt.Errorf("ops: ED: triage, lab and scan minutes must be >= 0, got %v, %v and %v", ed.TriageMinutes, ed.LabMinutes, ed.ScanMinutes)
	}
	for _, u := range []Unit{ed.Ward, ed.ICU} {
		if err := u.Validate(); err != nil {
			return err
		}
	}
	if ed.Sepsis != nil && !(ed.Sepsis.AntibioticMinutes >= 0) {
		return fmt.Errorf("ops: ED: sepsis antibiotic minutes must be >= 0, got %v", ed.Sepsis.AntibioticMinutes)
	}
	return nil
}

// edKPIs are the handles of the ED's KPIs, made once per replication.
type edKPIs struct {
	d2t, d2d, met, los, lwbs, lwbsN, diverted, boarding, losAdm, losDis, inED *engine.KPI
	d2dESI, losESI                                                            [5]*engine.KPI
	occ, util                                                                 [24]*engine.KPI
}

func mustKPI(s *engine.Sim, name string, kind engine.KPIKind) *engine.KPI {
	k, err := s.KPI(name, kind)
	if err != nil {
		panic(err) // names are fixed here; a clash is a programming error
	}
	return k
}

// Build puts the ED into s.
func (ed *ED) Build(s *engine.Sim) error {
	if err := ed.Validate(); err != nil {
		return err
	}
	triage, err := ed.TriageNurses.Apply(s)
	if err != nil {
		return err
	}
	docs, err := ed.Physicians.Apply(s)
	if err != nil {
		return err
	}
	nurses, err := ed.Nurses.Apply(s)
	if err != nil {
		return err
	}
	beds, err := s.NewResource("beds", ed.Beds)
	if err != nil {
		return err
	}
	ct, err := ed.Imaging.Apply(s)
	if err != nil {
		return err
	}
	ward, err := s.NewResource(ed.Ward.Name, ed.Ward.Beds)
	if err != nil {
		return err
	}
	icu, err := s.NewResource(ed.ICU.Name, ed.ICU.Beds)
	if err != nil {
		return err
	}
	k := &edKPIs{
		d2t: mustKPI(s, "door_to_triage_min", engine.KindTally), d2d: mustKPI(s, "door_to_doctor_min", engine.KindTally),
		met: mustKPI(s, "door_to_doctor_target_met", engine.KindTally), los: mustKPI(s, "los_h", engine.KindTally),
		lwbs: mustKPI(s, "lwbs_rate", engine.KindTally), lwbsN: mustKPI(s, "lwbs", engine.KindCounter),
		diverted: mustKPI(s, "diverted", engine.KindCounter), boarding: mustKPI(s, "boarding_h", engine.KindTally),
		losAdm: mustKPI(s, "los_h_admitted", engine.KindTally), losDis: mustKPI(s, "los_h_discharged", engine.KindTally),
		inED: mustKPI(s, "patients_in_ed", engine.KindGauge),
	}
	for e := 0; e < 5; e++ {
		k.d2dESI[e] = mustKPI(s, fmt.Sprintf("door_to_doctor_min_esi%d", e+1), engine.KindTally)
		k.losESI[e] = mustKPI(s, fmt.Sprintf("los_h_esi%d", e+1), engine.KindTally)
	}
	for h := 0; h < 24; h++ {
		k.occ[h] = mustKPI(s, fmt.Sprintf("beds_occupancy_h%02d", h), engine.KindTally)
		k.util[h] = mustKPI(s, fmt.Sprintf("physician_utilisation_h%02d", h), engine.KindTally)
	}
	// occupancy and utilisation by hour of day, sampled at each half hour
	var sample func()
	sample = func() {
		h := int(modPeriod(s.Now(), 86400) / 3600)
		k.occ[h].Add(float64(beds.InUse()) / float64(ed.Beds))
		if c := docs.Capacity(); c > 0 {
			k.util[h].Add(math.Min(1, float64(docs.InUse())/float64(c)))
		}
		s.Schedule(3600, sample)
	}
	s.Schedule(1800, sample)

	esiE := make([]float64, 5)
	copy(esiE, ed.ESIMix[:])
	// every patient draws from its own stream (acuity, route, times, disposition),
	// so a staffing variant sees the same patients: common random numbers
	logn := func(st *rng.Stream, mean float64) float64 { // log-normal with CV 0.5: sigma² = ln(1.25)
		if mean <= 0 {
			return 0
		}
		const s2 = 0.22314355131420976
		return st.LogNormal(math.Log(mean)-s2/2, math.Sqrt(s2))
	}
	pick := func(u float64) int {
		sum := 0.0
		for _, p := range esiE {
			sum += p
		}
		acc := 0.0
		for i, p := range esiE {
			acc += p / sum
			if u < acc {
				return i
			}
		}
		return 4
	}
	var sk *sepsisKPIs
	if ed.Sepsis != nil {
		sk = ed.Sepsis.kpis(s)
	}
	inED := map[int64]*engine.FlowRow{} // patients in the ED, by id: flow rows with disposition in_system at the end
	s.OnFinalize(func() { flowInSystem(s, inED) })
	patient := func(p *engine.Proc, v *visit) {
		st := &v.st
		rAcuity, rSvc, rRoute, rDisp := st, st, st, st
		t0 := p.Now()
		var sep *septic
		if ed.Sepsis != nil && st.Bernoulli(ed.Sepsis.Fraction) {
			var err error
			if sep, err = ed.Sepsis.arrive(s, st, int64(p.ID()), sk); err != nil {
				s.Fail(err)
				return
			}
		}
		// the patient's row of flow.arrow, written when it leaves the ED
		fl := &v.fl
		*fl = engine.FlowRow{Entity: int64(p.ID()), Source: "patient", Arrival: t0, DoorTriage: engine.NoTime,
			DoorDoctor: engine.NoTime, Disposition: "left", Boarding: engine.NoTime, Wait: engine.NoTime}
		ambulance := rRoute.Bernoulli(ed.AmbulanceFraction)
		if ambulance && ed.DiversionAt > 0 && beds.QueueLen() >= ed.DiversionAt {
			k.diverted.Add(1)
			fl.Disposition = "diverted"
			s.Flow(*fl)
			return
		}
		k.inED.Add(1)
		esi := pick(rAcuity.Float64())
		fl.Acuity = int32(esi + 1)
		inED[fl.Entity] = fl
		leave := func() {
			delete(inED, fl.Entity)
			if sep != nil {
				sep.inED = false
			}
			k.inED.Add(-1)
			k.los.Add((p.Now() - t0) / 3600)
			s.Flow(*fl)
		}
		prio := esi + 1
		// Use fails only on a modelling error (no one interrupts or limits the
		// ED's queues): it stops the replication with its cause, never silently
		failed := func(step string, err error) {
			s.Fail(fmt.Errorf("ops: ED: patient %d: %s: %w", p.ID(), step, err))
			leave()
		}
		if err := p.Use(triage, rSvc.Exp(1/(ed.TriageMinutes*60+1e-9)), engine.RequestOpts{}); err != nil {
			failed("triage", err)
			return
		}
		k.d2t.Add((p.Now() - t0) / 60)
		fl.DoorTriage = p.Now() - t0
		var lactate float64 // time the lactate result is back (alerted septic patients)
		if sep != nil && st.Bernoulli(ed.Sepsis.ScreenSensitivity) {
			sep.alert = true
			sk.alerts.Add(1)
			s.Log("sepsis_alert", sep.id, "triage", 0)
			if esi > 1 {
				esi, prio = 1, 2 // sepsis alert: ESI 2
				fl.Acuity = 2
			}
			lactate = p.Now() + ed.Sepsis.LactateMinutes*60
		}
		var patience float64
		if m := ed.PatienceMinutes[esi]; m > 0 {
			patience = rSvc.Exp(1 / (m * 60))
		}
		bed, err := p.RequestWith(beds, engine.RequestOpts{Priority: prio, Patience: patience})
		if err != nil {
			k.lwbs.Add(1)
			k.lwbsN.Add(1)
			fl.Disposition = "left_unseen"
			leave()
			return
		}
		k.lwbs.Add(0)
		doc, err := p.RequestWith(docs, engine.RequestOpts{Priority: prio})
		if err != nil {
			p.Release(bed)
			leave()
			return
		}
		d2d := (p.Now() - t0) / 60
		k.d2d.Add(d2d)
		fl.DoorDoctor = p.Now() - t0
		k.d2dESI[esi].Add(d2d)
		if d2d <= ed.TargetMinutes {
			k.met.Add(1)
		} else {
			k.met.Add(0)
		}
		if sep != nil {
			sk.d2d.Add(d2d)
		}
		p.Timeout(logn(rSvc, ed.AssessMinutes[esi]*60))
		p.Release(doc)
		switch {
		case sep != nil && sep.alert:
			// bundle: antibiotics right after assessment
			if err := ed.Sepsis.treat(p, sep, nurses, prio, sk); err != nil {
				failed("antibiotics", err)
				return
			}
			if w := lactate - p.Now(); w > 0 {
				p.Timeout(w)
			}
		case sep != nil:
			p.Timeout(logn(rSvc, ed.LabMinutes*60)) // recognised when the labs come back
			if err := ed.Sepsis.treat(p, sep, nurses, prio, sk); err != nil {
				failed("antibiotics", err)
				return
			}
		case rDisp.Bernoulli(ed.LabProb[esi]):
			p.Timeout(logn(rSvc, ed.LabMinutes*60))
		}
		if rDisp.Bernoulli(ed.ImagingProb[esi]) {
			if err := p.Use(ct, rSvc.Exp(1/(ed.ScanMinutes*60+1e-9)), engine.RequestOpts{Priority: prio}); err != nil {
				failed("imaging", err)
				return
			}
		}
		if m := ed.NurseMinutes[esi]; m > 0 {
			if err := p.Use(nurses, logn(rSvc, m*60), engine.RequestOpts{Priority: prio}); err != nil {
				failed("nursing", err)
				return
			}
		}
		if sep == nil && !rDisp.Bernoulli(ed.AdmitProb[esi]) {
			p.Release(bed)
			k.losESI[esi].Add((p.Now() - t0) / 3600)
			k.losDis.Add((p.Now() - t0) / 3600)
			fl.Disposition = "discharged"
			leave()
			return
		}
		unit, res := ed.Ward, ward
		switch {
		case sep != nil:
			// septic patients are admitted; to the ICU if they have deteriorated by now
			if sep.deteriorated {
				unit, res = ed.ICU, icu
			}
			sep.admitted = true
			sk.icu.Add(b2f(sep.deteriorated))
		case rDisp.Bernoulli(ed.ICUShare[esi]):
			unit, res = ed.ICU, icu
		}
		b0 := p.Now()
		ibed, err := p.RequestWith(res, engine.RequestOpts{Priority: prio})
		k.boarding.Add((p.Now() - b0) / 3600)
		fl.Boarding, fl.Disposition = p.Now()-b0, "admitted_ward"
		if res == icu {
			fl.Disposition = "admitted_icu"
		}
		p.Release(bed)
		k.losESI[esi].Add((p.Now() - t0) / 3600)
		k.losAdm.Add((p.Now() - t0) / 3600)
		leave()
		if err == nil {
			unit.stay(p, ibed, rSvc)
		}
	}
	// a patient's process body takes its visit from next: Process runs the
	// body at once, so one body serves every patient, with no closure each
	var next *visit
	body := func(p *engine.Proc) {
		v := next
		next = nil
		patient(p, v)
	}
	start := func(stream string, n uint64) {
		v := &visit{}
		s.InitEntityRNG(&v.st, stream, n)
		next = v
		s.Process("patient", body)
	}
	ed.Arrivals.Start(s, "arrivals", func(n int) { start("patient", uint64(n)) })
	surge := 0
	return StartBatches(s, ed.Surges, func(int) {
		surge++
		start("surge-patient", uint64(surge))
	})
}

// visit is a patient's own memory, one allocation: its random stream and its
// row of flow.arrow.
type visit struct {
	st rng.Stream
	fl engine.FlowRow
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// flowInSystem records the patients still in the ED at the end of the run, in
// id order, with disposition in_system and no end time (simmer's ongoing
// arrivals).
func flowInSystem(s *engine.Sim, inED map[int64]*engine.FlowRow) {
	ids := make([]int64, 0, len(inED))
	for id := range inED {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		f := *inED[id]
		f.End, f.Disposition = engine.NoTime, "in_system"
		s.Flow(f)
	}
}
