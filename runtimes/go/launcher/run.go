package launcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

const listenFDEnv = "KUBE_SERVERLESS_LISTEN_FD"

// Run starts the function described by the environment and returns the
// exit code; on success it never returns, having exec'd the function.
//
// Warm cache: exec the cached binary at once. Cold cache: serve /health
// (200) and /ready (503 "building") while compiling, then hand the
// listening socket to the compiled binary and exec it. Problems with the
// source, compile errors included, leave a server that is healthy but
// not ready, with the reason in /ready and the log.
func Run() int {
	cfg := runtime.ConfigFromEnv()
	plan, err := Prepare(cfg)
	if err != nil {
		return runtime.ServeNotReady(err.Error())
	}
	cache := Cache{Dir: DefaultCacheDir()}
	if bin, ok := cache.Lookup(plan); ok {
		return execFunction(bin, nil)
	}
	return buildAndRun(cfg, plan, cache)
}

var errHandover = errors.New("the function is built; handing the socket over to it")

func buildAndRun(cfg runtime.Config, plan *Plan, cache Cache) int {
	s := runtime.NewServer(cfg, runtime.Options{CloseConnections: true})
	log := s.Logger()
	ln, err := runtime.Listen(cfg)
	if err != nil {
		log.Error("cannot listen", "error", err.Error())
		return 1
	}
	s.SetPending("building the function (cold build cache)")
	sigCtx, stopSignals := runtime.NotifyShutdown(context.Background())
	defer stopSignals()
	serveCtx, stopServing := context.WithCancelCause(sigCtx)
	defer stopServing(nil)
	served := make(chan error, 1)
	go func() { served <- s.Serve(serveCtx, ln) }()

	start := time.Now()
	log.Info("building function", "key", plan.Key, "cacheDir", cache.Dir)
	bin, err := cache.Build(sigCtx, plan, BuildOptions{Log: os.Stderr})
	if sigCtx.Err() != nil { // SIGTERM while building
		<-served
		return 0
	}
	if err != nil {
		var ce *CompileError
		if errors.As(err, &ce) {
			s.SetNotReady(ce.Error())
		} else {
			s.SetNotReady("build failed: " + err.Error())
		}
		if err := <-served; err != nil {
			return 1
		}
		return 0
	}
	log.Info("built function", "key", plan.Key, "buildMs", time.Since(start).Milliseconds())

	f, err := listenerFile(ln)
	if err != nil {
		log.Error("cannot hand the socket over; restarting the function on a new one", "error", err.Error())
	}
	stopServing(errHandover)
	if err := <-served; err != nil {
		return 1
	}
	if sigCtx.Err() != nil {
		return 0 // terminated during the handover
	}
	s.FlushLogs()
	var extra []string
	if f != nil {
		extra = []string{fmt.Sprintf("%s=%d", listenFDEnv, f.Fd())}
	}
	return execFunction(bin, extra)
}

// listenerFile duplicates the listening socket as a file that survives exec.
func listenerFile(ln net.Listener) (*os.File, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("listener is a %T", ln)
	}
	f, err := tl.File()
	if err != nil {
		return nil, err
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETFD, 0); errno != 0 {
		f.Close()
		return nil, errno
	}
	return f, nil
}

// execFunction replaces this process with the compiled function, so that
// signals reach it directly and it keeps the pid.
func execFunction(bin string, extraEnv []string) int {
	env := append(os.Environ(), extraEnv...)
	err := syscall.Exec(bin, []string{bin}, env)
	slog.Error("cannot exec the compiled function", "binary", bin, "error", err.Error())
	return 1
}
