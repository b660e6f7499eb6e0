package engine

import "github.com/medtwin/medtwin/engine/rng"

// MMc is the M/M/c queue, the model every DES user knows: Poisson arrivals at
// rate Lambda, C servers with exponential service at rate Mu each, FIFO. It is
// medtwin's reference workload for benchmarks (against ../shared/bench/mmc_floor)
// and for verification against Erlang C. Time units are whatever Lambda and Mu
// are per (the benchmark uses Mu = 1).
type MMc struct {
	C          int
	Lambda, Mu float64
	// Customers stops arrivals after this many (0: arrivals until the horizon).
	Customers int
	// Process selects the process style (one coroutine per customer) instead of
	// callbacks.
	Process bool
	// K, if > 0, is the most customers in the system (M/M/c/K): arrivals that
	// find it full are blocked. K = C is the loss system M/M/c/c.
	K int
	// Service, if set, draws service times instead of Exp(Mu) (M/G/c).
	Service func(s *rng.Stream) float64
}

// Build adds the model to s. Streams: "arrivals" and "service". KPIs: the
// resource "servers" (waits, utilisation, queue) and "wait_q" (the wait in queue
// of each customer, in the model's time unit).
func (m MMc) Build(s *Sim) error {
	servers, err := s.NewResource("servers", m.C)
	if err != nil {
		return err
	}
	wq, err := s.KPI("wait_q", KindTally)
	if err != nil {
		return err
	}
	if m.K > 0 {
		servers.SetQueueLimit(m.K - m.C)
	}
	arrivals, service := s.RNG("arrivals"), s.RNG("service")
	draw := func() float64 {
		if m.Service != nil {
			return m.Service(service)
		}
		return service.Exp(m.Mu)
	}
	n := 0
	if m.Process {
		customer := func(p *Proc) {
			t0 := p.Now()
			q, err := p.Request(servers)
			if err == ErrBlocked {
				return
			}
			if err != nil {
				s.Fail(err)
				return
			}
			wq.Add(p.Now() - t0)
			p.Timeout(draw())
			p.Release(q)
		}
		var arrive func()
		arrive = func() {
			n++
			if m.Customers == 0 || n < m.Customers {
				s.Schedule(arrivals.Exp(m.Lambda), arrive)
			}
			s.Process("customer", customer)
		}
		return s.Schedule(arrivals.Exp(m.Lambda), arrive)
	}
	var arrive func()
	onGrant := func(q *Request) {
		wq.Add(s.now - q.ArrivedAt)
		servers.ReleaseAfter(q, draw())
	}
	arrive = func() {
		n++
		if m.Customers == 0 || n < m.Customers {
			s.Schedule(arrivals.Exp(m.Lambda), arrive)
		}
		servers.Acquire(RequestOpts{}, onGrant)
	}
	return s.Schedule(arrivals.Exp(m.Lambda), arrive)
}
