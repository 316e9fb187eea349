// http-handler: the net/http form. Handle is an http.Handler (here a
// ServeMux with method and path patterns) instead of a
// func(ctx, runtime.Event) (any, error); it gets the request with the
// invocation's context (deadline, runtime.FromContext) and writes the
// response itself. The runtime buffers the response, so timeouts, panics,
// x-invocation-id, metrics and logs work as for the event form.
package function

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

var Handle http.Handler = routes()

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		var item struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Name == "" {
			http.Error(w, `send {"name": "..."}`, http.StatusBadRequest)
			return
		}
		runtime.Logger(r.Context()).Info("created", "name", item.Name)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "created %s\n", item.Name)
	})
	return mux
}
