package runtime

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// withMsg returns the log lines whose msg is msg.
func (b *syncBuffer) withMsg(t *testing.T, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range b.lines(t) {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

func testConfig() Config {
	return Config{
		FunctionDir: "/function", Handler: DefaultHandler, Name: "fn", Namespace: "ns",
		Timeout: 2 * time.Second, MaxBodyBytes: 1024, Host: "127.0.0.1",
	}
}

// newTestServer returns a loaded server and its log.
func newTestServer(t *testing.T, cfg Config, h any) (*Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s := NewServer(cfg, Options{Log: logs})
	if h != nil {
		if err := s.SetHandler(h); err != nil {
			t.Fatalf("SetHandler: %v", err)
		}
	}
	return s, logs
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON: %q", r.body)
	}
	return v
}

// errorBody checks the contract's error shape and returns type and message.
func (r resp) errorBody(t *testing.T) (string, string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error content-type = %q", ct)
	}
	var v struct {
		Error struct{ Type, Message string }
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("error body is not JSON: %q", r.body)
	}
	return v.Error.Type, v.Error.Message
}

func do(t *testing.T, h http.Handler, method, target, contentType string, body io.Reader) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return doReq(h, req)
}

func doReq(h http.Handler, req *http.Request) resp {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func str(s string) io.Reader { return strings.NewReader(s) }
