// Command bench measures the Go runtime against a raw net/http server in
// the same run (see bench/runtimes/RESULTS.md):
//
//		cd bench/runtimes/go && go run . [-duration 2s] [-rounds 9] [-starts 5] [-cold-fn 3] [-cold-all 1] [-json out.json]
//
//	  - throughput and p50/p99 latency of the echo function
//	    (examples/go/echo-json) at concurrency 1 and 32, alternating with the
//	    raw server (./raw) round by round; the median round is reported, and
//	    the throughput ratio is the median of the per-round ratios;
//	  - spawn → /ready and spawn → first response, with
//	    warm:      the function's binary already in the build cache (the
//	    launcher execs it), through the launcher binary (an image's
//	    entrypoint) and through local.json's start.sh;
//	    cold-fn:   a function never built before, with a warm GOCACHE (a
//	    redeploy on a warm cache volume, or a pre-warmed image);
//	    cold-all:  an empty build cache: the runtime, its dependencies and
//	    the standard library compiled from scratch (modules come from
//	    the local module cache through a file:// GOPROXY, so no network);
//	  - idle RSS after start-up and one invocation.
//
// The load generator is in this process: one persistent HTTP/1.1
// connection per concurrent client, loopback only, bounded by -duration.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	duration = flag.Duration("duration", 2*time.Second, "length of one load measurement")
	rounds   = flag.Int("rounds", 9, "load rounds per server and concurrency")
	starts   = flag.Int("starts", 5, "warm start-ups per method")
	coldFn   = flag.Int("cold-fn", 3, "start-ups of a never-built function with a warm GOCACHE")
	coldAll  = flag.Int("cold-all", 1, "start-ups with an empty build cache")
	jsonOut  = flag.String("json", "", "also write the results to this file")
)

const body = `{"hello":"world","n":42,"list":[1,2,3],"nested":{"ok":true}}`

var (
	root       string // repository root
	runtimeDir string // runtimes/go
	echoDir    string // examples/go/echo-json
	work       string // temp dir: binaries, caches, logs
)

