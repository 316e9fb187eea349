package launcher

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests compile functions with the real go command. They share the
// developer's GOCACHE and GOMODCACHE (unless set), so after the first run a
// build is a compile of the function's package and a link.

var (
	launcherOnce sync.Once
	launcherBin  string
	launcherErr  error
	buildCache   string // FUNCTION_BUILD_CACHE shared by this package's tests
)

func TestMain(m *testing.M) {
	code := func() int {
		if _, err := exec.LookPath("go"); err == nil {
			for _, k := range []string{"GOCACHE", "GOMODCACHE"} {
				if os.Getenv(k) == "" {
					out, err := exec.Command("go", "env", k).Output()
					if err == nil && strings.TrimSpace(string(out)) != "" {
						os.Setenv(k, strings.TrimSpace(string(out)))
					}
				}
			}
		}
		dir, err := os.MkdirTemp("", "launcher-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		buildCache = filepath.Join(dir, "cache")
		os.Setenv("FUNCTION_BUILD_CACHE", buildCache)
		launcherBin = filepath.Join(dir, "launcher")
		return m.Run()
	}()
	os.Exit(code)
}

func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
}

// launcher builds cmd/launcher once.
func launcher(t *testing.T) string {
	t.Helper()
	needGo(t)
	launcherOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", launcherBin, "../cmd/launcher")
		out, err := cmd.CombinedOutput()
		if err != nil {
			launcherErr = fmt.Errorf("building the launcher: %v\n%s", err, out)
		}
	})
	if launcherErr != nil {
		t.Fatal(launcherErr)
	}
	return launcherBin
}

// proc is a started runtime process with its stdout log lines.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []map[string]any
	raw   []string
	port  chan int
	done  chan struct{}
	err   error
}

func start(t *testing.T, bin string, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT=0", "HOST=127.0.0.1", "FUNCTION_NAME=test-fn", "FUNCTION_NAMESPACE=test-ns")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, port: make(chan int, 1), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			var m map[string]any
			_ = json.Unmarshal(sc.Bytes(), &m)
			p.mu.Lock()
			p.lines = append(p.lines, m)
			p.raw = append(p.raw, sc.Text())
			p.mu.Unlock()
			if m != nil && m["msg"] == "listening" && !sent {
				if port, ok := m["port"].(float64); ok {
					p.port <- int(port)
					sent = true
				}
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", strings.Join(p.rawLines(), "\n"), stderr.String())
		}
	})
	return p
}

func (p *proc) rawLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.raw...)
}

