package engine

// The queue of a resource's waiting requests, ordered by (priority, seq).
//
// Requests mostly join in order (the same priority, a later seq): r.queue[r.qhead:]
// is then kept sorted, a join appends and the next in line is taken from the
// head, no sift either way (r.heap false). A sorted array is a binary heap, so
// the first request that joins out of order (a better priority, a preempted
// holder going back to the head of its class) or leaves from the middle (a
// renege, a cancel) turns the queue into an ordinary binary heap, positions
// kept in hidx, until it empties. The next in line is the least (priority,
// seq) in both, and seq is unique: the order of grants is the same.

func (a *Request) ahead(b *Request) bool {
	return a.opts.Priority < b.opts.Priority || a.opts.Priority == b.opts.Priority && a.seq < b.seq
}

// queued returns the number of waiting requests.
func (r *Resource) queued() int { return len(r.queue) - r.qhead }

// first returns the next request in line; the queue is not empty.
func (r *Resource) first() *Request { return r.queue[r.qhead] }

func (r *Resource) enqueue(q *Request) {
	q.state = Queued
	if n := len(r.queue); !r.heap && (n == r.qhead || r.queue[n-1].ahead(q)) {
		if r.qhead > 0 && n == cap(r.queue) {
			r.compact() // reuse the room taken from the head, not grow
		}
		q.hidx = len(r.queue)
		r.queue = append(r.queue, q)
	} else {
		r.toHeap()
		q.hidx = len(r.queue)
		r.queue = append(r.queue, q)
		r.up(q.hidx)
	}
	r.qlen.Set(r.sim.now, float64(r.queued()))
}

func (r *Resource) dequeue() *Request {
	if r.heap {
		q := r.queue[0]
		r.remove(q)
		return q
	}
	q := r.queue[r.qhead]
	r.queue[r.qhead] = nil
	r.qhead++
	if r.qhead == len(r.queue) {
		r.queue, r.qhead = r.queue[:0], 0
	}
	q.hidx = -1
	r.qlen.Set(r.sim.now, float64(r.queued()))
	return q
}

// compact moves the sorted requests to the start of r.queue.
func (r *Resource) compact() {
	n := copy(r.queue, r.queue[r.qhead:])
	clear(r.queue[n:])
	r.queue, r.qhead = r.queue[:n], 0
	for i, q := range r.queue {
		q.hidx = i
	}
}

// toHeap makes the queue a binary heap from index 0 (a sorted one is a heap
// as it stands).
func (r *Resource) toHeap() {
	if r.heap {
		return
	}
	if r.qhead > 0 {
		r.compact()
	}
	r.heap = true
}

func (r *Resource) remove(q *Request) {
	r.toHeap()
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
	if last == 0 {
		r.heap = false // empty: sorted again
	}
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
