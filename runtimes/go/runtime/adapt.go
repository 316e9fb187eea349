package runtime

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
)

// HandlerFunc is the primary handler form:
//
//	func Handle(ctx context.Context, e runtime.Event) (any, error)
type HandlerFunc func(ctx context.Context, e Event) (any, error)

// handler is a loaded function in one of the two shapes the server runs.
type handler struct {
	event HandlerFunc  // event form
	http  http.Handler // net/http form
}

var (
	ctxType   = reflect.TypeFor[context.Context]()
	eventType = reflect.TypeFor[Event]()
	errorType = reflect.TypeFor[error]()
)

// Signatures lists the accepted handler shapes, for error messages and docs.
const Signatures = "func(context.Context, runtime.Event) (any, error) — or with any result type T: (T, error), T, error or no result, " +
	"with or without the leading context.Context — or func(http.ResponseWriter, *http.Request), or an http.Handler value"

// adapt accepts a user's handler value.
func adapt(h any) (handler, error) {
	switch f := h.(type) {
	case nil:
		return handler{}, fmt.Errorf("the handler is nil")
	case HandlerFunc:
		if f == nil {
			return handler{}, fmt.Errorf("the handler is a nil function")
		}
		return handler{event: f}, nil
	case func(context.Context, Event) (any, error):
		if f == nil {
			return handler{}, fmt.Errorf("the handler is a nil function")
		}
		return handler{event: f}, nil
	case func(http.ResponseWriter, *http.Request):
		if f == nil {
			return handler{}, fmt.Errorf("the handler is a nil function")
		}
		return handler{http: http.HandlerFunc(f)}, nil
	case http.Handler:
		if isNilValue(f) {
			return handler{}, fmt.Errorf("the handler is a nil http.Handler")
		}
		return handler{http: f}, nil
	}
	return adaptReflect(h)
}

// adaptReflect accepts the other event-form signatures:
// ([ctx,] Event) → (T, error) | T | error | nothing.
func adaptReflect(h any) (handler, error) {
	v := reflect.ValueOf(h)
	t := v.Type()
	bad := fmt.Errorf("the handler has type %s; want %s", t, Signatures)
	if t.Kind() != reflect.Func || t.IsVariadic() {
		return handler{}, bad
	}
	if v.IsNil() {
		return handler{}, fmt.Errorf("the handler is a nil function")
	}
	withCtx := false
	switch {
	case t.NumIn() == 2 && t.In(0) == ctxType && t.In(1) == eventType:
		withCtx = true
	case t.NumIn() == 1 && t.In(0) == eventType:
	default:
		return handler{}, bad
	}
	valueAt, errAt := -1, -1
	switch t.NumOut() {
	case 0:
	case 1:
		if t.Out(0) == errorType {
			errAt = 0
		} else {
			valueAt = 0
		}
	case 2:
		if t.Out(1) != errorType {
			return handler{}, bad
		}
		valueAt, errAt = 0, 1
	default:
		return handler{}, bad
	}
	return handler{event: func(ctx context.Context, e Event) (any, error) {
		var in []reflect.Value
		if withCtx {
			in = []reflect.Value{reflect.ValueOf(&ctx).Elem(), reflect.ValueOf(e)}
		} else {
			in = []reflect.Value{reflect.ValueOf(e)}
		}
		out := v.Call(in)
		var val any
		var err error
		if valueAt >= 0 {
			val = out[valueAt].Interface()
		}
		if errAt >= 0 {
			err, _ = out[errAt].Interface().(error)
		}
		return val, err
	}}, nil
}
