// error: fails on every call. The runtime answers
// 500 {"error":{"type":"Error","message":...}} and keeps serving;
// ?kind=custom returns an error of its own type, reported as
// "PaymentDeclined", and ?kind=panic panics ("Panic").
package function

import (
	"context"
	"errors"

	"github.com/kube-serverless/kube-serverless/runtimes/go/runtime"
)

// PaymentDeclined is a custom error type; its name is the error's "type".
type PaymentDeclined struct{ Card string }

func (e *PaymentDeclined) Error() string { return "card ending " + e.Card + " was declined" }

func Handle(_ context.Context, e runtime.Event) (any, error) {
	switch e.Query["kind"] {
	case "custom":
		return nil, &PaymentDeclined{Card: "4242"}
	case "panic":
		panic("something went very wrong in the function")
	}
	return nil, errors.New("something went wrong in the function")
}
