package ops

import (
	"math"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/twin"
)

// Sepsis adds septic patients to the ED: each carries the acute inflammation
// model of Reynolds et al. 2006 (physio/models "inflammation"), advanced lazily,
// so that screening, lab turnaround, staffing and time to antibiotics show up in
// patient outcomes.
//
// At arrival a septic patient's pathogen load is log-normal (median
// PathogenMedian, in the model's units of 10^6/cc) with the other states at the
// healthy equilibrium. Screening at triage detects sepsis with probability
// ScreenSensitivity; a positive screen raises the priority to ESI 2, orders a
// lactate test at once, and antibiotics are given by a nurse right after the
// physician's assessment. Otherwise sepsis is recognised only when the labs
// ordered by the physician return (LabMinutes), and antibiotics follow then.
// Antibiotics suppress the pathogen's growth by AntibioticEffect from the moment
// they are given (a discontinuity: the integrator restarts and predicted
// crossings are re-predicted).
//
// Outcomes are model-based proxies: deterioration when tissue damage rises
// through DeteriorationDamage (an ICU admission), and death when damage is still
// above DeathDamage DeathDays after arrival — in the Reynolds model the septic and
// aseptic-death states keep damage near 16, while recovery brings it back to 0,
// so the threshold separates the two basins.
type Sepsis struct {
	Fraction            float64 // share of arrivals who are septic
	PathogenMedian      float64
	PathogenSigma       float64
	ScreenSensitivity   float64
	LactateMinutes      float64
	AntibioticEffect    float64
	AntibioticMinutes   float64 // nurse time to give the first dose
	DeteriorationDamage float64
	DeathDamage         float64
	DeathDays           float64
	VitalsMinutes       float64 // sampling of pathogen and damage while in the ED (0: none)
}

// DefaultSepsis returns the defaults: 2% of visits septic (above the US average
// of about 0.5% of ED visits, Wang et al. 2007, Crit Care Med 35:1928, to model a
// referral ED with enough cases to compare); screening sensitivity 0.6, about
// that of qSOFA in the ED (Fernando et al. 2018, Ann Intern Med 168:266);
// pathogen load median 1.0 (sigma 0.5) and thresholds chosen on the model's own
// dynamics (see the type's comment).
func DefaultSepsis() *Sepsis {
	return &Sepsis{Fraction: 0.02, PathogenMedian: 1.0, PathogenSigma: 0.5, ScreenSensitivity: 0.6, LactateMinutes: 45,
		AntibioticEffect: 0.9, AntibioticMinutes: 15, DeteriorationDamage: 2, DeathDamage: 5, DeathDays: 7, VitalsMinutes: 30}
}

// septic is one septic patient's state during the ED visit.
type septic struct {
	pt           *twin.Patient
	id           int64
	arrived      float64
	alert        bool
	treated      bool
	deteriorated bool
	inED         bool
	admitted     bool
}

type sepsisKPIs struct {
	patients, alerts, untreated, wardToICU           *engine.KPI
	toAntibiotics, deteriorated, icu, mortality, d2d *engine.KPI
	patientHours                                     *engine.KPI
}

func (sp *Sepsis) kpis(s *engine.Sim) *sepsisKPIs {
	return &sepsisKPIs{
		patients: mustKPI(s, "sepsis_patients", engine.KindCounter), alerts: mustKPI(s, "sepsis_screened_positive", engine.KindCounter),
		untreated:     mustKPI(s, "sepsis_left_untreated", engine.KindCounter),
		wardToICU:     mustKPI(s, "sepsis_ward_to_icu", engine.KindCounter),
		toAntibiotics: mustKPI(s, "sepsis_hours_to_antibiotics", engine.KindTally), deteriorated: mustKPI(s, "sepsis_deteriorated", engine.KindTally),
		icu: mustKPI(s, "sepsis_icu", engine.KindTally), mortality: mustKPI(s, "sepsis_mortality", engine.KindTally),
		d2d: mustKPI(s, "sepsis_door_to_doctor_min", engine.KindTally), patientHours: mustKPI(s, "sepsis_patient_hours", engine.KindCounter),
	}
}

// arrive creates a septic patient's physiology and its watches.
func (sp *Sepsis) arrive(s *engine.Sim, st *rng.Stream, id int64, k *sepsisKPIs) (*septic, error) {
	m, err := models.New("inflammation", nil)
	if err != nil {
		return nil, err
	}
	pt, err := twin.New(m, s.Now(), 1e-8)
	if err != nil {
		return nil, err
	}
	if err := pt.Bolus("pathogen", st.LogNormal(math.Log(sp.PathogenMedian), sp.PathogenSigma), s.Now()); err != nil {
		return nil, err
	}
	c := &septic{pt: pt, id: id, arrived: s.Now(), inED: true}
	k.patients.Add(1)
	err = pt.Watch(s, twin.Threshold{Output: "damage", Level: sp.DeteriorationDamage, Direction: +1}, func(float64) {
		c.deteriorated = true
		s.Log("sepsis_deterioration", id, "", sp.DeteriorationDamage)
		if c.admitted && !c.inED {
			k.wardToICU.Add(1) // deteriorates on the ward: transferred to the ICU
			s.Log("sepsis_ward_to_icu", id, "icu", 0)
		}
	})
	if err != nil {
		return nil, err
	}
	// outcome at DeathDays: damage still high is the mortality proxy
	s.Schedule(sp.DeathDays*86400, func() {
		d, err := pt.Output("damage", s.Now())
		if err != nil {
			s.Fail(err)
			return
		}
		died := 0.0
		if d > sp.DeathDamage {
			died = 1
		}
		k.mortality.Add(died)
		s.Log("sepsis_day7_outcome", id, "", d)
		k.deteriorated.Add(b2f(c.deteriorated))
		k.patientHours.Add(sp.DeathDays * 24)
		if !c.treated {
			k.untreated.Add(1)
		}
	})
	if sp.VitalsMinutes > 0 {
		var sample func()
		sample = func() {
			if !c.inED {
				return
			}
			y := pt.State()
			if err := pt.AdvanceTo(s.Now()); err == nil {
				y = pt.State()
				s.ObserveEntity("sepsis.pathogen", id, y[0])
				s.ObserveEntity("sepsis.damage", id, y[2])
			}
			s.Schedule(sp.VitalsMinutes*60, sample)
		}
		sample()
	}
	return c, nil
}

// treat gives the first antibiotic dose now (a nurse's time, then the drug). An
// error (the nurse's time could not be given, the drug not set) means the dose
// was not given.
func (sp *Sepsis) treat(p *engine.Proc, c *septic, nurses *engine.Resource, prio int, k *sepsisKPIs) error {
	if c.treated {
		return nil
	}
	if err := p.Use(nurses, sp.AntibioticMinutes*60, engine.RequestOpts{Priority: prio}); err != nil {
		return err
	}
	if err := c.pt.Set("antibiotic", sp.AntibioticEffect, p.Now()); err != nil {
		return err
	}
	c.treated = true
	k.toAntibiotics.Add((p.Now() - c.arrived) / 3600)
	p.Sim().Log("sepsis_antibiotics", c.id, "nurses", (p.Now()-c.arrived)/3600)
	return nil
}
