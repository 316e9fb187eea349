package launcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

// prewarmSource is a trivial function whose build compiles the runtime and
// all its dependencies into GOCACHE and downloads them into GOMODCACHE.
const prewarmSource = `package function

import (
	"context"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(ctx context.Context, e runtime.Event) (any, error) { return "ok", nil }
`

// Prewarm fills the build cache so that a first (cold) function build
// compiles only the function's own package and links.
func Prewarm() error {
	dir, err := os.MkdirTemp("", "kube-serverless-prewarm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "handler.go"), []byte(prewarmSource), 0o644); err != nil {
		return err
	}
	cfg := runtime.Config{FunctionDir: dir, Handler: runtime.DefaultHandler}
	plan, err := Prepare(cfg)
	if err != nil {
		return err
	}
	cache := Cache{Dir: DefaultCacheDir()}
	bin, err := cache.Build(context.Background(), plan, BuildOptions{Log: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "build cache %s is warm (%s)\n", cache.Dir, filepath.Base(bin))
	return os.Remove(bin)
}

// BuildTo compiles the function described by the environment into out,
// for images that ship the compiled function without a toolchain.
func BuildTo(out string) error {
	plan, err := Prepare(runtime.ConfigFromEnv())
	if err != nil {
		return err
	}
	cache := Cache{Dir: DefaultCacheDir()}
	bin, err := cache.Build(context.Background(), plan, BuildOptions{Log: os.Stderr})
	if err != nil {
		return err
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "built %s (%s)\n", out, plan.Key)
	return nil
}
