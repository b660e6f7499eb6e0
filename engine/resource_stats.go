package engine

import (
	"math"
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
	n := r.Name + "."
	return append(out,
		KPIValue{Name: n + "utilisation", Kind: KindGauge, Value: r.Utilisation(), N: 1},
		KPIValue{Name: n + "busy_mean", Kind: KindGauge, Value: r.BusyMean(), N: 1},
		KPIValue{Name: n + "queue_mean", Kind: KindGauge, Value: r.QueueMean(), N: 1},
		KPIValue{Name: n + "system_mean", Kind: KindGauge, Value: r.SystemMean(), N: 1},
		KPIValue{Name: n + "wait_mean_s", Kind: KindTally, Value: r.waits.Mean(), N: r.waits.N()},
		KPIValue{Name: n + "arrivals", Kind: KindCounter, Value: r.arrivals, N: 1},
		KPIValue{Name: n + "served", Kind: KindCounter, Value: r.served, N: 1},
		KPIValue{Name: n + "reneged", Kind: KindCounter, Value: r.reneged, N: 1},
		KPIValue{Name: n + "balked", Kind: KindCounter, Value: r.balked, N: 1},
		KPIValue{Name: n + "preempted", Kind: KindCounter, Value: r.preempted, N: 1},
		KPIValue{Name: n + "blocked", Kind: KindCounter, Value: r.blocked, N: 1},
		KPIValue{Name: n + "overtime_h", Kind: KindValue, Value: r.OvertimeHours(), N: 1},
		KPIValue{Name: n + "in_use_end", Kind: KindValue, Value: float64(r.inUse), N: 1},
		KPIValue{Name: n + "queued_end", Kind: KindValue, Value: float64(len(r.queue)), N: 1},
	)
}
