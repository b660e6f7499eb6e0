package engine

import (
	"math"
	"sync"
	"sync/atomic"
)

// Statistics a Resource collects without being asked: utilisation, queue
// length, waits, counts, and the KPIs they become.

func (r *Resource) resetStats() {
	now := r.sim.now
	r.busy.Reset(now)
	r.capTW.Reset(now)
	r.qlen.Reset(now)
	r.over.Reset(now)
	r.waits.Reset()
	r.arrivals, r.served, r.reneged, r.balked, r.preempted, r.release, r.blocked = 0, 0, 0, 0, 0, 0, 0
}

// Utilisation returns busy unit-time over available unit-time since the start
// (or the end of warm-up).
func (r *Resource) Utilisation() float64 {
	now := r.sim.now
	c := r.capTW.Area(now)
	if c == 0 {
		return math.NaN()
	}
	return r.busy.Area(now) / c
}

// QueueMean returns the time-average queue length: the number waiting, Lq.
func (r *Resource) QueueMean() float64 { return r.qlen.Mean(r.sim.now) }

// BusyMean returns the time-average number of units in use.
func (r *Resource) BusyMean() float64 { return r.busy.Mean(r.sim.now) }

// SystemMean returns the time-average number in system L: requests holding a
// unit plus those waiting (BusyMean + QueueMean, the area under each divided by
// the same time). On any path that starts and ends empty, Little's law L = λW
// holds exactly, W being the mean time from request to release.
func (r *Resource) SystemMean() float64 { return r.BusyMean() + r.QueueMean() }

// Blocked returns the number of arrivals blocked by a full queue.
func (r *Resource) Blocked() float64 { return r.blocked }

// Served returns the number of requests granted (first grants only).
func (r *Resource) Served() float64 { return r.served }

// Arrivals returns the number of requests made.
func (r *Resource) Arrivals() float64 { return r.arrivals }

// WaitMean returns the mean wait (seconds) of requests granted since warm-up.
func (r *Resource) WaitMean() float64 { return r.waits.Mean() }

func (r *Resource) appendResults(out []KPIValue) []KPIValue {
	n := resourceKPINames(r.Name)
	return append(out,
		KPIValue{Name: n[0], Kind: KindGauge, Value: r.Utilisation(), N: 1},
		KPIValue{Name: n[1], Kind: KindGauge, Value: r.BusyMean(), N: 1},
		KPIValue{Name: n[2], Kind: KindGauge, Value: r.QueueMean(), N: 1},
		KPIValue{Name: n[3], Kind: KindGauge, Value: r.SystemMean(), N: 1},
		KPIValue{Name: n[4], Kind: KindTally, Value: r.waits.Mean(), N: r.waits.N()},
		KPIValue{Name: n[5], Kind: KindCounter, Value: r.arrivals, N: 1},
		KPIValue{Name: n[6], Kind: KindCounter, Value: r.served, N: 1},
		KPIValue{Name: n[7], Kind: KindCounter, Value: r.reneged, N: 1},
		KPIValue{Name: n[8], Kind: KindCounter, Value: r.balked, N: 1},
		KPIValue{Name: n[9], Kind: KindCounter, Value: r.preempted, N: 1},
		KPIValue{Name: n[10], Kind: KindCounter, Value: r.blocked, N: 1},
		KPIValue{Name: n[11], Kind: KindValue, Value: r.OvertimeHours(), N: 1},
		KPIValue{Name: n[12], Kind: KindValue, Value: float64(r.inUse), N: 1},
		KPIValue{Name: n[13], Kind: KindValue, Value: float64(r.queued()), N: 1},
	)
}

// resourceKPISuffixes name a resource's KPIs after its name and a dot, in
// the order appendResults reports them.
var resourceKPISuffixes = [...]string{"utilisation", "busy_mean", "queue_mean", "system_mean", "wait_mean_s",
	"arrivals", "served", "reneged", "balked", "preempted", "blocked", "overtime_h", "in_use_end", "queued_end"}

// resourceNames caches the KPI names of resources by resource name, so that
// replications of a model share them instead of building 14 strings each (and
// the KPIs kept for the summary share their names too). It holds at most
// maxResourceNames names: a model that names resources without bound gets its
// names built each time beyond that.
var (
	resourceNames    sync.Map // string -> *[len(resourceKPISuffixes)]string
	resourceNamesLen atomic.Int64
)

const maxResourceNames = 4096

func resourceKPINames(name string) *[len(resourceKPISuffixes)]string {
	if v, ok := resourceNames.Load(name); ok {
		return v.(*[len(resourceKPISuffixes)]string)
	}
	n := new([len(resourceKPISuffixes)]string)
	for i, s := range resourceKPISuffixes {
		n[i] = name + "." + s
	}
	if resourceNamesLen.Load() < maxResourceNames {
		if _, loaded := resourceNames.LoadOrStore(name, n); !loaded {
			resourceNamesLen.Add(1)
		}
	}
	return n
}
