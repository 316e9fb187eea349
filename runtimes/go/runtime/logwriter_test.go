package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter records writes and takes its time, like a busy pipe.
type slowWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.buf.Write(p)
}

func TestAsyncWriterKeepsEveryLineInOrderAndBatches(t *testing.T) {
	out := &slowWriter{}
	w := newAsyncWriter(out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(w, "g%d-%d\n", g, i)
			}
		}()
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSpace(out.buf.String()), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4000", len(lines))
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(strings.Replace(l, "-", " ", 1), "%s %d", &g, &i); err != nil {
			t.Fatalf("torn line %q", l)
		}
		if i != next[g] {
			t.Fatalf("%s: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if out.writes >= 4000 {
		t.Errorf("%d writes for 4000 lines: no batching", out.writes)
	}
}

func TestAsyncWriterFlushWithNothingPending(t *testing.T) {
	w := newAsyncWriter(&slowWriter{})
	done := make(chan struct{})
	go func() { w.Flush(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Flush blocked with nothing to write")
	}
}