func main() {
	flag.Parse()
	wd, _ := os.Getwd()
	root = filepath.Clean(filepath.Join(wd, "..", "..", ".."))
	runtimeDir = filepath.Join(root, "runtimes", "go")
	echoDir = filepath.Join(root, "examples", "go", "echo-json")
	var err error
	work, err = os.MkdirTemp("", "bench-go-runtime-")
	check(err)
	defer os.RemoveAll(work)

	fmt.Fprintf(os.Stderr, "%s, %d × %s, GOMAXPROCS %d\n", goVersion(), runtime.NumCPU(), cpuModel(), runtime.GOMAXPROCS(0))
	rawBin := filepath.Join(work, "raw")
	launcherBin := filepath.Join(work, "launcher")
	run(wd, "go", "build", "-o", rawBin, "./raw")
	run(runtimeDir, "go", "build", "-trimpath", "-o", launcherBin, "./cmd/launcher")
	cache := filepath.Join(work, "cache") // the runtime's FUNCTION_BUILD_CACHE

	res := results{Date: time.Now().UTC().Format(time.RFC3339), Go: goVersion(),
		Machine: fmt.Sprintf("%d × %s, %s RAM", runtime.NumCPU(), cpuModel(), memTotal()),
		Settings: map[string]any{"duration": duration.String(), "rounds": *rounds, "starts": *starts,
			"coldFn": *coldFn, "coldAll": *coldAll, "body": body}}

	// Fill the cache once (not measured), so that "warm" is warm.
	fmt.Fprintln(os.Stderr, "building the echo function once ...")
	s := spawnRuntime([]string{launcherBin}, echoDir, cache, nil)
	s.waitReady(10 * time.Minute)
	s.kill()
	s = spawnRuntime([]string{filepath.Join(runtimeDir, "start.sh")}, echoDir, cache, nil) // builds its launcher copy
	s.waitReady(10 * time.Minute)
	s.kill()

	// 1. Start-up.
	res.Startup = map[string]startup{}
	for i := 0; i < *starts; i++ {
		add(res.Startup, "warm (launcher)", measureStart(func() *server { return spawnRuntime([]string{launcherBin}, echoDir, cache, nil) }, true))
		add(res.Startup, "warm (start.sh)", measureStart(func() *server {
			return spawnRuntime([]string{filepath.Join(runtimeDir, "start.sh")}, echoDir, cache, nil)
		}, true))
		add(res.Startup, "raw", measureStart(func() *server { return spawnRaw(rawBin) }, false))
	}
	for i := 0; i < *coldFn; i++ {
		dir := uniqueFunction(i)
		add(res.Startup, "cold-fn", measureStart(func() *server { return spawnRuntime([]string{launcherBin}, dir, cache, nil) }, true))
	}
	modcache := strings.TrimSpace(output(runtimeDir, "go", "env", "GOMODCACHE"))
	for i := 0; i < *coldAll; i++ {
		empty := filepath.Join(work, fmt.Sprintf("empty-cache-%d", i))
		env := []string{"GOPROXY=file://" + filepath.Join(modcache, "cache", "download"), "GOSUMDB=off"}
		add(res.Startup, "cold-all", measureStart(func() *server { return spawnRuntime([]string{launcherBin}, echoDir, empty, env) }, true))
		_ = os.RemoveAll(empty)
	}
	res.summarizeStartup()

	// 2. Load, both servers up, alternating.
	rt := spawnRuntime([]string{launcherBin}, echoDir, cache, nil)
	rt.waitReady(time.Minute)
	raw := spawnRaw(rawBin)
	raw.waitFirst(time.Minute)
	defer rt.kill()
	defer raw.kill()
	for _, sv := range []*server{rt, raw} {
		load(sv.addr, 32, time.Second) // warm-up
	}
	all := map[string][]loadResult{}
	pairRatios := map[string][]float64{}
	cpuRatios := map[string][]float64{}
	for _, c := range []int{1, 32} {
		for r := 0; r < *rounds; r++ {
			// Alternate which server goes first, and pair adjacent runs: the
			// background load of the moment hits both alike.
			order := []*server{rt, raw}
			if r%2 == 1 {
				order = []*server{raw, rt}
			}
			got := map[string]loadResult{}
			for _, sv := range order {
				before := cpuTicks(sv.cmd.Process.Pid)
				lr := load(sv.addr, c, *duration)
				if n := lr.RPS * duration.Seconds(); n > 0 {
					lr.CPUus = round(float64(cpuTicks(sv.cmd.Process.Pid)-before)*1e6/clockTicks/n, 1)
				}
				key := fmt.Sprintf("%s@%d", sv.name, c)
				all[key] = append(all[key], lr)
				got[sv.name] = lr
				fmt.Fprintf(os.Stderr, "%s round %d: %.0f req/s p50 %.3f ms p99 %.3f ms, server CPU %.1f µs/req, errors %d\n", key, r+1, lr.RPS, lr.P50, lr.P99, lr.CPUus, lr.Errors)
			}
			pairRatios[fmt.Sprintf("c%d", c)] = append(pairRatios[fmt.Sprintf("c%d", c)], got["runtime"].RPS/got["raw"].RPS)
			if got["runtime"].CPUus > 0 {
				cpuRatios[fmt.Sprintf("c%d", c)] = append(cpuRatios[fmt.Sprintf("c%d", c)], got["raw"].CPUus/got["runtime"].CPUus)
			}
		}
	}
	res.Load = map[string]loadResult{}
	for k, v := range all {
		res.Load[k] = medianLoad(v)
	}
	res.Ratio = map[string]float64{}
	for k, v := range pairRatios {
		res.Ratio[k] = round(median(v), 2)
	}
	res.CPURatio = map[string]float64{}
	for k, v := range cpuRatios {
		res.CPURatio[k] = round(median(v), 2)
	}
	res.IdleRSSAfterLoadMB = map[string]float64{"runtime": rss(rt.cmd.Process.Pid), "raw": rss(raw.cmd.Process.Pid)}

	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(out))
	if *jsonOut != "" {
		check(os.WriteFile(*jsonOut, out, 0o644))
	}
	fmt.Println(res.markdown())
}

// ---- servers

