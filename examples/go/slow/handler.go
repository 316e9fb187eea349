// slow: waits ?ms=<milliseconds> (default 2000) before answering.
//
// Give it more than FUNCTION_TIMEOUT_SECONDS to see the 504 (ctx is
// cancelled then, so the wait stops), or send SIGTERM while it runs to see
// the runtime finish it before exiting.
package function

import (
	"context"
	"strconv"
	"time"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(ctx context.Context, e runtime.Event) (any, error) {
	ms, err := strconv.Atoi(e.Query["ms"])
	if err != nil || ms < 0 {
		ms = 2000
	}
	inv := runtime.FromContext(ctx)
	inv.Logger.Info("sleeping", "ms", ms, "remainingMs", inv.Remaining().Milliseconds())
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return map[string]int{"sleptMs": ms}, nil
	case <-ctx.Done():
		return nil, ctx.Err() // the runtime has already answered 504
	}
}
