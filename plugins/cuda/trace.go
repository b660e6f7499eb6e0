package cuda

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// traceOn is set by MEDTWIN_CUDA_TRACE: the client and the worker then say
// on stderr how long each phase of a launch took (packing, the round trip,
// uploads, the kernel, downloads, unpacking), to find where a GPU run's time
// goes. The worker's stderr is passed through to the client's.
var traceOn = os.Getenv("MEDTWIN_CUDA_TRACE") != ""

// Laps times the phases of one operation for the trace; a nil *Laps (the
// trace off) does nothing.
type Laps struct {
	what string
	t    time.Time
	b    strings.Builder
}

// StartLaps starts timing what, or returns nil when the trace is off.
func StartLaps(format string, a ...any) *Laps {
	if !traceOn {
		return nil
	}
	return &Laps{what: fmt.Sprintf(format, a...), t: time.Now()}
}

// Lap ends the phase called name.
func (l *Laps) Lap(name string) {
	if l == nil {
		return
	}
	now := time.Now()
	fmt.Fprintf(&l.b, " %s %.1f ms", name, float64(now.Sub(l.t).Microseconds())/1000)
	l.t = now
}

// Done writes the phases' times on stderr.
func (l *Laps) Done() {
	if l == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "medtwin cuda trace: %s:%s\n", l.what, l.b.String())
}
