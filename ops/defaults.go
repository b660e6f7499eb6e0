package ops

// Default parameters for an adult emergency department. Sources:
//   - hourly arrival profile: shape of ED arrivals by hour of day in the US
//     National Hospital Ambulatory Medical Care Survey (NHAMCS 2019, ED summary
//     tables), relative values;
//   - ESI mix 1%, 11%, 36%, 42%, 10%: NHAMCS 2019 triage levels, rounded;
//   - admission probability by ESI 80%, 45%, 25%, 5%, 1%: Tanabe et al. 2004,
//     Acad Emerg Med 11(1):59–65 (ESI validation cohort);
//   - ambulance share 20%: NHAMCS 2019 (arrival by ambulance);
//   - patience before leaving unseen, mean 2 h for ESI 3 and 3 h for ESI 4–5
//     (none for ESI 1–2): calibrated to LWBS rates of 2–5% at typical waits
//     (Hsia et al. 2011, Ann Emerg Med 58(6):511–518);
//   - CT MTBF 500 h, MTTR 4 h: manufacturer-reported uptime of about 99%
//     (uptime guarantees of 97–99% are the norm in CT service contracts);
//   - ward stay median 4 days, ICU 3 days, log-normal sigma 0.6: US average
//     inpatient stay 4.5–5 days (AHRQ HCUP 2018 statistical brief 277).

// EDProfile is the relative hour-of-day arrival profile (NHAMCS-shaped, mean 1).
var EDProfile = []float64{0.55, 0.45, 0.40, 0.35, 0.35, 0.40, 0.55, 0.80, 1.10, 1.35, 1.45, 1.45,
	1.40, 1.35, 1.35, 1.35, 1.35, 1.35, 1.30, 1.25, 1.15, 1.00, 0.85, 0.70}

// DefaultED returns an ED seeing visitsPerDay patients (sized for about 150):
// physicians 4 from 07:00, 5 from 11:00 to 19:00, 4 until 23:00 and 2 at night
// (88 physician-hours a day against about 70 hours of assessment work at 150
// visits), nurses in 8-hour shifts with a 30-minute break each, and ward and
// ICU beds at about 85% of the admissions' bed-days.
func DefaultED(visitsPerDay float64) (*ED, error) {
	arr, err := ProfileNHPP(visitsPerDay, EDProfile, nil)
	if err != nil {
		return nil, err
	}
	breaks := []Break{{AfterHours: 4, Minutes: 30, Staff: 1}}
	return &ED{
		Arrivals:          arr,
		AmbulanceFraction: 0.20,
		ESIMix:            [5]float64{0.01, 0.11, 0.36, 0.42, 0.10},
		TriageNurses:      Roster{Name: "triage", Shifts: []Shift{{From: 7, To: 19, Staff: 2}, {From: 19, To: 31, Staff: 1}}},
		TriageMinutes:     5,
		Beds:              30,
		Physicians: Roster{Name: "physicians", Shifts: []Shift{{From: 7, To: 11, Staff: 4}, {From: 11, To: 19, Staff: 5},
			{From: 19, To: 23, Staff: 4}, {From: 23, To: 31, Staff: 2}}},
		Nurses: Roster{Name: "nurses", Shifts: []Shift{{From: 7, To: 15, Staff: 6, Breaks: breaks}, {From: 15, To: 23, Staff: 6, Breaks: breaks},
			{From: 23, To: 31, Staff: 4, Breaks: breaks}}},
		AssessMinutes:   [5]float64{60, 45, 35, 20, 12},
		NurseMinutes:    [5]float64{90, 60, 40, 20, 10},
		LabProb:         [5]float64{1, 0.9, 0.7, 0.3, 0.05},
		LabMinutes:      60,
		ImagingProb:     [5]float64{0.9, 0.6, 0.45, 0.15, 0.02},
		Imaging:         Equipment{Name: "ct", Units: 1, MTBFHours: 500, MTTRHours: 4, RepairSigma: 0.5},
		ScanMinutes:     15,
		AdmitProb:       [5]float64{0.80, 0.45, 0.25, 0.05, 0.01},
		ICUShare:        [5]float64{0.6, 0.25, 0.08, 0.02, 0},
		Ward:            Unit{Name: "ward", Beds: 130, LOSMedianDays: 4, LOSSigma: 0.6, DischargeFrom: 10, DischargeTo: 18},
		ICU:             Unit{Name: "icu", Beds: 20, LOSMedianDays: 3, LOSSigma: 0.6},
		PatienceMinutes: [5]float64{0, 0, 120, 180, 180},
		DiversionAt:     15,
		TargetMinutes:   30,
	}, nil
}
