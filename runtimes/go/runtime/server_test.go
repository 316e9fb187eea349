package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func echo(_ context.Context, e Event) (any, error) { return e, nil }

func TestProbes(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	if r := do(t, s, "GET", "/health", "", nil); r.status != 200 || string(r.body) != `{"status":"ok"}` {
		t.Fatalf("/health = %d %s", r.status, r.body)
	}
	r := do(t, s, "GET", "/ready", "", nil)
	if r.status != 503 || !strings.Contains(string(r.body), `"ready":false`) || !strings.Contains(string(r.body), `"reason":"loading the function"`) {
		t.Fatalf("/ready before load = %d %s", r.status, r.body)
	}
	inv := do(t, s, "POST", "/", "", nil)
	if typ, msg := inv.errorBody(t); inv.status != 503 || typ != "NotReady" || !strings.Contains(msg, "loading the function") {
		t.Fatalf("invocation before load = %d %s", inv.status, inv.body)
	}
	if inv.header.Get("X-Invocation-Id") == "" {
		t.Error("NotReady answer has no x-invocation-id")
	}
	_ = s.SetHandler(HandlerFunc(echo))
	if r := do(t, s, "GET", "/ready", "", nil); r.status != 200 || string(r.body) != `{"ready":true}` {
		t.Fatalf("/ready = %d %s", r.status, r.body)
	}
	if r := do(t, s, "HEAD", "/health", "", nil); r.status != 200 {
		t.Fatalf("HEAD /health = %d", r.status)
	}
	s.draining.Store(true)
	if r := do(t, s, "GET", "/ready", "", nil); r.status != 503 || !strings.Contains(string(r.body), "shutting down") {
		t.Fatalf("/ready while draining = %d %s", r.status, r.body)
	}
}

func TestProbePathsWithOtherMethodsInvoke(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), HandlerFunc(func(_ context.Context, e Event) (any, error) {
		return e.Method + " " + e.Path, nil
	}))
	for _, c := range [][2]string{{"POST", "/health"}, {"DELETE", "/ready"}, {"PUT", "/metrics"}, {"GET", "/healthz"}, {"GET", "//double//slash"}} {
		r := do(t, s, c[0], c[1], "", nil)
		if r.status != 200 || string(r.body) != c[0]+" "+c[1] {
			t.Errorf("%s %s = %d %q", c[0], c[1], r.status, r.body)
		}
	}
}

