package engine

import (
	"math/rand/v2"
	"testing"
)

// A resource grants its waiting requests in (priority, arrival) order, whether
// its queue is a sorted run (requests joining in order) or a heap (one joined
// ahead of others, one left from the middle), and as it turns from one to the
// other and back. The reference is a plain list scanned for its least request;
// most requests share a priority (the sorted run), some are better or worse,
// some are cancelled while they wait.
func TestRequestQueueOrderAgainstListScan(t *testing.T) {
	type ref struct {
		q    *Request
		prio int
		n    int
	}
	for seed := uint64(1); seed <= 20; seed++ {
		rnd := rand.New(rand.NewPCG(seed, 3))
		s := New(Options{})
		r, err := s.NewResource("r", 1+int(seed%3))
		if err != nil {
			t.Fatal(err)
		}
		var waiting []ref
		var held []*Request
		n := 0
		least := func() int {
			k := -1
			for i, w := range waiting {
				if k < 0 || w.prio < waiting[k].prio || w.prio == waiting[k].prio && w.n < waiting[k].n {
					k = i
				}
			}
			return k
		}
		onGrant := func(q *Request) {
			held = append(held, q)
			for i, w := range waiting {
				if w.q == q {
					if k := least(); k != i {
						t.Fatalf("seed %d: granted request %d (priority %d), want %d (priority %d)", seed, w.n, w.prio, waiting[k].n, waiting[k].prio)
					}
					waiting = append(waiting[:i], waiting[i+1:]...)
					return
				}
			}
		}
		for step := 0; step < 4000; step++ {
			switch x := rnd.IntN(10); {
			case x < 5: // join, mostly at priority 0
				n++
				prio := [...]int{0, 0, 0, 0, 0, 0, 1, -1}[rnd.IntN(8)]
				var q *Request
				q, err = r.AcquireIn(RequestOpts{Priority: prio}, nil, new(Request))
				if err != nil {
					t.Fatal(err)
				}
				if q.State() == Granted {
					held = append(held, q)
				} else {
					waiting = append(waiting, ref{q, prio, n})
				}
				q.granter = grantFunc(onGrant)
			case x < 8 && len(held) > 0: // a holder leaves: the next in line is granted
				i := rnd.IntN(len(held))
				q := held[i]
				held = append(held[:i], held[i+1:]...)
				if err := r.Release(q); err != nil {
					t.Fatal(err)
				}
			case x >= 8 && len(waiting) > 0: // one waiting gives up
				i := rnd.IntN(len(waiting))
				if err := waiting[i].q.Cancel(); err != nil {
					t.Fatal(err)
				}
				waiting = append(waiting[:i], waiting[i+1:]...)
			}
			if r.QueueLen() != len(waiting) {
				t.Fatalf("seed %d step %d: queue length %d, want %d", seed, step, r.QueueLen(), len(waiting))
			}
		}
	}
}
