// with-deps: a function with its own go.mod. The runtime resolves its
// requirements through the module proxy (GOPROXY) at the first build and
// keeps them in the build cache; go.sum pins them.
package function

import (
	"context"

	"github.com/google/uuid"
	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(_ context.Context, _ runtime.Event) (any, error) {
	return map[string]string{"id": uuid.NewString()}, nil
}
