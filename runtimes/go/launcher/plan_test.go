package launcher

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

const helloSrc = `package function

import (
	"context"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(ctx context.Context, e runtime.Event) (any, error) { return "hello", nil }
`

// writeFiles creates a function directory from name → content.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for n, c := range files {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func cfgFor(dir, handler string) runtime.Config {
	if handler == "" {
		handler = runtime.DefaultHandler
	}
	return runtime.Config{FunctionDir: dir, Handler: handler}
}

func TestPrepareNotLoaded(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		handler string
		want    string
	}{
		{"missing file", map[string]string{"other.go": helloSrc}, "", "handler file handler.go not found in"},
		{"missing name", map[string]string{"handler.go": helloSrc}, "handler.Nope", "handler Nope not found: package function (.) has no top-level func or var named Nope"},
		{"a method is not a handler", map[string]string{"handler.go": "package function\ntype T struct{}\nfunc (T) Serve() {}\n"}, "handler.Serve", "handler Serve not found"},
		{"package main", map[string]string{"handler.go": "package main\nfunc Handle() {}\nfunc main() {}\n"}, "", "is in package main"},
		{"two packages", map[string]string{"handler.go": helloSrc, "util.go": "package util\n"}, "", "must all be in one package"},
		{"bad handler setting", map[string]string{"handler.go": helloSrc}, "nodot", "want <file>.<Name>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			_, err := Prepare(cfgFor(dir, c.handler))
			var nl *NotLoadedError
			if !errors.As(err, &nl) || !strings.Contains(nl.Reason, c.want) {
				t.Fatalf("err = %v, want a NotLoadedError with %q", err, c.want)
			}
		})
	}
	_, err := Prepare(cfgFor(filepath.Join(t.TempDir(), "absent"), ""))
	if err == nil || !strings.Contains(err.Error(), "not a readable directory") {
		t.Fatalf("absent dir: %v", err)
	}
}

func TestPrepareAccepts(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		handler string
		pkgDir  string
	}{
		{"unexported name", map[string]string{"handler.go": "package function\nfunc handle() {}\n"}, "handler.handle", "."},
		{"var handler", map[string]string{"main.go": "package fn\nimport \"net/http\"\nvar Serve http.Handler = http.NotFoundHandler()\n"}, "main.Serve", "."},
		{"declared in another file", map[string]string{"handler.go": "package function\n", "impl.go": "package function\nfunc Handle() {}\n"}, "", "."},
		{"sub-directory", map[string]string{"api/routes.go": "package api\nfunc Handle() {}\n", "other/x.go": "package other\n"}, "api/routes.Handle", "api"},
		{"ignored files", map[string]string{"handler.go": helloSrc, "handler_test.go": "package function_test\n", "gen.go": "//go:build ignore\n\npackage main\n", ".hidden.go": "package x\n"}, "", "."},
		{"syntax errors are the compiler's to report", map[string]string{"handler.go": "package function\nfunc Handle( {\n"}, "", "."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Prepare(cfgFor(writeFiles(t, c.files), c.handler))
			if err != nil {
				t.Fatal(err)
			}
			if p.PackageDir != c.pkgDir || len(p.Key) != 32 {
				t.Fatalf("plan = %+v", p)
			}
		})
	}
}

func TestKey(t *testing.T) {
	a := writeFiles(t, map[string]string{"handler.go": helloSrc})
	b := writeFiles(t, map[string]string{"handler.go": helloSrc})
	c := writeFiles(t, map[string]string{"handler.go": helloSrc + "\n// changed\n"})
	d := writeFiles(t, map[string]string{"handler.go": helloSrc, "data.txt": "x"})
	key := func(dir, handler string) string {
		p, err := Prepare(cfgFor(dir, handler))
		if err != nil {
			t.Fatal(err)
		}
		return p.Key
	}
	if key(a, "") != key(b, "") {
		t.Error("the same sources in another directory give another key")
	}
	if key(a, "") == key(c, "") || key(a, "") == key(d, "") {
		t.Error("changed sources keep the key")
	}
	before := key(a, "")
	t.Setenv("CGO_ENABLED", "1")
	if key(a, "") == before {
		t.Error("a different build environment (CGO_ENABLED) keeps the key")
	}
	two := writeFiles(t, map[string]string{"handler.go": helloSrc + "\nfunc Other() {}\n"})
	if key(two, "handler.Other") == key(two, "") {
		t.Error("another handler name keeps the key")
	}
}

// TestConfigMapLayout reads a directory shaped like a mounted ConfigMap:
// files are symlinks into a hidden ..data directory.
func TestConfigMapLayout(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "..2026_01_01_00_00_00.000")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "handler.go"), []byte(helloSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(data), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/handler.go", filepath.Join(dir, "handler.go")); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(cfgFor(dir, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || string(p.Files["handler.go"]) != helloSrc {
		t.Fatalf("files = %v", p.Files)
	}
}
