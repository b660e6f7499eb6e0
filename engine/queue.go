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

// queue holds the scheduled events: a 4-ary min-heap, shallower than a binary
// heap, so a pop touches fewer cache lines, which is where a DES kernel spends
// its time; and two lanes for the events scheduled at the current time with
// the urgent and normal priorities (a grant or a wake-up handed to a waiting
// process, an event that succeeds now). A lane's entries share their time and
// priority, so they arrive in key order: a lane is a FIFO, and those events,
// often a third of all, skip the heap. pop takes the least of the heap's top
// and the lanes' heads, so the order is (time, priority, sequence) as if all
// were in the heap.
//
// A pop from the heap leaves its root as a hole (hole is true) instead of
// filling it at once: most events schedule one event, and its push then
// fills the hole, moving down from the root, so that a pop and the push that
// follows it cost one sift, not two. A hole still open when the queue is next
// looked at is filled the ordinary way, with the heap's last entry. Keys are
// unique, so the order of pops does not depend on the heap's shape.
type queue struct {
	a    []entry // a[0] is not an entry while hole is true
	hole bool
	at   float64 // time of the lanes' entries: that of the last entry popped
	lane [2]lane // entries at time at, priority urgent and normal
	nl   int     // entries in the lanes
}

// lane is a FIFO of entries; e[head:] are queued.
type lane struct {
	e    []entry
	head int
}

// lane priorities as they appear in the top bits of an entry's key
const (
	urgentBits = uint64(PriorityUrgent + 32768)
	normalBits = uint64(PriorityNormal + 32768)
)

func (q *queue) len() int {
	n := len(q.a) + q.nl
	if q.hole {
		n--
	}
	return n
}

// next removes and returns the next entry if there is one before until; ok is
// false when the queue is empty or its next entry is at or after until (it
// stays queued). Entries in the lanes are at q.at, and none in the heap is
// earlier.
func (q *queue) next(until float64) (e entry, ok bool) {
	if q.hole {
		q.fill()
	}
	if q.nl == 0 {
		if len(q.a) == 0 || q.a[0].t >= until {
			return entry{}, false
		}
		e = q.popHeap()
		q.at = e.t
		return e, true
	}
	if q.at >= until {
		return entry{}, false
	}
	return q.pop(), true
}

// toLane appends e to its lane if it has a lane's priority. Every entry pushed
// has t >= the clock >= q.at, and a lane holds only entries at q.at: appended
// in sequence order, it stays sorted.
func (q *queue) toLane(e entry) bool {
	p := e.key>>seqBits - urgentBits
	if p > normalBits-urgentBits {
		return false
	}
	q.lane[p].e = append(q.lane[p].e, e)
	q.nl++
	return true
}

// siftUp places e in the heap from the hole at i upwards.
func (q *queue) siftUp(i int, e entry) {
	a := q.a
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

// pop removes the least of the heap's top and the lanes' heads; the lanes
// are not empty and the heap has no hole. Lane entries are at q.at, so the
// clock does not move.
func (q *queue) pop() entry {
	var best *entry
	if len(q.a) > 0 {
		best = &q.a[0]
	}
	from := -1
	for i := range q.lane {
		l := &q.lane[i]
		if l.head < len(l.e) && (best == nil || l.e[l.head].before(best)) {
			best, from = &l.e[l.head], i
		}
	}
	if from < 0 {
		return q.popHeap()
	}
	l := &q.lane[from]
	e := *best
	l.e[l.head] = entry{}
	l.head++
	if l.head == len(l.e) {
		l.e, l.head = l.e[:0], 0
	}
	q.nl--
	return e
}

// popHeap takes the heap's least entry (the heap has no hole), leaving a hole
// at the root.
func (q *queue) popHeap() entry {
	q.hole = true
	return q.a[0]
}

// fill fills the hole at the root with the heap's last entry, moved down from
// the root along the least children until none is before it.
func (q *queue) fill() {
	q.hole = false
	a := q.a
	n := len(a) - 1
	last := a[n]
	a[n] = entry{}
	q.a = a[:n]
	if n > 0 {
		q.siftDown(0, last)
	}
}

// siftDown places e in the heap (of len(q.a) entries) from the hole at i
// downwards.
func (q *queue) siftDown(i int, e entry) {
	a := q.a
	n := len(a)
	for {
		c := i<<2 + 1
		var m int
		if c+3 < n { // four children (the common case), compared without a loop
			ch := a[c : c+4 : c+4]
			k := 0
			if ch[1].before(&ch[0]) {
				k = 1
			}
			if ch[2].before(&ch[k]) {
				k = 2
			}
			if ch[3].before(&ch[k]) {
				k = 3
			}
			m = c + k
		} else {
			if c >= n {
				break
			}
			m = c
			for j := c + 1; j < n; j++ {
				if a[j].before(&a[m]) {
					m = j
				}
			}
		}
		if !a[m].before(&e) {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = e
}
