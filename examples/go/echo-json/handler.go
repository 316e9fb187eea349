// echo-json: returns the JSON body it was sent (content type
// application/json), and 400 for any other body.
package function

import (
	"context"
	"net/http"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

func Handle(_ context.Context, e runtime.Event) (any, error) {
	switch e.Body.(type) {
	case string, []byte:
		return runtime.Response{
			StatusCode: http.StatusBadRequest,
			Body: map[string]any{"error": map[string]string{
				"type": "BadRequest", "message": "send a JSON body (content-type: application/json)",
			}},
		}, nil
	}
	return e.Body, nil // nil (no body) answers 204
}
