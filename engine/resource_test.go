package engine

import (
	"math"
	"testing"
)

func mustRes(t *testing.T, s *Sim, name string, c int) *Resource {
	t.Helper()
	r, err := s.NewResource(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPriorityQueue(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "doctor", 1)
	var order []string
	job := func(name string, at float64, prio int) {
		s.Schedule(at, func() {
			s.Process(name, func(p *Proc) {
				q, _ := p.RequestWith(r, RequestOpts{Priority: prio})
				order = append(order, name)
				p.Timeout(10)
				p.Release(q)
			})
		})
	}
	job("first", 0, 3)
	job("esi5", 1, 5)
	job("esi1", 2, 1)
	job("esi5b", 3, 5)
	s.Run(math.Inf(1))
	want := []string{"first", "esi1", "esi5", "esi5b"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
}

func TestRenege(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "triage", 1)
	s.Process("holder", func(p *Proc) { p.Use(r, 10, RequestOpts{}) })
	var got error
	var at float64
	s.Schedule(1, func() {
		s.Process("impatient", func(p *Proc) {
			_, got = p.RequestWith(r, RequestOpts{Patience: 5})
			at = p.Now()
		})
	})
	s.Run(math.Inf(1))
	if got != ErrReneged || at != 6 || r.reneged != 1 || r.QueueLen() != 0 {
		t.Fatalf("got %v at %v, reneged %v, queue %d", got, at, r.reneged, r.QueueLen())
	}
}

// balkRun starts n processes that each ask, with BalkAt 1, for one unit of a
// resource of the given capacity and hold it 5 s; it returns the requests'
// errors (of those that returned by time 0) and the resource.
func balkRun(t *testing.T, capacity, n int) ([]error, *Resource) {
	t.Helper()
	s := New(Options{})
	r := mustRes(t, s, "desk", capacity)
	var errs []error
	for i := 0; i < n; i++ {
		s.Process("c", func(p *Proc) {
			_, err := p.RequestWith(r, RequestOpts{BalkAt: 1})
			errs = append(errs, err)
			if err == nil {
				p.Timeout(5)
			}
		})
	}
	s.Run(0)
	return errs, r
}

func TestBalk(t *testing.T) {
	errs, r := balkRun(t, 1, 3)
	// First served, second queues, third finds one waiting and balks.
	if len(errs) != 2 || errs[0] != nil || errs[1] != ErrBalked || r.balked != 1 {
		t.Fatalf("errs %v balked %v", errs, r.balked)
	}
}

func TestReleaseErrors(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "bed", 1)
	other := mustRes(t, s, "other", 1)
	if _, err := s.NewResource("zero", 0); err == nil {
		t.Error("zero capacity accepted")
	}
	if _, err := s.NewResource("bed", 2); err == nil {
		t.Error("duplicate name accepted")
	}
	s.Process("p", func(p *Proc) {
		q, _ := p.Request(r)
		if err := other.Release(q); err == nil {
			t.Error("release on the wrong resource accepted")
		}
		if err := p.Release(q); err != nil {
			t.Error(err)
		}
		if err := p.Release(q); err == nil {
			t.Error("double release accepted")
		}
	})
	s.Run(math.Inf(1))
	if r.InUse() != 0 {
		t.Fatalf("in use %d after bad releases", r.InUse())
	}
}

// One unit of two busy for [0,5) over a horizon of 10: utilisation 5/20.
func TestUtilisation(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "bed", 2)
	s.Process("p", func(p *Proc) { p.Use(r, 5, RequestOpts{}) })
	s.Run(10)
	if u := r.Utilisation(); math.Abs(u-0.25) > 1e-12 {
		t.Fatalf("utilisation %v, want 0.25", u)
	}
}

