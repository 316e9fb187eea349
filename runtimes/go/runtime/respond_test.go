package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
)

type custom struct{ N int }

type ValidationError struct{ Field string }

func (e *ValidationError) Error() string { return "invalid " + e.Field }

type valueError struct{}

func (valueError) Error() string { return "value" }

type typed struct{}

func (typed) Error() string     { return "typed" }
func (typed) ErrorType() string { return "Custom" }

func TestRender(t *testing.T) {
	var nilPtr *custom
	var nilResp *Response
	cases := []struct {
		name   string
		v      any
		status int
		ct     string
		body   string
		header [2]string
	}{
		{"string", "hello", 200, "text/plain; charset=utf-8", "hello", [2]string{}},
		{"bytes", []byte{0, 1}, 200, "application/octet-stream", "\x00\x01", [2]string{}},
		{"nil", nil, 204, "", "", [2]string{}},
		{"typed nil pointer", nilPtr, 204, "", "", [2]string{}},
		{"nil *Response", nilResp, 204, "", "", [2]string{}},
		{"map", map[string]any{"a": 1}, 200, "application/json", `{"a":1}`, [2]string{}},
		{"no HTML escaping", map[string]string{"h": "<b>&"}, 200, "application/json", `{"h":"<b>&"}`, [2]string{}},
		{"struct", custom{N: 2}, 200, "application/json", `{"N":2}`, [2]string{}},
		{"number", 42, 200, "application/json", `42`, [2]string{}},
		{"bool", false, 200, "application/json", `false`, [2]string{}},
		{"raw JSON", json.RawMessage(`{"x":[1]}`), 200, "application/json", `{"x":[1]}`, [2]string{}},
		{"Response JSON", Response{StatusCode: 201, Headers: map[string]string{"x-a": "b"}, Body: map[string]int{"id": 7}},
			201, "application/json", `{"id":7}`, [2]string{"X-A", "b"}},
		{"*Response text", &Response{StatusCode: 202, Body: "ok"}, 202, "text/plain; charset=utf-8", "ok", [2]string{}},
		{"Response zero status", Response{Body: "ok"}, 200, "text/plain; charset=utf-8", "ok", [2]string{}},
		{"Response no body", Response{StatusCode: 404, Headers: map[string]string{"x-a": "b"}}, 404, "", "", [2]string{"X-A", "b"}},
		{"Response own content-type", Response{StatusCode: 202, Headers: map[string]string{"content-type": "text/csv"}, Body: "a,b\n"},
			202, "text/csv", "a,b\n", [2]string{}},
		{"Response own content-type, JSON body", Response{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/problem+json"}, Body: map[string]int{"a": 1}},
			200, "application/problem+json", `{"a":1}`, [2]string{}},
		{"Response bytes", Response{StatusCode: 200, Body: []byte{1, 2, 3}}, 200, "application/octet-stream", "\x01\x02\x03", [2]string{}},
		{"map with statusCode", map[string]any{"statusCode": 418.0, "headers": map[string]any{"x-a": "b"}, "body": []any{1.0}},
			418, "application/json", `[1]`, [2]string{"X-A", "b"}},
		{"map with int statusCode", map[string]any{"statusCode": 200, "body": "s"}, 200, "text/plain; charset=utf-8", "s", [2]string{}},
		{"map with string statusCode is data", map[string]any{"statusCode": "200"}, 200, "application/json", `{"statusCode":"200"}`, [2]string{}},
		{"Response ignores the runtime's headers", Response{StatusCode: 200, Headers: map[string]string{"x-invocation-id": "mine", "content-length": "99"}, Body: "ok"},
			200, "text/plain; charset=utf-8", "ok", [2]string{"X-Invocation-Id", "id-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := render(c.v)
			if err != nil {
				t.Fatal(err)
			}
			r := doReq(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Invocation-Id", "id-1")
				out.write(w)
			}), mustRequest())
			if r.status != c.status || r.header.Get("Content-Type") != c.ct || string(r.body) != c.body {
				t.Errorf("got %d %q %q, want %d %q %q", r.status, r.header.Get("Content-Type"), r.body, c.status, c.ct, c.body)
			}
			if c.header[0] != "" {
				if got := r.header.Values(c.header[0]); len(got) != 1 || got[0] != c.header[1] {
					t.Errorf("header %s = %q, want %q", c.header[0], got, c.header[1])
				}
			}
			if c.status != 204 && r.header.Get("Content-Length") != fmt.Sprint(len(c.body)) {
				t.Errorf("content-length = %q", r.header.Get("Content-Length"))
			}
		})
	}
}

func TestRenderUnserializable(t *testing.T) {
	for name, v := range map[string]any{
		"channel":        make(chan int),
		"func":           func() {},
		"nested channel": map[string]any{"c": make(chan int)},
		"NaN":            math.NaN(),
		"bad status":     Response{StatusCode: 42},
		"status 600":     map[string]any{"statusCode": 600.0},
		"bad headers":    map[string]any{"statusCode": 200.0, "headers": "x"},
		"bad raw JSON":   json.RawMessage(`{`),
	} {
		_, err := render(v)
		var se *serializationError
		if !errors.As(err, &se) || se.Error() == "" {
			t.Errorf("%s: err = %v, want a serialization error", name, err)
		}
	}
	_, err := render(make(chan int))
	if !strings.Contains(err.Error(), "chan int") {
		t.Errorf("message %q does not say what failed", err)
	}
}

func TestErrorType(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{errors.New("x"), "Error"},
		{fmt.Errorf("plain %d", 1), "Error"},
		{&ValidationError{"f"}, "ValidationError"},
		{fmt.Errorf("saving: %w", &ValidationError{"f"}), "ValidationError"},
		{valueError{}, "valueError"},
		{typed{}, "Custom"},
		{fmt.Errorf("wrapped: %w", typed{}), "Custom"},
		{&fs.PathError{Op: "open", Path: "x", Err: os.ErrNotExist}, "PathError"},
		{errors.Join(errors.New("a"), errors.New("b")), "Error"},
	}
	for _, c := range cases {
		if got := ErrorType(c.err); got != c.want {
			t.Errorf("ErrorType(%T) = %q, want %q", c.err, got, c.want)
		}
	}
}

func mustRequest() *http.Request {
	r, _ := http.NewRequest("GET", "http://x/", nil)
	return r
}
