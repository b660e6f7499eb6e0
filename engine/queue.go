package engine

// Action is anything the kernel can fire at a scheduled time. Func adapts a plain
// function; processes, timers, events and resource requests implement it too.
type Action interface {
	Fire()
}

// Func adapts a func() to Action. Converting a function value to an interface
// does not allocate, so callbacks made once can be scheduled any number of times
// without garbage.
type Func func()

// Fire calls f.
func (f Func) Fire() { f() }

// entry is one scheduled event. key packs the priority into its top 16 bits and
// the insertion sequence into the low 48, so that one integer comparison breaks
// ties by (priority, sequence).
type entry struct {
	t   float64
	key uint64
	act Action
}

const seqBits = 48

func (a *entry) before(b *entry) bool {
	return a.t < b.t || (a.t == b.t && a.key < b.key)
}

// queue is a 4-ary min-heap of entries: shallower than a binary heap, so a pop
// touches fewer cache lines, which is where a DES kernel spends its time.
type queue struct {
	a []entry
}

func (q *queue) len() int { return len(q.a) }

func (q *queue) push(e entry) {
	q.a = append(q.a, e)
	a := q.a
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !e.before(&a[p]) {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = e
}

func (q *queue) pop() entry {
	a := q.a
	top := a[0]
	n := len(a) - 1
	last := a[n]
	a[n] = entry{}
	a = a[:n]
	q.a = a
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := i<<2 + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if a[j].before(&a[m]) {
				m = j
			}
		}
		if !a[m].before(&last) {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = last
	return top
}
