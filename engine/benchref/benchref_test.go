package benchref

import "testing"

func TestParse(t *testing.T) {
	r := Parse([]byte("floor customers=1000 mean_wq=0.65812 wall_s=0.091 customers_per_s=10937687\nlua-callback customers=5 customers_per_s=900000\n"))
	if r["floor"]["customers_per_s"] != 10937687 || r["floor"]["mean_wq"] != 0.65812 || r["lua-callback"]["customers_per_s"] != 900000 {
		t.Fatalf("%v", r)
	}
}
