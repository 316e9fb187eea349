// hello: the smallest function. GET or POST anything, get a greeting back
// as text; ?name=Ada greets Ada.
package function

import (
	"context"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(ctx context.Context, e runtime.Event) (any, error) {
	name := e.Query["name"]
	if name == "" {
		name = "world"
	}
	runtime.Logger(ctx).Info("greeting", "name", name)
	return "Hello, " + name + "!\n", nil
}
