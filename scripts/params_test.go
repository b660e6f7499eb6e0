package scripts

import (
	"strings"
	"testing"
	"time"
)

// An integer parameter set past what int64 holds is refused, instead of
// wrapping to a negative capacity (issue 18, Low 11).
func TestSetIntegerPastInt64(t *testing.T) {
	sc, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1e19", "9223372036854775808", "1e300"} {
		if err := sc.Clone().Set("servers=" + v); err == nil || !strings.Contains(err.Error(), "within ±2^53") {
			t.Errorf("servers=%s: %v", v, err)
		}
	}
	if err := sc.Clone().Set("servers=12"); err != nil {
		t.Fatal(err)
	}
}
