package trial

import (
	"fmt"
	"math"
)

// The rules for a level below the lower limit of quantification, after
// Beal's methods for BLQ data (Beal SL 2001, Ways to fit a PK model with
// some data below the quantification limit, J Pharmacokinet Pharmacodyn
// 28:481-504): BLQFlag reports it at the limit with its flag set (the M3
// method's data: the flag and the limit are what a fit uses), BLQHalf
// replaces it with LLOQ/2 (M5/M6 imputation), BLQDrop leaves it out (M1:
// null in subjects.arrow, not seen by adapt).
const (
	BLQFlag = "flag"
	BLQHalf = "lloq/2"
	BLQDrop = "drop"
)

// Quantification is the assay's lower limit of quantification of the
// measured levels (samples and the levels adapt sees) and what is reported
// below it. The zero value is none: levels are reported as drawn, residual
// error included, negative ones too.
type Quantification struct {
	LLOQ float64 // mg/L; 0: no limit
	BLQ  string  // BLQFlag (also for ""), BLQHalf or BLQDrop
}

// validate checks the limit and the rule.
func (q Quantification) validate() error {
	switch {
	case !(q.LLOQ >= 0) || math.IsInf(q.LLOQ, 0):
		return fmt.Errorf("sampling.lloq must be a finite level >= 0 mg/L (0: none), got %v", q.LLOQ)
	case q.BLQ != "" && q.BLQ != BLQFlag && q.BLQ != BLQHalf && q.BLQ != BLQDrop:
		return fmt.Errorf("sampling.blq must be %q, %q or %q, got %q", BLQFlag, BLQHalf, BLQDrop, q.BLQ)
	case q.BLQ != "" && q.LLOQ == 0:
		return fmt.Errorf("sampling.blq = %q needs sampling.lloq > 0", q.BLQ)
	}
	return nil
}

// Report returns what the assay reports of a level dv: dv itself at or
// above the limit (or with no limit); below it, by the rule, the limit,
// its half or NaN (dropped), with blq true.
func (q Quantification) Report(dv float64) (reported float64, blq bool) {
	if q.LLOQ == 0 || dv >= q.LLOQ {
		return dv, false
	}
	switch q.BLQ {
	case BLQHalf:
		return q.LLOQ / 2, true
	case BLQDrop:
		return math.NaN(), true
	}
	return q.LLOQ, true
}
