package launcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	runtimego "github.com/kube-serverless/kube-serverless/runtimes/go"
)

// Cache is the persistent build cache directory (FUNCTION_BUILD_CACHE):
//
//	bin/<key>       compiled functions, one per source/runtime/toolchain key
//	src/<hash>/     the runtime module's source, the build's replace target
//	work/           transient build directories
//	go-build/       GOCACHE, unless GOCACHE is set in the environment
//	mod/            GOMODCACHE, unless GOMODCACHE is set
type Cache struct{ Dir string }

// DefaultCacheDir is FUNCTION_BUILD_CACHE, else
// $XDG_CACHE_HOME/kube-serverless/go-runtime, else ~/.cache/..., else a
// directory under the system temp dir.
func DefaultCacheDir() string {
	if d := os.Getenv("FUNCTION_BUILD_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "kube-serverless", "go-runtime")
	}
	return filepath.Join(os.TempDir(), "kube-serverless-go-runtime")
}

// BinPath is where the plan's compiled function lives.
func (c Cache) BinPath(p *Plan) string { return filepath.Join(c.Dir, "bin", p.Key) }

// Lookup returns the cached binary for p, if any, and marks it used.
func (c Cache) Lookup(p *Plan) (string, bool) {
	bin := c.BinPath(p)
	fi, err := os.Stat(bin)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o100 == 0 {
		return "", false
	}
	now := time.Now()
	_ = os.Chtimes(bin, now, now) // for pruning; a read-only cache is fine
	return bin, true
}

// CompileError is a failed build; Output is the compiler's message with
// paths relative to the function's directory.
type CompileError struct{ Output string }

func (e *CompileError) Error() string { return "compile error:\n" + e.Output }

// BuildOptions tune Build.
type BuildOptions struct {
	GoBin   string    // the go command; default from PATH, then GOROOT
	Log     io.Writer // go command progress (module downloads); default discard
	Timeout time.Duration
}

// Build compiles the function of p into the cache and returns the binary.
func (c Cache) Build(ctx context.Context, p *Plan, opts BuildOptions) (string, error) {
	goBin, err := findGo(opts.GoBin)
	if err != nil {
		return "", err
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	for _, d := range []string{"bin", "src", "work"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, d), 0o755); err != nil {
			return "", fmt.Errorf("build cache %s: %w", c.Dir, err)
		}
	}
	rtDir, err := c.runtimeSource()
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(filepath.Join(c.Dir, "work"), p.Key[:12]+"-")
	if err != nil {
		return "", fmt.Errorf("build cache: %w", err)
	}
	defer os.RemoveAll(work)
	if err := p.writeModule(work, rtDir); err != nil {
		return "", err
	}

	out := filepath.Join(work, "function.bin")
	cmd := exec.CommandContext(ctx, goBin, "build", "-mod=mod", "-trimpath", "-ldflags=-s -w", "-o", out, "./"+mainDir)
	cmd.Dir = work
	cmd.Env = c.buildEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if opts.Log != nil {
		cmd.Stdout = opts.Log
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("build stopped: %w", context.Cause(ctx))
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", &CompileError{Output: cleanCompilerOutput(stderr.String(), work)}
		}
		return "", fmt.Errorf("running %s build: %w", goBin, err)
	}
	bin := c.BinPath(p)
	if err := os.Rename(out, bin); err != nil {
		return "", fmt.Errorf("build cache: %w", err)
	}
	c.prune(14 * 24 * time.Hour)
	return bin, nil
}

// runtimeSource writes the runtime module's source into src/<hash> once.
func (c Cache) runtimeSource() (string, error) {
	dir := filepath.Join(c.Dir, "src", runtimego.Hash()[:16])
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(c.Dir, "src"), "tmp-")
	if err != nil {
		return "", err
	}
	for _, f := range runtimego.Files() {
		dst := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.RemoveAll(tmp)
		if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
			return dir, nil // another launcher won the race
		}
		return "", err
	}
	return dir, nil
}

// mainDir is the generated main package, inside the function's module.
const mainDir = "kubeserverless_main"

// exportFile is generated into the function's package so that main can
// reach the handler whether or not its name is exported.
const exportFile = "zz_kubeserverless_export.go"

