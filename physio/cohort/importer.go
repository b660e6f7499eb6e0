package cohort

import (
	"fmt"
	"sort"
	"sync"
)

// ImportedPatient is one de-identified patient read from outside records:
// a keyed pseudonym instead of any identifier, and covariates only.
type ImportedPatient struct {
	Pseudonym string
	// Covariates by name (age_y, female, weight_kg, height_cm, scr_mg_dl, ...);
	// NaN where the records had none and nothing was filled.
	Covariates map[string]float64
	// Conditions are the active conditions (SNOMED CT codes) and Medications
	// the active medication requests (RxNorm codes), sorted, without repeats.
	Conditions, Medications []string
	// ZIP3 is the first three digits of the postal code, "000" for the
	// restricted three-digit areas of Safe Harbor or when there is none.
	ZIP3 string
	// Encounters are the patient's encounters with dates shifted by a
	// per-patient offset (whole days, so intervals and hours of day are kept).
	Encounters []Encounter
	// Drug holds the patient's drug administrations and drug levels (see
	// ImportOptions.LevelLOINC), in time order, their times in hours from the
	// patient's first administration: no date is kept. Levels before the
	// first administration are left out (and counted in the report).
	Drug []DrugEvent
}

// DrugEvent is one administration (Dose) or one measured drug level.
type DrugEvent struct {
	TimeH float64 // hours from the patient's first administration
	Dose  bool
	// AmtMg and RateMgH describe an administration (RateMgH 0: a bolus; an
	// administration over a period is an infusion at the dose over its length).
	AmtMg, RateMgH float64
	// LevelMgL is a level (mg/L, the same as µg/mL) and LOINC its code.
	LevelMgL float64
	LOINC    string
}

// Encounter is one shifted encounter.
type Encounter struct {
	Class      string  // FHIR v3 ActCode: AMB, EMER, IMP, ...
	Start, End int64   // Unix seconds, shifted; End 0 when open
	Hours      float64 // length of stay, h (NaN when open)
}

// ImportReport says what an import read, left out and filled.
type ImportReport struct {
	Files, FilesFailed int
	PatientsRead       int
	Excluded           map[string]int // reason → patients
	Filled             map[string]int // "covariate: how" → patients
	Errors             []string       // one per file or resource that could not be read
	// EDVisitsByHour counts the imported patients' emergency encounters by the
	// local hour of day they started (an arrival pattern; no dates kept).
	EDVisitsByHour [24]int
}

// ImportOptions configure an import.
type ImportOptions struct {
	// Key is the secret of the HMAC-SHA256 pseudonyms (at least 16 bytes): the
	// same key maps the same patient to the same pseudonym across imports.
	Key []byte
	// RequireConsent leaves out every patient without an active Consent that
	// permits research use (by default only explicit denials are left out).
	RequireConsent bool
	// LevelLOINC are the Observation codes read as drug levels (nil: the
	// vancomycin serum/plasma levels, LOINC 20578-1, 4092-3, 4090-7, 4089-9).
	LevelLOINC []string
	// MedicationRxNorm keeps only the MedicationAdministrations of these
	// RxNorm codes (nil: every one with a dose in mg).
	MedicationRxNorm []string
}

// VancomycinLevelLOINC are the default drug-level codes: vancomycin in serum
// or plasma, mass/volume (LOINC 20578-1 unspecified, 4092-3 trough, 4090-7
// peak, 4089-9 random).
var VancomycinLevelLOINC = []string{"20578-1", "4092-3", "4090-7", "4089-9"}

// Importer turns records (files or directories) into de-identified patients.
// Plugins register one in init (plugins/fhir registers "fhir").
type Importer interface {
	Import(paths []string, opt ImportOptions) ([]ImportedPatient, *ImportReport, error)
}

var (
	importersMu sync.Mutex
	importers   = map[string]Importer{}
)

// RegisterImporter makes an importer available by name; registering a name
// twice panics (a programming error, as with database/sql drivers).
func RegisterImporter(name string, imp Importer) {
	importersMu.Lock()
	defer importersMu.Unlock()
	if _, dup := importers[name]; dup {
		panic("cohort: importer " + name + " registered twice")
	}
	importers[name] = imp
}

// LookupImporter returns the importer registered under name.
func LookupImporter(name string) (Importer, error) {
	importersMu.Lock()
	defer importersMu.Unlock()
	if imp, ok := importers[name]; ok {
		return imp, nil
	}
	var names []string
	for n := range importers {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("cohort: no importer %q (built in: %v)", name, names)
}