func TestInvocationID(t *testing.T) {
	var seen string
	s, logs := newTestServer(t, testConfig(), HandlerFunc(func(ctx context.Context, _ Event) (any, error) {
		seen = FromContext(ctx).InvocationID
		return nil, nil
	}))
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("X-Invocation-Id", "abc-123")
	r := doReq(s, req)
	if r.status != 204 || r.header.Get("X-Invocation-Id") != "abc-123" || seen != "abc-123" {
		t.Fatalf("status %d, header %q, context %q", r.status, r.header.Get("X-Invocation-Id"), seen)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, h := range []string{"", strings.Repeat("x", 129)} {
		req := httptest.NewRequest("POST", "/", nil)
		if h != "" {
			req.Header.Set("X-Invocation-Id", h)
		}
		r := doReq(s, req)
		if id := r.header.Get("X-Invocation-Id"); !uuid.MatchString(id) || seen != id {
			t.Errorf("header %q: id %q, context %q", h, id, seen)
		}
	}
	if got := logs.withMsg(t, "invocation")[0]["invocationId"]; got != "abc-123" {
		t.Errorf("log invocationId = %v", got)
	}
}

func TestContext(t *testing.T) {
	cfg := testConfig()
	cfg.Timeout = 1500 * time.Millisecond
	var inv *Invocation
	var hasDeadline bool
	s, logs := newTestServer(t, cfg, HandlerFunc(func(ctx context.Context, _ Event) (any, error) {
		inv = FromContext(ctx)
		_, hasDeadline = ctx.Deadline()
		Logger(ctx).Info("from the handler", "k", "v")
		Logger(ctx).With("w", 1).WithGroup("g").Info("grouped", "x", 2)
		return "ok", nil
	}))
	before := time.Now()
	do(t, s, "POST", "/", "", nil)
	if inv.FunctionName != "fn" || inv.Namespace != "ns" || !hasDeadline {
		t.Fatalf("invocation = %+v", inv)
	}
	if d := inv.Deadline.Sub(before); d < 1400*time.Millisecond || d > 1600*time.Millisecond {
		t.Errorf("deadline in %s, want ~1.5s", d)
	}
	if inv.Remaining() > 1500*time.Millisecond {
		t.Errorf("remaining %s", inv.Remaining())
	}
	l := logs.withMsg(t, "from the handler")
	if len(l) != 1 || l[0]["invocationId"] != inv.InvocationID || l[0]["function"] != "fn" || l[0]["namespace"] != "ns" ||
		l[0]["k"] != "v" || l[0]["level"] != "info" {
		t.Errorf("handler log line = %v", l)
	}
	g := logs.withMsg(t, "grouped")
	if len(g) != 1 || g[0]["invocationId"] != inv.InvocationID || g[0]["w"] != 1.0 || g[0]["g"].(map[string]any)["x"] != 2.0 {
		t.Errorf("With/WithGroup line = %v", g)
	}
	if FromContext(context.Background()).Logger == nil {
		t.Error("FromContext outside an invocation has no logger")
	}
}

func TestHandlerErrorsAndPanics(t *testing.T) {
	calls := 0
	s, logs := newTestServer(t, testConfig(), HandlerFunc(func(_ context.Context, e Event) (any, error) {
		calls++
		switch e.Path {
		case "/error":
			return nil, &ValidationError{Field: "name"}
		case "/plain":
			return nil, errors.New("plain failure")
		case "/panic":
			panic("kaboom")
		case "/panic-error":
			var m map[string]int
			m["x"] = 1 // a runtime error
		case "/chan":
			return make(chan int), nil
		}
		return "fine", nil
	}))
	cases := []struct{ path, typ, msg string }{
		{"/error", "ValidationError", "invalid name"},
		{"/plain", "Error", "plain failure"},
		{"/panic", "Panic", "kaboom"},
		{"/panic-error", "Panic", "assignment to entry in nil map"},
		{"/chan", "SerializationError", "chan int"},
	}
	for _, c := range cases {
		r := do(t, s, "POST", c.path, "", nil)
		typ, msg := r.errorBody(t)
		if r.status != 500 || typ != c.typ || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s %q", c.path, r.status, typ, msg)
		}
		if r.header.Get("X-Invocation-Id") == "" {
			t.Errorf("%s: no x-invocation-id", c.path)
		}
	}
	if r := do(t, s, "POST", "/ok", "", nil); r.status != 200 || string(r.body) != "fine" {
		t.Fatalf("after failures: %d %s", r.status, r.body)
	}
	if calls != 6 {
		t.Errorf("calls = %d", calls)
	}
	lines := logs.withMsg(t, "invocation")
	first := lines[0]
	if first["level"] != "error" || first["status"] != 500.0 {
		t.Errorf("error invocation line = %v", first)
	}
	if e, _ := first["error"].(map[string]any); e["type"] != "ValidationError" || e["message"] != "invalid name" {
		t.Errorf("error field = %v", first["error"])
	}
	if st, _ := lines[2]["stack"].(string); !strings.Contains(st, "goroutine") {
		t.Errorf("a panic's line carries no stack: %v", lines[2])
	}
	if last := lines[len(lines)-1]; last["level"] != "info" || last["error"] != nil {
		t.Errorf("success line = %v", last)
	}
}

func TestBadRequestAndTooLarge(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), HandlerFunc(echo))
	r := do(t, s, "POST", "/", "application/json", str(`{"a":`))
	if typ, msg := r.errorBody(t); r.status != 400 || typ != "BadRequest" || !strings.HasPrefix(msg, "request body is not valid JSON") {
		t.Errorf("malformed JSON: %d %s %q", r.status, typ, msg)
	}
	r = do(t, s, "POST", "/", "text/plain", str(strings.Repeat("x", 1025)))
	if typ, msg := r.errorBody(t); r.status != 413 || typ != "PayloadTooLarge" || !strings.Contains(msg, "1024") {
		t.Errorf("too large: %d %s %q", r.status, typ, msg)
	}
	// No Content-Length: the limit holds while reading.
	req := httptest.NewRequest("POST", "/", io.MultiReader(str(strings.Repeat("y", 1000)), str(strings.Repeat("y", 100))))
	req.ContentLength = -1
	if r := doReq(s, req); r.status != 413 {
		t.Errorf("unknown length too large: %d", r.status)
	}
	if r := do(t, s, "POST", "/", "text/plain", str(strings.Repeat("z", 1024))); r.status != 200 {
		t.Errorf("exactly at the limit: %d %s", r.status, r.body)
	}
}

func TestTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.Timeout = 200 * time.Millisecond
	released := make(chan struct{})
	s, logs := newTestServer(t, cfg, HandlerFunc(func(ctx context.Context, e Event) (any, error) {
		switch e.Path {
		case "/honest":
			<-ctx.Done()
			return nil, ctx.Err()
		case "/quick":
			return "quick", nil
		}
		<-released // ignores its context
		return "late", nil
	}))
	srv := httptest.NewServer(s)
	defer srv.Close()
	defer close(released)
	for _, p := range []string{"/stubborn", "/honest"} {
		res, err := http.Post(srv.URL+p, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r := resp{status: res.StatusCode, header: res.Header, body: b}
		typ, msg := r.errorBody(t)
		if r.status != 504 || typ != "Timeout" || !strings.Contains(msg, "200ms") || r.header.Get("X-Invocation-Id") == "" {
			t.Errorf("%s: %d %s %q", p, r.status, typ, msg)
		}
	}
	// The stubborn handler still holds its connection; the server answers others.
	res, err := http.Post(srv.URL+"/quick", "text/plain", nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after a timeout: %v %v", res, err)
	}
	res.Body.Close()
	if l := logs.withMsg(t, "invocation"); l[0]["status"] != 504.0 || l[0]["level"] != "error" {
		t.Errorf("timeout log line = %v", l[0])
	}
}

