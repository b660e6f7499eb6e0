package engine

// queue: a binary heap on (priority, seq) with positions kept in hidx.

func (a *Request) ahead(b *Request) bool {
	return a.opts.Priority < b.opts.Priority || a.opts.Priority == b.opts.Priority && a.seq < b.seq
}

func (r *Resource) enqueue(q *Request) {
	q.state = Queued
	q.hidx = len(r.queue)
	r.queue = append(r.queue, q)
	r.up(q.hidx)
	r.qlen.Set(r.sim.now, float64(len(r.queue)))
}

func (r *Resource) dequeue() *Request {
	q := r.queue[0]
	r.remove(q)
	return q
}

func (r *Resource) remove(q *Request) {
	i := q.hidx
	last := len(r.queue) - 1
	if i != last {
		r.queue[i] = r.queue[last]
		r.queue[i].hidx = i
	}
	r.queue[last] = nil
	r.queue = r.queue[:last]
	if i != last {
		r.down(i)
		r.up(i)
	}
	q.hidx = -1
	r.qlen.Set(r.sim.now, float64(len(r.queue)))
}

func (r *Resource) up(i int) {
	h := r.queue
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].ahead(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		h[i].hidx, h[p].hidx = i, p
		i = p
	}
}

func (r *Resource) down(i int) {
	h := r.queue
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if rr := l + 1; rr < n && h[rr].ahead(h[l]) {
			m = rr
		}
		if !h[m].ahead(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].hidx, h[m].hidx = i, m
		i = m
	}
}