type server struct {
	name      string
	cmd       *exec.Cmd
	addr      string
	spawnedAt time.Time
	done      chan struct{}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func spawn(name string, argv []string, env []string) *server {
	port := freePort()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(cleanEnv(), append([]string{"PORT=" + strconv.Itoa(port), "HOST=127.0.0.1"}, env...)...)
	logf, err := os.OpenFile(filepath.Join(work, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	check(err)
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf // as a container runtime's log driver takes it
	s := &server{name: name, cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port), done: make(chan struct{})}
	s.spawnedAt = time.Now()
	check(cmd.Start())
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s
}

// cleanEnv is the environment without GOCACHE/GOMODCACHE overrides, so the
// runtime keeps its caches in FUNCTION_BUILD_CACHE.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOCACHE=") || strings.HasPrefix(kv, "GOMODCACHE=") || strings.HasPrefix(kv, "FUNCTION_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func spawnRuntime(argv []string, fnDir, cache string, extra []string) *server {
	return spawn("runtime", argv, append([]string{"FUNCTION_DIR=" + fnDir, "FUNCTION_BUILD_CACHE=" + cache,
		"FUNCTION_NAME=echo", "FUNCTION_NAMESPACE=bench"}, extra...))
}

func spawnRaw(bin string) *server { return spawn("raw", []string{bin}, nil) }

func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

var probe = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}

func (s *server) poll(timeout time.Duration, ok func() bool) time.Time {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok() {
			return time.Now()
		}
		select {
		case <-s.done:
			fail("%s exited before it was ready (see its log in %s)", s.name, work)
		case <-time.After(2 * time.Millisecond):
		}
	}
	fail("%s was not ready within %s", s.name, timeout)
	return time.Time{}
}

func (s *server) waitReady(timeout time.Duration) time.Time {
	return s.poll(timeout, func() bool {
		r, err := probe.Get("http://" + s.addr + "/ready")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == 200
	})
}

func (s *server) post() bool {
	r, err := probe.Post("http://"+s.addr+"/", "application/json", strings.NewReader(body))
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	return r.StatusCode == 200 && jsonEqual(b, []byte(body))
}

func (s *server) waitFirst(timeout time.Duration) time.Time { return s.poll(timeout, s.post) }

// ---- start-up

type startSample struct{ ReadyMS, FirstMS, RSSMB float64 }

type startup struct {
	N       int     `json:"n"`
	ReadyMS float64 `json:"readyMs"`
	FirstMS float64 `json:"firstResponseMs"`
	MaxMS   float64 `json:"maxReadyMs"`
	RSSMB   float64 `json:"idleRssMb"`
	samples []startSample
}

func measureStart(spawnFn func() *server, hasReady bool) startSample {
	s := spawnFn()
	defer s.kill()
	var ready time.Time
	if hasReady {
		ready = s.waitReady(15 * time.Minute)
	} else {
		ready = s.waitFirst(time.Minute)
	}
	if !s.post() {
		fail("%s: the first invocation failed", s.name)
	}
	first := time.Now()
	time.Sleep(time.Second)
	return startSample{ReadyMS: ms(ready.Sub(s.spawnedAt)), FirstMS: ms(first.Sub(s.spawnedAt)), RSSMB: rss(s.cmd.Process.Pid)}
}

func add(m map[string]startup, key string, s startSample) {
	st := m[key]
	st.samples = append(st.samples, s)
	m[key] = st
	fmt.Fprintf(os.Stderr, "start %s: ready %.1f ms, first response %.1f ms, RSS %.1f MB\n", key, s.ReadyMS, s.FirstMS, s.RSSMB)
}

// uniqueFunction copies the echo function with a distinct comment, so its
// cache key is new.
func uniqueFunction(i int) string {
	src, err := os.ReadFile(filepath.Join(echoDir, "handler.go"))
	check(err)
	dir := filepath.Join(work, fmt.Sprintf("fn-%d", i))
	check(os.MkdirAll(dir, 0o755))
	src = append(src, []byte(fmt.Sprintf("\n// bench %d %d\n", i, time.Now().UnixNano()))...)
	check(os.WriteFile(filepath.Join(dir, "handler.go"), src, 0o644))
	return dir
}

// ---- load

type loadResult struct {
	RPS    float64 `json:"rps"`
	P50    float64 `json:"p50Ms"`
	P99    float64 `json:"p99Ms"`
	CPUus  float64 `json:"serverCpuUsPerRequest"`
	Errors int     `json:"errors"`
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times.
const clockTicks = 100

// cpuTicks is the process's user + system CPU time, all threads.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// fields after the command name, which is in parentheses
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func load(addr string, conns int, d time.Duration) loadResult {
	req := []byte(fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body))
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1<<16)
			bad := 0
			var conn net.Conn
			var br *bufio.Reader
			for ctx.Err() == nil {
				if conn == nil {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						bad++
						time.Sleep(10 * time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReader(c)
				}
				t0 := time.Now()
				_, err := conn.Write(req)
				var res *http.Response
				if err == nil {
					res, err = http.ReadResponse(br, nil)
				}
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					bad++
					conn.Close()
					conn = nil
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			if conn != nil {
				conn.Close()
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))])
	}
	return loadResult{RPS: float64(len(lat)) / elapsed.Seconds(), P50: round(pct(0.50), 3), P99: round(pct(0.99), 3), Errors: errs}
}