// Regression: a request granted at once must not leave a wake-up behind that
// resumes the process's next wait (a second, queued request) early.
func TestImmediateGrantLeavesNoStaleWakeup(t *testing.T) {
	s := New(Options{})
	bed := mustRes(t, s, "bed", 1)
	doc := mustRes(t, s, "doc", 1)
	s.Process("busy doctor", func(p *Proc) { p.Use(doc, 5, RequestOpts{}) })
	var gotDoc float64
	s.Process("patient", func(p *Proc) {
		b, _ := p.Request(bed) // granted at once
		d, _ := p.Request(doc) // queued until 5
		gotDoc = p.Now()
		if d.State() != Granted {
			t.Errorf("resumed with the doctor request %s", d.State())
		}
		p.Release(d)
		p.Release(b)
	})
	s.Run(math.Inf(1))
	if gotDoc != 5 || doc.InUse() != 0 || bed.InUse() != 0 {
		t.Fatalf("doctor at %v (want 5); in use: doc %d bed %d", gotDoc, doc.InUse(), bed.InUse())
	}
}

func TestNoWait(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "icu", 1)
	var errs []error
	for i := 0; i < 2; i++ {
		s.Process("p", func(p *Proc) {
			_, err := p.RequestWith(r, RequestOpts{NoWait: true})
			errs = append(errs, err)
			if err == nil {
				p.Timeout(10)
			}
		})
	}
	s.Run(math.Inf(1))
	// A request that may not wait and finds no free unit is blocked (simmer's
	// "rejected", a loss system's arrival), not balked: balking is a customer
	// choosing not to join a queue it could join (BalkAt).
	if len(errs) != 2 || errs[0] != nil || errs[1] != ErrBlocked || r.QueueLen() != 0 || r.blocked != 1 || r.balked != 0 {
		t.Fatalf("errs %v, blocked %v, balked %v", errs, r.blocked, r.balked)
	}
}

// BalkAt counts requests waiting, not those in service: with 2 units and
// BalkAt 1, two customers are served, the third waits (the queue was empty)
// and the fourth balks (one waiting).
func TestBalkAtCountsWaitingOnly(t *testing.T) {
	errs, r := balkRun(t, 2, 4)
	if len(errs) != 3 || errs[0] != nil || errs[1] != nil || errs[2] != ErrBalked || r.QueueLen() != 1 || r.balked != 1 || r.blocked != 0 {
		t.Fatalf("errs %v, queue %d, balked %v, blocked %v", errs, r.QueueLen(), r.balked, r.blocked)
	}
}

// AcquireByIn calls its handler's Granted with the request, at once when a
// unit is free and when a queued request is granted later; registering the
// handler allocates nothing (it is the caller's value, not a closure).
func TestAcquireByInCallsGranted(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "r", 1)
	var q1, q2 Request
	g1, g2 := &granted{}, &granted{}
	if _, err := r.AcquireByIn(RequestOpts{}, g1, &q1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AcquireByIn(RequestOpts{}, g2, &q2); err != nil {
		t.Fatal(err)
	}
	if len(g1.got) != 1 || g1.got[0] != &q1 || len(g2.got) != 0 {
		t.Fatalf("after two requests for one unit: granted %v and %v, want the first only", g1.got, g2.got)
	}
	if err := r.Release(&q1); err != nil {
		t.Fatal(err)
	}
	if len(g2.got) != 1 || g2.got[0] != &q2 {
		t.Fatalf("after the release: the second granted %v, want once with its request", g2.got)
	}
	if err := r.Release(&q2); err != nil {
		t.Fatal(err)
	}
	var q Request
	g := &granted{got: make([]*Request, 0, 1)}
	if n := testing.AllocsPerRun(100, func() {
		g.got = g.got[:0]
		r.AcquireByIn(RequestOpts{}, g, &q)
		r.Release(&q)
	}); n != 0 {
		t.Errorf("AcquireByIn and Release: %v allocations, want 0", n)
	}
}

type granted struct{ got []*Request }

func (g *granted) Granted(q *Request) { g.got = append(g.got, q) }
