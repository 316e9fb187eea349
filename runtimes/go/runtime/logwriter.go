package runtime

import (
	"io"
	"sync"
)

// asyncWriter takes log lines off the request path: Write appends to a
// buffer, and one goroutine writes the buffer to the underlying writer.
// While that write is in progress, new lines accumulate, so under load many
// lines go out in one write(2) instead of one system call per invocation
// made under the logger's lock. Lines are never dropped: past maxBuffered
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

func (w *asyncWriter) loop() {
	for range w.kick {
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
