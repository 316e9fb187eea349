package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Error types in the JSON error body {"error":{"type":...,"message":...}}
// produced by the runtime itself. Errors returned by the handler use the
// error's own type name (see ErrorType).
const (
	TypeError         = "Error"
	TypePanic         = "Panic"
	TypeTimeout       = "Timeout"
	TypeTooLarge      = "PayloadTooLarge"
	TypeBadRequest    = "BadRequest"
	TypeSerialization = "SerializationError"
	TypeNotReady      = "NotReady"
)

const (
	contentTypeJSON  = "application/json"
	contentTypeText  = "text/plain; charset=utf-8"
	contentTypeBytes = "application/octet-stream"
)

// contentTypeValues are the runtime's own content types as header values,
// allocated once.
var contentTypeValues = map[string][]string{
	contentTypeJSON: {contentTypeJSON}, contentTypeText: {contentTypeText}, contentTypeBytes: {contentTypeBytes},
}

// TypedError lets an error choose the "type" reported in the 500 body.
type TypedError interface {
	error
	ErrorType() string
}

// ErrorType names an error for the "type" field of the error body:
//   - an error with an ErrorType() string method: that;
//   - errors from errors.New, fmt.Errorf and errors.Join: "Error", or, when
//     they wrap an error of a named type, that type's name;
//   - any other error: its type's name without package or pointer, so a
//     *function.ValidationError is "ValidationError".
func ErrorType(err error) string {
	for e := err; e != nil; {
		if te, ok := e.(TypedError); ok {
			return te.ErrorType()
		}
		t := reflect.TypeOf(e)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Name() != "" && !isStdWrapper(t) {
			return t.Name()
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return TypeError
}

// isStdWrapper reports the standard library's unexported error types
// (errors.errorString, fmt.wrapError, ...) that carry no useful name.
func isStdWrapper(t reflect.Type) bool {
	pkg := t.PkgPath()
	if pkg == "" || strings.Contains(strings.SplitN(pkg, "/", 2)[0], ".") {
		return false // not the standard library
	}
	r := t.Name()[0]
	return r >= 'a' && r <= 'z'
}

type errorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// writeError writes the contract's JSON error body.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(struct {
		Error errorDetail `json:"error"`
	}{errorDetail{typ, msg}})
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// serializationError is a return value the runtime cannot send.
type serializationError struct{ msg string }

func (e *serializationError) Error() string { return e.msg }

// rendered is a handler's return value as an HTTP response.
type rendered struct {
	status      int
	contentType string
	headers     [][2]string
	body        []byte
}

// render turns a handler's return value into a response.
func render(v any) (rendered, error) {
	switch x := v.(type) {
	case nil:
		return rendered{status: http.StatusNoContent}, nil
	case string:
		return rendered{status: 200, contentType: contentTypeText, body: []byte(x)}, nil
	case []byte:
		return rendered{status: 200, contentType: contentTypeBytes, body: x}, nil
	case json.RawMessage:
		if !json.Valid(x) {
			return rendered{}, &serializationError{"the handler returned a json.RawMessage that is not valid JSON"}
		}
		return rendered{status: 200, contentType: contentTypeJSON, body: x}, nil
	case Response:
		return x.render()
	case *Response:
		if x == nil {
			return rendered{status: http.StatusNoContent}, nil
		}
		return x.render()
	case map[string]any:
		if sc, ok := x["statusCode"]; ok {
			if code, ok := asStatus(sc); ok {
				hs, err := anyHeaders(x["headers"])
				if err != nil {
					return rendered{}, err
				}
				return renderResponse(code, hs, x["body"])
			}
		}
	}
	if isNilValue(v) {
		return rendered{status: http.StatusNoContent}, nil
	}
	b, err := marshalJSON(v)
	if err != nil {
		return rendered{}, err
	}
	return rendered{status: 200, contentType: contentTypeJSON, body: b}, nil
}

// render sends a Response; a zero StatusCode means 200.
func (x Response) render() (rendered, error) {
	code := x.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	return renderResponse(code, headerPairs(x.Headers), x.Body)
}

