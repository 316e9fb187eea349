package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// The per-request cost of the runtime's layer, without the network: the
// echo function through Server.ServeHTTP against a bare handler doing the
// same JSON work (bench/runtimes/go measures the whole thing over TCP).

const benchBody = `{"hello":"world","n":42,"list":[1,2,3],"nested":{"ok":true}}`

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func benchHandler(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(benchBody)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
	}
}

func BenchmarkRuntimeEcho(b *testing.B) {
	s := NewServer(testConfig(), Options{Log: io.Discard})
	_ = s.SetHandler(HandlerFunc(func(_ context.Context, e Event) (any, error) { return e.Body, nil }))
	benchHandler(b, s)
}

func BenchmarkRawEcho(b *testing.B) {
	benchHandler(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var v any
		_ = json.Unmarshal(raw, &v)
		out, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		_, _ = w.Write(out)
	}))
}
