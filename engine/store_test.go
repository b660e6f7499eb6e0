package engine

import (
	"math"
	"testing"
)

func TestStoreProducerConsumer(t *testing.T) {
	s := New(Options{})
	st, _ := s.NewStore("specimens", 2)
	var got []any
	var at []float64
	s.Process("producer", func(p *Proc) {
		for i := 1; i <= 4; i++ {
			p.Put(st, i)
		}
	})
	s.Process("consumer", func(p *Proc) {
		for i := 0; i < 4; i++ {
			p.Timeout(1)
			v, _ := p.Get(st, nil)
			got = append(got, v)
			at = append(at, p.Now())
		}
	})
	s.Run(math.Inf(1))
	for i := 0; i < 4; i++ {
		if got[i] != i+1 || at[i] != float64(i+1) {
			t.Fatalf("got %v at %v", got, at)
		}
	}
}

func TestStoreFilter(t *testing.T) {
	s := New(Options{})
	st, _ := s.NewStore("units", 10)
	var got any
	s.Process("p", func(p *Proc) {
		got, _ = p.Get(st, func(x any) bool { return x.(string) == "O-" })
	})
	st.Put("A+", nil)
	st.Put("O-", nil)
	s.Run(math.Inf(1))
	if got != "O-" || st.Len() != 1 {
		t.Fatalf("got %v, left %d", got, st.Len())
	}
}

func TestContainer(t *testing.T) {
	s := New(Options{})
	c, _ := s.NewContainer("oxygen", 100, 10)
	var gotAt float64
	s.Process("user", func(p *Proc) {
		p.GetAmount(c, 30)
		gotAt = p.Now()
	})
	s.Schedule(5, func() { c.Put(50, nil) })
	s.Run(math.Inf(1))
	if gotAt != 5 || c.Level() != 30 {
		t.Fatalf("got at %v, level %v", gotAt, c.Level())
	}
	if _, err := s.NewContainer("bad", 10, 20); err == nil {
		t.Fatal("initial above capacity accepted")
	}
	if err := c.Put(-1, nil); err == nil {
		t.Fatal("negative put accepted")
	}
}
