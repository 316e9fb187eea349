// Package runtimego carries the source of the Go runtime library, which the
// launcher writes out and compiles each function against.
package runtimego

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// ModulePath is the runtime module's path; functions import
// ModulePath + "/runtime".
const ModulePath = "github.com/kube-serverless/kube-serverless/runtimes/go"

//go:embed go.mod go.sum runtime/*.go
var source embed.FS

// SourceFile is one file of the runtime module that a function build needs.
type SourceFile struct {
	Path string // slash-separated, relative to the module root
	Data []byte
}

var (
	filesOnce sync.Once
	files     []SourceFile
	hash      string
)

// Files returns the runtime library's go.mod, go.sum and non-test sources.
func Files() []SourceFile {
	filesOnce.Do(load)
	return files
}

// Hash identifies the runtime source; it is part of every build-cache key.
func Hash() string {
	filesOnce.Do(load)
	return hash
}

func load() {
	_ = fs.WalkDir(source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := source.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, SourceFile{Path: path.Clean(p), Data: b})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.Path))
		h.Write([]byte{0})
		h.Write(f.Data)
		h.Write([]byte{0})
	}
	hash = hex.EncodeToString(h.Sum(nil))
}
