package runtime

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestBodyByContentType(t *testing.T) {
	cases := []struct {
		ct   string
		raw  string
		want any
	}{
		{"application/json", `{"a":1,"b":[true,null,"x"]}`, map[string]any{"a": 1.0, "b": []any{true, nil, "x"}}},
		{"Application/Vnd.Api+JSON; charset=utf-8", `[1,2]`, []any{1.0, 2.0}},
		{"application/json", `"s"`, "s"},
		{"application/json", ` 42 `, 42.0},
		{"application/json", ``, nil},
		{"text/plain; charset=utf-8", "hi ✓", "hi ✓"},
		{"TEXT/CSV", "a,b", "a,b"},
		{"application/x-www-form-urlencoded", "a=1&b=2", "a=1&b=2"},
		{"", "plain", "plain"},
		{"application/octet-stream", "\x00\x01", []byte{0, 1}},
		{"image/png", "\x89PNG", []byte("\x89PNG")},
		{"image/png", "", nil},
	}
	for _, c := range cases {
		got, err := decodeBody([]byte(c.raw), c.ct)
		if c.raw == "" {
			got, err = decodeBody(nil, c.ct)
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q %q: got %#v, %v; want %#v", c.ct, c.raw, got, err, c.want)
		}
	}
}

func TestMalformedJSON(t *testing.T) {
	for _, raw := range []string{`{"a":`, `{"a":1}}`, `{"a":1} x`, `nope`, `   `, `{'a':1}`} {
		_, err := decodeBody([]byte(raw), "application/json")
		if _, ok := err.(*badRequestError); !ok {
			t.Errorf("%q: err = %v, want a bad request", raw, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "request body is not valid JSON") {
			t.Errorf("%q: message %q", raw, err)
		}
	}
}

func TestNewEvent(t *testing.T) {
	r := httptest.NewRequest("PUT", "http://example.test/a%20b/c?x=1&x=2&y=hello+world&flag", str(`{"k":"v"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	ev, err := newEvent(r, []byte(`{"k":"v"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Method != "PUT" || ev.Path != "/a b/c" {
		t.Errorf("method/path = %q %q", ev.Method, ev.Path)
	}
	if !reflect.DeepEqual(ev.Query, map[string]string{"x": "1", "y": "hello world", "flag": ""}) {
		t.Errorf("query = %v", ev.Query)
	}
	if ev.Headers["x-multi"] != "a, b" || ev.Headers["content-type"] != "application/json" || ev.Headers["host"] != "example.test" {
		t.Errorf("headers = %v", ev.Headers)
	}
	if !reflect.DeepEqual(ev.Body, map[string]any{"k": "v"}) {
		t.Errorf("body = %#v", ev.Body)
	}
	var into struct{ K string }
	if err := ev.Decode(&into); err != nil || into.K != "v" {
		t.Errorf("Decode = %v, %+v", err, into)
	}
	if err := (Event{}).Decode(&into); err == nil {
		t.Error("Decode of an empty body should fail")
	}
}
