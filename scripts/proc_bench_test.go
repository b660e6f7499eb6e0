package scripts

import (
	"testing"
)

// BenchmarkLuaMMcCustomer runs scenarios/mmc.lua in Lua processes for b.N
// customers in one replication: ns/op and allocs/op are per customer (the
// build of the scenario, a few hundred allocations, is spread over b.N).
func BenchmarkLuaMMcCustomer(b *testing.B) {
	b.ReportAllocs()
	if _, err := MMcThroughput("../scenarios/mmc.lua", b.N); err != nil {
		b.Fatal(err)
	}
}