func renderResponse(code int, headers [][2]string, body any) (rendered, error) {
	if code < 200 || code > 599 {
		return rendered{}, &serializationError{fmt.Sprintf("statusCode %d is not an HTTP status between 200 and 599", code)}
	}
	userType := ""
	for _, h := range headers {
		if strings.EqualFold(h[0], "content-type") {
			userType = h[1]
		}
	}
	r := rendered{status: code, headers: headers}
	if userType != "" {
		switch b := body.(type) {
		case nil:
		case string:
			r.body = []byte(b)
		case []byte:
			r.body = b
		default:
			if isNilValue(body) {
				break
			}
			enc, err := marshalJSON(body)
			if err != nil {
				return rendered{}, err
			}
			r.body = enc
		}
		return r, nil
	}
	if body == nil || isNilValue(body) {
		return r, nil
	}
	inner, err := render(body)
	if err != nil {
		return rendered{}, err
	}
	r.contentType, r.body = inner.contentType, inner.body
	return r, nil
}

// marshalJSON encodes v as JSON without HTML escaping (as JSON.stringify
// and Python's json do), reporting values JSON cannot carry clearly.
func marshalJSON(v any) ([]byte, error) {
	e := encoders.Get().(*pooledEncoder)
	defer encoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		msg := err.Error()
		var ute *json.UnsupportedTypeError
		var uve *json.UnsupportedValueError
		switch {
		case errors.As(err, &ute):
			msg = fmt.Sprintf("cannot serialize the return value (%T) as JSON: %s values are not JSON-serializable", v, ute.Type)
		case errors.As(err, &uve):
			msg = fmt.Sprintf("cannot serialize the return value (%T) as JSON: unsupported value %s", v, uve.Str)
		default:
			msg = fmt.Sprintf("cannot serialize the return value (%T) as JSON: %s", v, msg)
		}
		return nil, &serializationError{msg}
	}
	out := bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	if e.buf.Cap() > 64<<10 {
		e.buf = bytes.Buffer{} // do not keep a large buffer in the pool
		e.enc = newEncoder(&e.buf)
	}
	return append([]byte(nil), out...), nil
}

// pooledEncoder is a JSON encoder without HTML escaping and its buffer,
// reused across invocations (json.Marshal pools its state the same way).
type pooledEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &pooledEncoder{}
	e.enc = newEncoder(&e.buf)
	return e
}}

func newEncoder(w *bytes.Buffer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func isNilValue(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func asStatus(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	case float32:
		if n == float32(int(n)) {
			return int(n), true
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i), true
		}
	}
	return 0, false
}

func headerPairs(m map[string]string) [][2]string {
	if len(m) == 0 {
		return nil
	}
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	return out
}

// anyHeaders reads the headers of a map-shaped response: string values,
// numbers and booleans, or lists of them for repeated headers.
func anyHeaders(v any) ([][2]string, error) {
	switch m := v.(type) {
	case nil:
		return nil, nil
	case map[string]string:
		return headerPairs(m), nil
	case http.Header:
		var out [][2]string
		for k, vs := range m {
			for _, s := range vs {
				out = append(out, [2]string{k, s})
			}
		}
		return out, nil
	case map[string]any:
		var out [][2]string
		for k, hv := range m {
			switch x := hv.(type) {
			case []any:
				for _, e := range x {
					out = append(out, [2]string{k, scalarString(e)})
				}
			case []string:
				for _, e := range x {
					out = append(out, [2]string{k, e})
				}
			default:
				out = append(out, [2]string{k, scalarString(x)})
			}
		}
		return out, nil
	}
	return nil, &serializationError{fmt.Sprintf("the response's headers must be an object of strings, not %T", v)}
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// write sends a rendered response; the caller has set x-invocation-id.
func (r rendered) write(w http.ResponseWriter) {
	h := w.Header()
	if r.contentType != "" {
		if v, ok := contentTypeValues[r.contentType]; ok {
			h["Content-Type"] = v // shared, never modified
		} else {
			h.Set("Content-Type", r.contentType)
		}
	}
	for _, kv := range r.headers {
		if strings.EqualFold(kv[0], "content-length") || strings.EqualFold(kv[0], "x-invocation-id") {
			continue // the runtime's own
		}
		h.Add(kv[0], kv[1])
	}
	noBody := r.status == http.StatusNoContent || r.status == http.StatusNotModified
	if !noBody {
		h.Set("Content-Length", strconv.Itoa(len(r.body)))
	}
	w.WriteHeader(r.status)
	if !noBody && len(r.body) > 0 {
		_, _ = w.Write(r.body)
	}
}
