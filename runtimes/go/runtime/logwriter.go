package runtime

import (
	"io"
	"sync"
	"time"
)

// asyncWriter takes log lines off the request path: Write appends to a
// buffer, and one goroutine writes the buffer to the underlying writer.
// The writer waits flushDelay after the first line and then writes all that
// has gathered, so lines go out in batches, in one write(2) each, instead
// of one system call per invocation made under the logger's lock (and one
// wake-up of another thread). Lines are never dropped: past maxBuffered
// bytes a writer waits for the flusher (back-pressure from a full pipe).
type asyncWriter struct {
	out io.Writer

	mu      sync.Mutex
	cond    *sync.Cond // signalled when a flush completes
	buf     []byte
	spare   []byte
	writing bool // the flusher holds a batch
	kick    chan struct{}
}

const maxBuffered = 1 << 20

func newAsyncWriter(out io.Writer) *asyncWriter {
	w := &asyncWriter{out: out, kick: make(chan struct{}, 1)}
	w.cond = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

// Write buffers p; slog handlers call it once per record, with a whole line.
func (w *asyncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.buf) >= maxBuffered {
		w.cond.Wait()
	}
	w.buf = append(w.buf, p...)
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
	return len(p), nil
}

// flushDelay is how long the writer lets lines gather after the first
// one: at moderate load it turns a wake-up and a write(2) per invocation
// into one per millisecond; a line reaches stdout at most this much later.
const flushDelay = time.Millisecond

func (w *asyncWriter) loop() {
	for range w.kick {
		time.Sleep(flushDelay)
		for {
			w.mu.Lock()
			if len(w.buf) == 0 {
				w.writing = false
				w.cond.Broadcast()
				w.mu.Unlock()
				break
			}
			batch := w.buf
			w.buf, w.spare = w.spare[:0], nil
			w.writing = true
			w.mu.Unlock()

			_, _ = w.out.Write(batch)

			w.mu.Lock()
			if cap(batch) <= 4*maxBuffered {
				w.spare = batch[:0]
			}
			w.cond.Broadcast()
			w.mu.Unlock()
		}
	}
}

// Flush waits until everything written so far has reached the
// underlying writer.
func (w *asyncWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.buf) > 0 || w.writing {
		select {
		case w.kick <- struct{}{}:
		default:
		}
		w.cond.Wait()
	}
}
