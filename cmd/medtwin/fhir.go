package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, fhirCmd()) }

// patientColumns are the columns of patients.arrow after the pseudonym.
var patientColumns = []string{"age_y", "female", "weight_kg", "height_cm", "scr_mg_dl", "crcl_ml_min", "active_conditions", "ed_visits"}

func fhirCmd() *cli.Command {
	return &cli.Command{
		Name:  "fhir",
		Usage: "import FHIR R4 patients as de-identified virtual patients",
		Subcommands: []*cli.Command{{
			Name:      "import",
			Usage:     "read FHIR R4 Bundles (files, directories, NDJSON) into patients.arrow, de-identified (HIPAA Safe Harbor)",
			ArgsUsage: "FILE_OR_DIR...",
			Description: "Writes covariates only (age in years, 90 for 90 and over; sex; weight; height; serum creatinine;\n" +
				"Cockcroft–Gault clearance; active conditions; ED visits) and a keyed HMAC-SHA256 pseudonym per patient.\n" +
				"Bad input is reported and left out by document: a Bundle file or line whole, a Bulk Data NDJSON line alone\n" +
				"(file by its place in the list, and line). A Patient id seen twice is imported once (the first copy); a\n" +
				"patient without a dated clinical record has age_y NaN; a birth after the latest record is left out.\n" +
				"Use the file in a trial: population = { patients = \"patients.arrow\" }. Example:\n" +
				"   MEDTWIN_PSEUDONYM_KEY=... medtwin fhir import ../shared/data/fhir --out patients.arrow",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "patients.arrow", Usage: "output file"},
				&cli.StringFlag{Name: "key-file", Usage: "file holding the pseudonym key (else $MEDTWIN_PSEUDONYM_KEY); at least 16 bytes"},
				&cli.StringFlag{Name: "consent", Value: "deny", Usage: "consent policy: deny (leave out patients whose active Consent denies research) or require (keep only those with an active Consent permitting it)"},
				&cli.StringFlag{Name: "encounters", Usage: "also write every encounter, dates shifted per patient, to this Arrow file"},
				&cli.StringFlag{Name: "arrivals", Usage: "also write the ED visits' hour-of-day profile to this CSV (hour,relative_rate: the ops.ed profile format)"},
				&cli.StringFlag{Name: "nonmem", Usage: "also write the patients' drug administrations (MedicationAdministration) and drug levels (Observation, --level-loinc) as a NONMEM data set (CSV; times in hours from each patient's first dose) for medtwin fit --data"},
				&cli.StringFlag{Name: "level-loinc", Value: strings.Join(cohort.VancomycinLevelLOINC, ","), Usage: "LOINC codes of the drug-level Observations (default: vancomycin serum/plasma levels)"},
				&cli.BoolFlag{Name: "json", Usage: "print the import report as JSON"},
				&cli.StringFlag{Name: "medication-rxnorm", Usage: "keep only MedicationAdministrations of these RxNorm codes, comma separated (e.g. 11124 vancomycin; default: all with a dose in mg)"},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() == 0 {
					return usagef("fhir import takes the FHIR files or directories to read")
				}
				key, err := pseudonymKey(c.String("key-file"))
				if err != nil {
					return err
				}
				imp, err := cohort.LookupImporter("fhir")
				if err != nil {
					return err
				}
				started := time.Now()
				policy := c.String("consent")
				if policy != "deny" && policy != "require" {
					return usagef("--consent %q: want deny or require", policy)
				}
				opt := cohort.ImportOptions{Key: key, RequireConsent: policy == "require", LevelLOINC: splitCodes(c.String("level-loinc"))}
				if m := c.String("medication-rxnorm"); m != "" {
					opt.MedicationRxNorm = splitCodes(m)
				}
				pts, rep, err := imp.Import(c.Args().Slice(), opt)
				if err != nil {
					return err
				}
				if len(pts) == 0 {
					printImportReport(c.App.ErrWriter, rep, 0, time.Since(started))
					return fmt.Errorf("fhir import: no patient could be imported")
				}
				if err := writePatients(c.String("out"), pts); err != nil {
					return err
				}
				auditOutput(c, c.String("out"))
				if e := c.String("encounters"); e != "" {
					if err := writeEncounters(e, pts); err != nil {
						return err
					}
					auditOutput(c, e)
				}
				if a := c.String("arrivals"); a != "" {
					if err := writeArrivals(a, rep.EDVisitsByHour); err != nil {
						return err
					}
					auditOutput(c, a)
				}
				if nm := c.String("nonmem"); nm != "" {
					n, err := writeNonmem(nm, pts)
					if err != nil {
						return err
					}
					auditOutput(c, nm)
					fmt.Fprintf(jsonOr(c), "wrote the drug records of %d patients to %s (NONMEM data set)\n", n, nm)
				}
				if c.Bool("json") {
					return writeJSON(c.App.Writer, importJSON(rep, len(pts), c.String("out")))
				}
				printImportReport(c.App.Writer, rep, len(pts), time.Since(started))
				fmt.Fprintf(c.App.Writer, "wrote %d de-identified patients to %s\n", len(pts), c.String("out"))
				return nil
			},
		}},
	}
}

