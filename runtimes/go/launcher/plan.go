// Package launcher turns a function's source directory into a running
// process: it compiles the function against the runtime library into a
// binary cached by content, and execs that binary.
package launcher

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"

	runtimego "github.com/kube-serverless/kube-serverless/runtimes/go"
	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

// MaxSourceBytes bounds what the launcher reads from FUNCTION_DIR.
const MaxSourceBytes = 64 << 20

// Plan is a function's source, validated and keyed.
type Plan struct {
	Dir         string            // FUNCTION_DIR
	HandlerFile string            // e.g. handler.go or api/handler.go (slash-separated)
	HandlerName string            // e.g. Handle
	PackageDir  string            // the handler file's directory, "." for the top level
	Files       map[string][]byte // the regular files under Dir, by slash-separated path
	Package     string            // the function's Go package name ("" if unparsable)
	HasGoMod    bool
	Key         string // build-cache key: runtime, toolchain, environment, sources

	size int64
}

// NotLoadedError is a problem with the function's source that the user
// must fix; its message is the /ready reason.
type NotLoadedError struct{ Reason string }

func (e *NotLoadedError) Error() string { return e.Reason }

func notLoaded(format string, args ...any) error {
	return &NotLoadedError{fmt.Sprintf(format, args...)}
}

// buildEnvKeys are the environment variables that change what a build
// produces; their values are part of the cache key.
var buildEnvKeys = []string{"CGO_ENABLED", "GOFLAGS", "GOAMD64", "GOARM64", "GOEXPERIMENT", "GOOS", "GOARCH", "GOPROXY", "GONOSUMDB", "GOPRIVATE"}

// Prepare reads and checks the function's directory and computes its key.
// Problems the user must fix come back as *NotLoadedError.
func Prepare(cfg runtime.Config) (*Plan, error) {
	if cfg.FunctionDir == "" {
		return nil, notLoaded("FUNCTION_DIR is not set: it must name the directory holding the function's source")
	}
	file, name, err := cfg.HandlerParts()
	if err != nil {
		return nil, notLoaded("%v", err)
	}
	p := &Plan{Dir: cfg.FunctionDir, HandlerFile: file, HandlerName: name, PackageDir: path.Dir(file), Files: map[string][]byte{}}
	if fi, err := os.Stat(cfg.FunctionDir); err != nil || !fi.IsDir() {
		return nil, notLoaded("FUNCTION_DIR %s is not a readable directory", cfg.FunctionDir)
	}
	if err := p.readTree(cfg.FunctionDir, "", 0); err != nil {
		return nil, err
	}
	if _, ok := p.Files[file]; !ok {
		return nil, notLoaded("handler file %s not found in %s (FUNCTION_HANDLER=%s)", file, cfg.FunctionDir, cfg.Handler)
	}
	p.HasGoMod = p.HasGoModFile()
	if err := p.check(); err != nil {
		return nil, err
	}
	p.Key = p.key()
	return p, nil
}

// HasGoModFile reports a go.mod at the top of the function's directory.
func (p *Plan) HasGoModFile() bool { _, ok := p.Files["go.mod"]; return ok }

// readTree reads the regular files under dir (following symlinks to files,
// as ConfigMap volumes use them), skipping hidden and "_" names, testdata
// and tests, within MaxSourceBytes.
func (p *Plan) readTree(dir, rel string, depth int) error {
	if depth > 8 {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return notLoaded("cannot read %s: %v", dir, errors.Unwrap(err))
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "testdata" || strings.HasSuffix(n, "_test.go") {
			continue // ConfigMap internals (..data), hidden files, what go build ignores
		}
		full, relName := filepath.Join(dir, n), path.Join(rel, n)
		fi, err := os.Stat(full)
		if err != nil {
			continue
		}
		if fi.IsDir() {
			if e.Type()&fs.ModeSymlink != 0 {
				continue
			}
			if err := p.readTree(full, relName, depth+1); err != nil {
				return err
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		p.size += fi.Size()
		if p.size > MaxSourceBytes {
			return notLoaded("the function's directory holds more than %d bytes", MaxSourceBytes)
		}
		b, err := os.ReadFile(full)
		if err != nil {
			return notLoaded("cannot read %s: %v", relName, errors.Unwrap(err))
		}
		p.Files[relName] = b
	}
	return nil
}

// check parses the Go files to give clear reasons for a wrong package or
// a missing handler name. Syntax errors are left to the compiler, whose
// messages users know.
func (p *Plan) check() error {
	fset := token.NewFileSet()
	pkgs := map[string][]string{}
	found := false
	for n, b := range p.Files {
		if !strings.HasSuffix(n, ".go") || path.Dir(n) != p.PackageDir {
			continue
		}
		f, err := parser.ParseFile(fset, n, b, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return nil // the compiler will report it
		}
		if isIgnored(f) {
			continue
		}
		pkgs[f.Name.Name] = append(pkgs[f.Name.Name], n)
		if declares(f, p.HandlerName) {
			found = true
		}
	}
	if len(pkgs) > 1 {
		var parts []string
		for pkg, names := range pkgs {
			sort.Strings(names)
			parts = append(parts, fmt.Sprintf("package %s in %s", pkg, strings.Join(names, ", ")))
		}
		sort.Strings(parts)
		return notLoaded("the function's .go files must all be in one package; found %s", strings.Join(parts, "; "))
	}
	for pkg := range pkgs {
		p.Package = pkg
	}
	if p.Package == "main" {
		return notLoaded("%s is in package main; a function is a library package (e.g. `package function`) whose %s the runtime calls", p.HandlerFile, p.HandlerName)
	}
	if !found {
		return notLoaded("handler %s not found: package %s (%s) has no top-level func or var named %s",
			p.HandlerName, p.Package, p.PackageDir, p.HandlerName)
	}
	return nil
}

// isIgnored reports a file excluded by a //go:build ignore constraint.
func isIgnored(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}

func declares(f *ast.File, name string) bool {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				return true
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, s := range d.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

func (p *Plan) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "kube-serverless go runtime %s\x00%s\x00%s\x00%s/%s\x00", runtime.Version, runtimego.Hash(),
		goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
	for _, k := range buildEnvKeys {
		fmt.Fprintf(h, "%s=%s\x00", k, os.Getenv(k))
	}
	fmt.Fprintf(h, "handler=%s.%s\x00", p.HandlerFile, p.HandlerName)
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(p.Files[n]))
		h.Write(p.Files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