func medianLoad(v []loadResult) loadResult {
	med := func(f func(loadResult) float64) float64 {
		xs := make([]float64, len(v))
		for i, x := range v {
			xs[i] = f(x)
		}
		return median(xs)
	}
	errs := 0
	for _, x := range v {
		errs += x.Errors
	}
	return loadResult{RPS: round(med(func(x loadResult) float64 { return x.RPS }), 0),
		P50: med(func(x loadResult) float64 { return x.P50 }), P99: med(func(x loadResult) float64 { return x.P99 }),
		CPUus: med(func(x loadResult) float64 { return x.CPUus }), Errors: errs}
}

// ---- results

type results struct {
	Date               string                `json:"date"`
	Go                 string                `json:"go"`
	Machine            string                `json:"machine"`
	Settings           map[string]any        `json:"settings"`
	Startup            map[string]startup    `json:"startup"`
	Load               map[string]loadResult `json:"load"`
	Ratio              map[string]float64    `json:"throughputRatio"`    // median over rounds of runtime/raw in adjacent runs
	CPURatio           map[string]float64    `json:"cpuEfficiencyRatio"` // median over rounds of raw/runtime server CPU per request
	IdleRSSAfterLoadMB map[string]float64    `json:"idleRssAfterLoadMb"`
}

func (r *results) summarizeStartup() {
	for k, st := range r.Startup {
		if len(st.samples) == 0 {
			continue
		}
		var ready, first, mem []float64
		for _, s := range st.samples {
			ready, first, mem = append(ready, s.ReadyMS), append(first, s.FirstMS), append(mem, s.RSSMB)
		}
		st.N, st.ReadyMS, st.FirstMS, st.RSSMB = len(ready), round(median(ready), 1), round(median(first), 1), round(median(mem), 1)
		st.MaxMS = round(slices.Max(ready), 1)
		r.Startup[k] = st
	}
}

func (r *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| load | runtime req/s | raw req/s | throughput ratio | runtime p50 / p99 ms | raw p50 / p99 ms | server CPU µs/req runtime / raw | CPU ratio |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range []int{1, 32} {
		k := fmt.Sprintf("c%d", c)
		rt, raw := r.Load[fmt.Sprintf("runtime@%d", c)], r.Load[fmt.Sprintf("raw@%d", c)]
		fmt.Fprintf(&b, "| concurrency %d | %.0f | %.0f | %.2f× | %.3f / %.3f | %.3f / %.3f | %.1f / %.1f | %.2f× |\n", c, rt.RPS, raw.RPS, r.Ratio[k],
			rt.P50, rt.P99, raw.P50, raw.P99, rt.CPUus, raw.CPUus, r.CPURatio[k])
	}
	fmt.Fprintf(&b, "\n| start-up | n | spawn → ready (median, max) ms | spawn → first response ms | idle RSS MB |\n|---|---|---|---|---|\n")
	for _, k := range []string{"warm (launcher)", "warm (start.sh)", "cold-fn", "cold-all", "raw"} {
		if st, ok := r.Startup[k]; ok {
			fmt.Fprintf(&b, "| %s | %d | %.1f, %.1f | %.1f | %.1f |\n", k, st.N, st.ReadyMS, st.MaxMS, st.FirstMS, st.RSSMB)
		}
	}
	fmt.Fprintf(&b, "\nidle RSS after load: runtime %.1f MB, raw %.1f MB\n", r.IdleRSSAfterLoadMB["runtime"], r.IdleRSSAfterLoadMB["raw"])
	return b.String()
}

// ---- helpers

func rss(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+)`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return round(float64(kb)/1024, 1)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	if m := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	if m := regexp.MustCompile(`MemTotal:\s+(\d+)`).FindSubmatch(b); m != nil {
		kb, _ := strconv.Atoi(string(m[1]))
		return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
	}
	return "?"
}

func goVersion() string { return strings.TrimSpace(output(root, "go", "env", "GOVERSION")) }

func run(dir string, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
	check(cmd.Run())
}

func output(dir string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	b, err := cmd.Output()
	check(err)
	return string(b)
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