// TestShutdownDoesNotWaitForAbandonedHandlers: a handler that ignores its
// timeout got its 504; draining does not wait for it to return.
func TestShutdownDoesNotWaitForAbandonedHandlers(t *testing.T) {
	cfg := testConfig()
	cfg.Timeout = 100 * time.Millisecond
	released := make(chan struct{})
	defer close(released)
	s, _ := newTestServer(t, cfg, HandlerFunc(func(ctx context.Context, e Event) (any, error) {
		<-released
		return nil, nil
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	res, err := http.Post("http://"+ln.Addr().String()+"/", "text/plain", nil)
	if err != nil || res.StatusCode != 504 || !res.Close {
		t.Fatalf("= %v %v (want 504 with connection: close)", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case <-served:
	case <-time.After(3 * time.Second):
		t.Fatal("Serve waited for the abandoned handler")
	}
}

func TestMetrics(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), HandlerFunc(func(_ context.Context, e Event) (any, error) {
		if e.Path == "/fail" {
			return nil, errors.New("x")
		}
		return "ok", nil
	}))
	m := do(t, s, "GET", "/metrics", "", nil)
	if !strings.Contains(string(m.body), `function_cold_starts_total{function="fn",namespace="ns"} 0`) {
		t.Fatalf("cold starts not 0 before the first invocation:\n%s", m.body)
	}
	do(t, s, "POST", "/", "", nil)
	do(t, s, "POST", "/", "", nil)
	do(t, s, "POST", "/fail", "", nil)
	m = do(t, s, "GET", "/metrics", "", nil)
	if !strings.HasPrefix(m.header.Get("Content-Type"), "text/plain") {
		t.Errorf("metrics content-type %q", m.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`function_invocations_total{code="200",function="fn",namespace="ns"} 2`,
		`function_invocations_total{code="500",function="fn",namespace="ns"} 1`,
		`function_cold_starts_total{function="fn",namespace="ns"} 1`,
		`function_duration_seconds_count{function="fn",namespace="ns"} 3`,
		`function_duration_seconds_bucket{function="fn",namespace="ns",le="0.005"}`,
		`function_duration_seconds_bucket{function="fn",namespace="ns",le="60"}`,
		"process_resident_memory_bytes",
		"go_goroutines",
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestInvocationLogLine(t *testing.T) {
	s, logs := newTestServer(t, testConfig(), HandlerFunc(echo))
	do(t, s, "PUT", "/a/b?x=1", "application/json", str(`{}`))
	do(t, s, "GET", "/", "", nil)
	lines := logs.withMsg(t, "invocation")
	if len(lines) != 2 {
		t.Fatalf("%d invocation lines", len(lines))
	}
	l := lines[0]
	for k, want := range map[string]any{"level": "info", "function": "fn", "namespace": "ns", "method": "PUT",
		"path": "/a/b", "status": 200.0, "coldStart": true} {
		if l[k] != want {
			t.Errorf("%s = %v, want %v", k, l[k], want)
		}
	}
	if _, ok := l["durationMs"].(float64); !ok {
		t.Errorf("durationMs = %v", l["durationMs"])
	}
	if ts, _ := l["time"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
		t.Errorf("time = %q", ts)
	}
	if lines[1]["coldStart"] != false {
		t.Errorf("second invocation coldStart = %v", lines[1]["coldStart"])
	}
}

func TestHandlerForms(t *testing.T) {
	type out struct {
		Got string `json:"got"`
	}
	forms := map[string]struct {
		h    any
		code int
		body string
	}{
		"HandlerFunc":          {HandlerFunc(func(context.Context, Event) (any, error) { return "a", nil }), 200, "a"},
		"plain func":           {func(context.Context, Event) (any, error) { return "b", nil }, 200, "b"},
		"typed result":         {func(_ context.Context, e Event) (out, error) { return out{e.Path}, nil }, 200, `{"got":"/p"}`},
		"typed pointer nil":    {func(context.Context, Event) (*out, error) { return nil, nil }, 204, ""},
		"no context":           {func(e Event) (string, error) { return e.Method, nil }, 200, "POST"},
		"value only":           {func(context.Context, Event) map[string]int { return map[string]int{"n": 1} }, 200, `{"n":1}`},
		"error only":           {func(context.Context, Event) error { return nil }, 204, ""},
		"error only, failing":  {func(Event) error { return &ValidationError{"x"} }, 500, `{"error":{"type":"ValidationError","message":"invalid x"}}`},
		"no result":            {func(Event) {}, 204, ""},
		"http.HandlerFunc":     {http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }), 201, ""},
		"func(w, r)":           {func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "c") }, 200, "c"},
		"http.Handler (mux)":   {muxLike(), 200, "routed /p"},
		"returns a *Response":  {func(Event) (*Response, error) { return &Response{StatusCode: 202, Body: "d"}, nil }, 202, "d"},
		"returns typed errors": {func(Event) (string, error) { return "", fmt.Errorf("ctx: %w", &ValidationError{"y"}) }, 500, `{"error":{"type":"ValidationError","message":"ctx: invalid y"}}`},
	}
	for name, f := range forms {
		t.Run(name, func(t *testing.T) {
			s, _ := newTestServer(t, testConfig(), f.h)
			r := do(t, s, "POST", "/p", "", nil)
			if r.status != f.code || string(r.body) != f.body {
				t.Errorf("= %d %q, want %d %q", r.status, r.body, f.code, f.body)
			}
			if r.header.Get("X-Invocation-Id") == "" {
				t.Error("no x-invocation-id")
			}
		})
	}
}

func muxLike() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /p", func(w http.ResponseWriter, r *http.Request) {
		if FromContext(r.Context()).InvocationID == "" {
			http.Error(w, "no invocation in the request context", 500)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "routed "+r.URL.Path)
	})
	return m
}

func TestUnsupportedHandlers(t *testing.T) {
	for name, h := range map[string]any{
		"string":         "not a func",
		"wrong params":   func(string) string { return "" },
		"three results":  func(Event) (int, int, error) { return 0, 0, nil },
		"error not last": func(Event) (error, int) { return nil, 0 },
		"nil func":       HandlerFunc(nil),
		"variadic":       func(...Event) error { return nil },
	} {
		s, logs := newTestServer(t, testConfig(), nil)
		if err := s.SetHandler(h); err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		r := do(t, s, "GET", "/ready", "", nil)
		if r.status != 503 || !strings.Contains(string(r.body), "handler.Handle") {
			t.Errorf("%s: /ready = %d %s", name, r.status, r.body)
		}
		if l := logs.withMsg(t, "function not loaded"); len(l) != 1 || l[0]["level"] != "error" {
			t.Errorf("%s: load failure log = %v", name, l)
		}
	}
}