// writeModule lays out the work module: the function's files at its root
// (its own go.mod, or a generated one with module path "function"), the
// runtime required and replaced by its local copy, and a generated main.
func (p *Plan) writeModule(work, rtDir string) error {
	for n, b := range p.Files {
		if n == "go.mod" || n == "go.sum" {
			continue
		}
		dst := filepath.Join(work, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	rtGoMod, rtGoSum := runtimeFile("go.mod"), runtimeFile("go.sum")
	rtMod, err := modfile.ParseLax("go.mod", rtGoMod, nil)
	if err != nil {
		return fmt.Errorf("runtime go.mod: %w", err)
	}
	var mf *modfile.File
	if p.HasGoMod {
		mf, err = modfile.Parse("go.mod", p.Files["go.mod"], nil)
		if err != nil {
			return &CompileError{Output: err.Error()}
		}
		if mf.Module == nil {
			return &CompileError{Output: "go.mod: no module directive"}
		}
	} else {
		mf = &modfile.File{Syntax: &modfile.FileSyntax{}}
		_ = mf.AddModuleStmt("function")
	}
	goVer := rtMod.Go.Version
	if mf.Go != nil && semver.Compare("v"+mf.Go.Version, "v"+goVer) > 0 {
		goVer = mf.Go.Version
	}
	if err := mf.AddGoStmt(goVer); err != nil {
		return err
	}
	_ = mf.DropRequire(runtimego.ModulePath)
	for _, r := range append([]*modfile.Replace(nil), mf.Replace...) {
		if r.Old.Path == runtimego.ModulePath {
			_ = mf.DropReplace(r.Old.Path, r.Old.Version)
		}
	}
	if err := mf.AddRequire(runtimego.ModulePath, "v0.0.0"); err != nil {
		return err
	}
	if err := mf.AddReplace(runtimego.ModulePath, "", rtDir, ""); err != nil {
		return err
	}
	mf.Cleanup()
	gomod, err := mf.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	gosum := append(append([]byte{}, p.Files["go.sum"]...), '\n')
	gosum = append(gosum, rtGoSum...)
	if err := os.WriteFile(filepath.Join(work, "go.sum"), gosum, 0o644); err != nil {
		return err
	}

	pkg := p.Package
	if pkg == "" {
		pkg = "function" // unparsable sources: the compiler will say why
	}
	export := fmt.Sprintf("// Code generated by kube-serverless; DO NOT EDIT.\n\npackage %s\n\n// KubeServerlessHandler is the handler FUNCTION_HANDLER names.\nvar KubeServerlessHandler any = %s\n", pkg, p.HandlerName)
	if err := os.WriteFile(filepath.Join(work, filepath.FromSlash(p.PackageDir), exportFile), []byte(export), 0o644); err != nil {
		return err
	}
	main := fmt.Sprintf(`// Code generated by kube-serverless; DO NOT EDIT.

package main

import (
	function %q

	"%s/runtime"
)

func main() { runtime.Main(function.KubeServerlessHandler) }
`, path.Join(mf.Module.Mod.Path, p.PackageDir), runtimego.ModulePath)
	if err := os.MkdirAll(filepath.Join(work, mainDir), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, mainDir, "main.go"), []byte(main), 0o644)
}

func runtimeFile(name string) []byte {
	for _, f := range runtimego.Files() {
		if f.Path == name {
			return f.Data
		}
	}
	return nil
}

// buildEnv is the go command's environment: the caller's, with the build
// and module caches in the cache directory unless set explicitly, cgo off
// unless set (no C toolchain in the image), and no toolchain downloads.
func (c Cache) buildEnv() []string {
	env := os.Environ()
	setDefault := func(k, v string) {
		if _, ok := os.LookupEnv(k); !ok {
			env = append(env, k+"="+v)
		}
	}
	setDefault("GOCACHE", filepath.Join(c.Dir, "go-build"))
	setDefault("GOMODCACHE", filepath.Join(c.Dir, "mod"))
	setDefault("CGO_ENABLED", "0")
	if _, ok := os.LookupEnv("HOME"); !ok {
		env = append(env, "HOME="+c.Dir) // the go command wants a home for its config
	}
	env = append(env, "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false"))
	return env
}

// cleanCompilerOutput drops the "# package" headers and the work
// directory from the go command's messages.
func cleanCompilerOutput(s, work string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		l = strings.ReplaceAll(l, work+string(filepath.Separator), "")
		l = strings.ReplaceAll(l, work, ".")
		lines = append(lines, l)
	}
	out := strings.Join(lines, "\n")
	if len(out) > 8192 {
		out = out[:8192] + "\n... (truncated)"
	}
	return out
}

func findGo(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := goruntime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("the go command was not found on PATH: the Go runtime compiles functions at start and needs a Go toolchain")
}

// prune removes compiled functions unused for longer than age.
func (c Cache) prune(age time.Duration) {
	entries, err := os.ReadDir(filepath.Join(c.Dir, "bin"))
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-age)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(c.Dir, "bin", e.Name()))
		}
	}
}