func (p *proc) logs(msg string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, l := range p.lines {
		if l != nil && l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// url waits for the process to listen and returns its base URL.
func (p *proc) url(timeout time.Duration) string {
	p.t.Helper()
	select {
	case port := <-p.port:
		u := fmt.Sprintf("http://127.0.0.1:%d", port)
		p.port <- port // keep it for the next caller
		return u
	case <-p.done:
		p.t.Fatalf("the process exited before listening: %v", p.err)
	case <-time.After(timeout):
		p.t.Fatal("the process did not listen in time")
	}
	return ""
}

// waitReady polls /ready until 200.
func (p *proc) waitReady(timeout time.Duration) string {
	p.t.Helper()
	u := p.url(timeout)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if r, err := http.Get(u + "/ready"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return u
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("the process exited: %v", p.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.t.Fatal("not ready in time")
	return ""
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop() int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.t.Fatal("no exit after SIGTERM")
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("wait: %v", p.err)
	}
	return 0
}

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, method, url, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

const buildTimeout = 5 * time.Minute

// TestExamples compiles every function in examples/go and checks that it
// answers as its comment says.
func TestExamples(t *testing.T) {
	needGo(t)
	uuid := regexp.MustCompile(`^\{"id":"[0-9a-f-]{36}"\}$`)
	examples := []struct {
		dir    string
		env    map[string]string
		checks []struct{ method, path, ct, body, want string }
	}{
		{"hello", nil, []struct{ method, path, ct, body, want string }{
			{"GET", "/?name=Ada", "", "", "200 Hello, Ada!\n"},
			{"POST", "/", "", "", "200 Hello, world!\n"},
		}},
		{"echo-json", nil, []struct{ method, path, ct, body, want string }{
			{"POST", "/", "application/json", `{"a":[1,"x",null]}`, `200 {"a":[1,"x",null]}`},
			{"POST", "/", "text/plain", "hi", `400 {"error":{"message":"send a JSON body (content-type: application/json)","type":"BadRequest"}}`},
			{"POST", "/", "", "", "204 "},
		}},
		{"error", nil, []struct{ method, path, ct, body, want string }{
			{"GET", "/", "", "", `500 {"error":{"type":"Error","message":"something went wrong in the function"}}`},
			{"GET", "/?kind=custom", "", "", `500 {"error":{"type":"PaymentDeclined","message":"card ending 4242 was declined"}}`},
			{"GET", "/?kind=panic", "", "", `500 {"error":{"type":"Panic","message":"something went very wrong in the function"}}`},
		}},
		{"slow", map[string]string{"FUNCTION_TIMEOUT_SECONDS": "0.3"}, []struct{ method, path, ct, body, want string }{
			{"GET", "/?ms=10", "", "", `200 {"sleptMs":10}`},
			{"GET", "/?ms=2000", "", "", `504 {"error":{"type":"Timeout","message":"the function did not finish within its timeout of 300ms"}}`},
		}},
		{"http-handler", nil, []struct{ method, path, ct, body, want string }{
			{"GET", "/items/7", "", "", "200 {\"id\":\"7\"}\n"},
			{"POST", "/items", "application/json", `{"name":"pen"}`, "201 created pen\n"},
			{"POST", "/items", "application/json", `{}`, "400 send {\"name\": \"...\"}\n"},
		}},
		{"with-deps", nil, []struct{ method, path, ct, body, want string }{
			{"GET", "/", "", "", "uuid"},
		}},
	}
	cache := Cache{Dir: buildCache}
	for _, ex := range examples {
		t.Run(ex.dir, func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "examples", "go", ex.dir))
			plan, err := Prepare(cfgFor(dir, ""))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
			defer cancel()
			bin, err := cache.Build(ctx, plan, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p := start(t, bin, ex.env)
			u := p.waitReady(30 * time.Second)
			for _, c := range ex.checks {
				a := call(t, c.method, u+c.path, c.ct, c.body)
				got := fmt.Sprintf("%d %s", a.status, a.body)
				if c.want == "uuid" {
					if a.status != 200 || !uuid.MatchString(a.body) {
						t.Errorf("%s %s = %s", c.method, c.path, got)
					}
					continue
				}
				if got != c.want {
					t.Errorf("%s %s = %q, want %q", c.method, c.path, got, c.want)
				}
			}
			if code := p.stop(); code != 0 {
				t.Errorf("exit code %d", code)
			}
		})
	}
}

func TestBuildCompileError(t *testing.T) {
	needGo(t)
	dir := writeFiles(t, map[string]string{"handler.go": "package function\n\nimport \"context\"\n\nfunc Handle(ctx context.Context) (any, error) {\n\treturn nope, nil\n}\n"})
	plan, err := Prepare(cfgFor(dir, ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Cache{Dir: buildCache}.Build(context.Background(), plan, BuildOptions{})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CompileError", err)
	}
	if !strings.Contains(ce.Output, "./handler.go:6:9: undefined: nope") || strings.Contains(ce.Output, buildCache) {
		t.Fatalf("compiler output = %q", ce.Output)
	}
}

// TestBuildModuleLayouts: a handler in a sub-directory importing a sibling
// package, without and with the function's own go.mod (which also requires
// and replaces the runtime module, as a developer's local checkout would).
func TestBuildModuleLayouts(t *testing.T) {
	needGo(t)
	routes := func(mod string) string {
		return "package api\n\nimport (\n\t\"context\"\n\n\t\"" + mod + "/util\"\n\t\"github.com/kube-serverless/kube-serverless/runtimes/go/runtime\"\n)\n\n" +
			"func Serve(ctx context.Context, e runtime.Event) (string, error) { return util.Shout(e.Path), nil }\n"
	}
	util := "package util\n\nimport \"strings\"\n\nfunc Shout(s string) string { return strings.ToUpper(s) }\n"
	layouts := map[string]map[string]string{
		"generated module": {"api/routes.go": routes("function"), "util/util.go": util},
		"own go.mod": {"api/routes.go": routes("example.com/fn"), "util/util.go": util,
			"go.mod": "module example.com/fn\n\ngo 1.22\n\nrequire github.com/kube-serverless/kube-serverless/runtimes/go v0.1.0\n\n" +
				"replace github.com/kube-serverless/kube-serverless/runtimes/go => ../../runtimes/go\n"},
	}
	for name, files := range layouts {
		t.Run(name, func(t *testing.T) {
			plan, err := Prepare(cfgFor(writeFiles(t, files), "api/routes.Serve"))
			if err != nil {
				t.Fatal(err)
			}
			bin, err := Cache{Dir: buildCache}.Build(context.Background(), plan, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p := start(t, bin, nil)
			u := p.waitReady(30 * time.Second)
			if a := call(t, "GET", u+"/quiet", "", ""); a.status != 200 || a.body != "/QUIET" {
				t.Errorf("= %d %q", a.status, a.body)
			}
			p.stop()
		})
	}
}

// TestLauncherColdThenWarm: a cold start serves /health while compiling,
// then hands its socket to the compiled function in the same process; a
// warm start execs the cached binary at once.
func TestLauncherColdThenWarm(t *testing.T) {
	bin := launcher(t)
	src := strings.Replace(helloSrc, `return "hello", nil`, `return map[string]any{"pid": os.Getpid(), "id": runtime.FromContext(ctx).InvocationID}, nil`, 1)
	src = strings.Replace(src, `"context"`, "\"context\"\n\t\"os\"", 1)
	src += fmt.Sprintf("\n// unique per run: %d\n", time.Now().UnixNano())
	dir := writeFiles(t, map[string]string{"handler.go": src})

	cold := start(t, bin, map[string]string{"FUNCTION_DIR": dir})
	u := cold.url(30 * time.Second)
	if a := call(t, "GET", u+"/health", "", ""); a.status != 200 {
		t.Fatalf("/health while building = %d", a.status)
	}
	u = cold.waitReady(buildTimeout)
	a := call(t, "POST", u+"/", "", "")
	var got struct {
		PID int
		ID  string
	}
	if err := json.Unmarshal([]byte(a.body), &got); err != nil || a.status != 200 {
		t.Fatalf("invocation = %d %s", a.status, a.body)
	}
	if got.PID != cold.cmd.Process.Pid || got.ID != a.header.Get("X-Invocation-Id") {
		t.Fatalf("answered by pid %d (started %d), id %q", got.PID, cold.cmd.Process.Pid, got.ID)
	}
	if len(cold.logs("building function")) != 1 || len(cold.logs("built function")) != 1 {
		t.Error("the cold start did not log its build")
	}
	if code := cold.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	startAt := time.Now()
	warm := start(t, bin, map[string]string{"FUNCTION_DIR": dir})
	warm.waitReady(30 * time.Second)
	t.Logf("warm start: ready after %s", time.Since(startAt))
	if len(warm.logs("building function")) != 0 {
		t.Error("the warm start built again")
	}
	if code := warm.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestLauncherCompileErrorIsNotReady(t *testing.T) {
	bin := launcher(t)
	dir := writeFiles(t, map[string]string{"handler.go": "package function\n\nfunc Handle() any {\n\treturn undefinedThing\n}\n"})
	p := start(t, bin, map[string]string{"FUNCTION_DIR": dir})
	u := p.url(30 * time.Second)
	deadline := time.Now().Add(buildTimeout)
	var ready answer
	for time.Now().Before(deadline) {
		ready = call(t, "GET", u+"/ready", "", "")
		if strings.Contains(ready.body, "compile error") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ready.status != 503 || !strings.Contains(ready.body, `./handler.go:4:9: undefined: undefinedThing`) {
		t.Fatalf("/ready = %d %s", ready.status, ready.body)
	}
	if a := call(t, "GET", u+"/health", "", ""); a.status != 200 {
		t.Errorf("/health = %d", a.status)
	}
	inv := call(t, "POST", u+"/", "", "")
	if inv.status != 503 || !strings.Contains(inv.body, `"type":"NotReady"`) || !strings.Contains(inv.body, "undefinedThing") {
		t.Errorf("invocation = %d %s", inv.status, inv.body)
	}
	if l := p.logs("function not loaded"); len(l) == 0 || l[len(l)-1]["level"] != "error" {
		t.Errorf("no load-failure log line: %v", l)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestLauncherSourceProblemIsNotReady(t *testing.T) {
	bin := launcher(t)
	p := start(t, bin, map[string]string{"FUNCTION_DIR": t.TempDir()})
	u := p.url(30 * time.Second)
	r := call(t, "GET", u+"/ready", "", "")
	if r.status != 503 || !strings.Contains(r.body, "handler file handler.go not found in") {
		t.Fatalf("/ready = %d %s", r.status, r.body)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestLauncherSIGTERMWhileBuilding(t *testing.T) {
	bin := launcher(t)
	src := helloSrc + fmt.Sprintf("\n// unique per run: %d\n", time.Now().UnixNano())
	p := start(t, bin, map[string]string{"FUNCTION_DIR": writeFiles(t, map[string]string{"handler.go": src})})
	u := p.url(30 * time.Second)
	r := call(t, "GET", u+"/ready", "", "")
	if r.status != 503 || !strings.Contains(r.body, "building") {
		t.Logf("/ready = %d %s (the build was already done)", r.status, r.body)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestLauncherSIGTERMMidRequest(t *testing.T) {
	bin := launcher(t)
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "examples", "go", "slow"))
	p := start(t, bin, map[string]string{"FUNCTION_DIR": dir})
	u := p.waitReady(buildTimeout)
	got := make(chan answer, 1)
	go func() { got <- call(t, "GET", u+"/?ms=600", "", "") }()
	time.Sleep(200 * time.Millisecond)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	a := <-got
	if a.status != 200 || a.body != `{"sleptMs":600}` {
		t.Fatalf("in-flight request = %d %s", a.status, a.body)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if len(p.logs("shutting down")) != 1 {
		t.Error("no shutting down line")
	}
}

// TestLauncherBuildSubcommand: `launcher build -o FILE` (the first stage of
// Dockerfile.function) writes a binary that serves the function by itself.
func TestLauncherBuildSubcommand(t *testing.T) {
	bin := launcher(t)
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "examples", "go", "hello"))
	out := filepath.Join(t.TempDir(), "function")
	cmd := exec.Command(bin, "build", "-o", out)
	cmd.Env = append(os.Environ(), "FUNCTION_DIR="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	p := start(t, out, nil) // no FUNCTION_DIR: the binary is the function
	u := p.waitReady(30 * time.Second)
	if a := call(t, "GET", u+"/?name=image", "", ""); a.status != 200 || a.body != "Hello, image!\n" {
		t.Fatalf("= %d %q", a.status, a.body)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if b, err := exec.Command(bin, "version").Output(); err != nil || !strings.HasPrefix(string(b), "kube-serverless go runtime ") {
		t.Fatalf("version: %q %v", b, err)
	}
}