func TestHTTPFormTimeoutAndPanic(t *testing.T) {
	cfg := testConfig()
	cfg.Timeout = 150 * time.Millisecond
	s, _ := newTestServer(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			_, _ = io.WriteString(w, "partial")
			<-r.Context().Done()
			time.Sleep(20 * time.Millisecond)
			_, err := io.WriteString(w, "more")
			if !errors.Is(err, http.ErrHandlerTimeout) {
				panic("writes after the timeout should fail")
			}
		case "/panic":
			_, _ = io.WriteString(w, "half")
			panic(errors.New("http panic"))
		case "/body":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Invocation-Id", "forged")
			_, _ = w.Write(b)
		}
	}))
	r := do(t, s, "GET", "/slow", "", nil)
	if typ, _ := r.errorBody(t); r.status != 504 || typ != "Timeout" {
		t.Errorf("/slow = %d %s", r.status, r.body)
	}
	r = do(t, s, "GET", "/panic", "", nil)
	if typ, msg := r.errorBody(t); r.status != 500 || typ != "Panic" || msg != "http panic" {
		t.Errorf("/panic = %d %s", r.status, r.body)
	}
	r = do(t, s, "POST", "/body", "text/plain", str("payload"))
	if r.status != 200 || string(r.body) != "payload" || r.header.Get("X-Invocation-Id") == "forged" {
		t.Errorf("/body = %d %q %v", r.status, r.body, r.header)
	}
	time.Sleep(50 * time.Millisecond) // let /slow's goroutine finish its check
}

func TestConcurrentInvocations(t *testing.T) {
	// Every handler waits until all ten are inside at once; served one at a time, they would fail.
	const calls = 10
	var inside atomic.Int32
	allInside := make(chan struct{})
	s, _ := newTestServer(t, testConfig(), HandlerFunc(func(ctx context.Context, _ Event) (any, error) {
		if inside.Add(1) == calls {
			close(allInside)
		}
		select {
		case <-allInside:
			return "done", nil
		case <-time.After(20 * time.Second):
			return nil, errors.New("invocations were not served concurrently")
		}
	}))
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := do(t, s, "POST", "/", "", nil); r.status != 200 {
				t.Errorf("status %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
}

// TestServeGracefulShutdown runs a real listener: cancelling the context
// (as SIGTERM does) stops accepting, lets the in-flight request finish with
// connection: close, and returns.
func TestServeGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	s, logs := newTestServer(t, testConfig(), HandlerFunc(func(ctx context.Context, _ Event) (any, error) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return "finished", nil
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	type result struct {
		res  *http.Response
		body string
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		res, err := http.Post(url+"/", "text/plain", nil)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		inflight <- result{res: res, body: string(b)}
	}()
	<-started
	cancel(errors.New("test says stop"))
	time.Sleep(50 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond); err == nil {
		t.Error("still accepting connections while draining")
	}
	r := <-inflight
	if r.err != nil || r.res.StatusCode != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if !r.res.Close {
		t.Error("the in-flight response does not carry connection: close")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after draining")
	}
	var msgs []string
	for _, l := range logs.lines(t) {
		msgs = append(msgs, l["msg"].(string))
	}
	if got := strings.Join(msgs, ","); !strings.Contains(got, "ready,listening") && !strings.Contains(got, "listening") ||
		!strings.Contains(got, "shutting down") || !strings.HasSuffix(got, "stopped") {
		t.Errorf("lifecycle log = %s", got)
	}
}

// TestInvocationLineMatchesSlog: the hand-encoded invocation line is the
// line slog's JSON handler writes, for awkward strings too.
func TestInvocationLineMatchesSlog(t *testing.T) {
	for _, path := range []string{"/plain", "/a b/\"q\"\\/<x>&", "/ctl\x01\t\n", "/ünï/✓/\u2028", "/bad\xff\xfe"} {
		fast, slow := &syncBuffer{}, &syncBuffer{}
		cfg := testConfig()
		cfg.Name, cfg.Namespace = "fn\"1", "ns<2>"
		s := NewServer(cfg, Options{Log: fast})
		s.logInvocation("id-\x7f", "POST", path, 201, 1.234, true)
		NewLogger(slow).Info("invocation", "invocationId", "id-\x7f", "function", cfg.Name, "namespace", cfg.Namespace,
			"method", "POST", "path", path, "status", 201, "durationMs", 1.234, "coldStart", true)
		strip := func(s string) string { return regexp.MustCompile(`"time":"[^"]*"`).ReplaceAllString(s, "") }
		f, sl := strip(fast.buf.String()), strip(slow.buf.String())
		if f != sl {
			t.Errorf("path %q:\nfast %s\nslog %s", path, f, sl)
		}
	}
}