// splitCodes splits a comma-separated list of codes (spaces trimmed, empty
// entries dropped).
func splitCodes(s string) []string {
	out := []string{}
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// pseudonymKey reads the HMAC key from a file or the environment (readKey).
func pseudonymKey(file string) ([]byte, error) {
	key, err := readKey(file, "MEDTWIN_PSEUDONYM_KEY", "--key-file")
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, usagef("a pseudonym key of at least 16 bytes is needed: --key-file FILE or MEDTWIN_PSEUDONYM_KEY (keep it secret; the same key gives the same pseudonyms)")
	}
	return key, nil
}

func printImportReport(w interface{ Write([]byte) (int, error) }, rep *cohort.ImportReport, kept int, took time.Duration) {
	fmt.Fprintf(w, "import: %d files (%d could not be read), %d patients read, %d imported, %.0f patients/s\n",
		rep.Files, rep.FilesFailed, rep.PatientsRead, kept, float64(rep.PatientsRead)/math.Max(took.Seconds(), 1e-9))
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "  could not read: %s\n", e)
	}
	for _, m := range []struct {
		title string
		m     map[string]int
	}{{"excluded", rep.Excluded}, {"filled", rep.Filled}} {
		var keys []string
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %d (%s)\n", m.title, m.m[k], k)
		}
	}
}

// writePatients writes patients.arrow: a pseudonym, the active conditions
// (SNOMED CT) and medications (RxNorm) as ";"-separated codes, and the
// covariates.
func writePatients(path string, pts []cohort.ImportedPatient) error {
	str := arrow.BinaryTypes.String
	cols := []results.Column{{Name: "pseudonym", Type: str}, {Name: "zip3", Type: str}, {Name: "conditions_snomed", Type: str}, {Name: "medications_rxnorm", Type: str}}
	for _, n := range patientColumns {
		cols = append(cols, results.Column{Name: n, Type: arrow.PrimitiveTypes.Float64})
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	w, err := results.Create(path, cols, map[string]string{"medtwin.version": Version, "medtwin.table": "patients",
		"medtwin.deidentification": "HIPAA Safe Harbor 45 CFR 164.514(b)(2); HMAC-SHA256 pseudonyms"}, 0)
	if err != nil {
		return err
	}
	for _, p := range pts {
		w.Str(0, p.Pseudonym)
		w.Str(1, p.ZIP3)
		w.Str(2, strings.Join(p.Conditions, ";"))
		w.Str(3, strings.Join(p.Medications, ";"))
		for k, n := range patientColumns {
			w.F64(k+4, p.Covariates[n])
		}
		if err := w.EndRow(); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// writeArrivals writes the hour-of-day profile of ED visits as relative rates
// (mean 1), the format scenarios/ed_arrivals.csv and ops.ed's profile use.
func writeArrivals(path string, byHour [24]int) error {
	total := 0
	for _, n := range byHour {
		total += n
	}
	if total == 0 {
		return fmt.Errorf("--arrivals: the imported patients have no emergency encounters")
	}
	var b strings.Builder
	b.WriteString("hour,relative_rate\n")
	for h, n := range byHour {
		fmt.Fprintf(&b, "%d,%g\n", h, float64(n)*24/float64(total))
	}
	return results.WriteFileAtomic(path, []byte(b.String()))
}

// writeEncounters writes encounters.arrow: per patient (pseudonym) and
// encounter, the class and the shifted start and end (UTC, RFC 3339).
func writeEncounters(path string, pts []cohort.ImportedPatient) error {
	str := arrow.BinaryTypes.String
	cols := []results.Column{{Name: "pseudonym", Type: str}, {Name: "class", Type: str}, {Name: "start_shifted", Type: str},
		{Name: "end_shifted", Type: str}, {Name: "los_h", Type: arrow.PrimitiveTypes.Float64}}
	w, err := results.Create(path, cols, map[string]string{"medtwin.version": Version, "medtwin.table": "encounters",
		"medtwin.deidentification": "dates shifted by a per-patient keyed offset of whole days"}, 0)
	if err != nil {
		return err
	}
	stamp := func(s int64) string {
		if s == 0 {
			return ""
		}
		return time.Unix(s, 0).UTC().Format(time.RFC3339)
	}
	for _, p := range pts {
		for _, e := range p.Encounters {
			w.Str(0, p.Pseudonym)
			w.Str(1, e.Class)
			w.Str(2, stamp(e.Start))
			w.Str(3, stamp(e.End))
			w.F64(4, e.Hours)
			if err := w.EndRow(); err != nil {
				w.Abort()
				return err
			}
		}
	}
	return w.Close()
}

// importJSON is the report of `fhir import --json`: counts, and the reasons
// patients were left out or covariates filled as lists (the reasons are
// sentences, not keys).
func importJSON(rep *cohort.ImportReport, kept int, out string) any {
	type count struct {
		Reason   string
		Patients int
	}
	list := func(m map[string]int) []count {
		out := []count{}
		for k, v := range m {
			out = append(out, count{k, v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
		return out
	}
	return struct {
		Files, FilesFailed, PatientsRead, PatientsImported int
		Excluded, Filled                                   []count
		Errors                                             []string
		EDVisitsByHour                                     [24]int
		Out                                                string
	}{rep.Files, rep.FilesFailed, rep.PatientsRead, kept, list(rep.Excluded), list(rep.Filled), rep.Errors, rep.EDVisitsByHour, out}
}

// jsonOr is where a verb's human-readable lines go: stdout, or stderr when
// --json keeps stdout for the JSON.
func jsonOr(c *cli.Context) io.Writer {
	if c.Bool("json") {
		return c.App.ErrWriter
	}
	return c.App.Writer
}
