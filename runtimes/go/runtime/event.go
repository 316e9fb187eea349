package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Event is one invocation's request, the same shape in every runtime.
//
// Body is decoded by content type:
//   - application/json or any +json type: the parsed JSON value
//     (map[string]any, []any, string, float64, bool or nil, as encoding/json
//     decodes into any);
//   - text/*, application/x-www-form-urlencoded, or no content type: string;
//   - anything else: []byte;
//   - an empty body: nil, whatever the content type.
//
// Headers has lower-cased names; repeated headers are joined with ", ".
// Query holds the first value of each query parameter.
type Event struct {
	Body    any               `json:"body"`
	Headers map[string]string `json:"headers"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query"`

	// RawBody is the request body exactly as received (nil when empty).
	RawBody []byte `json:"-"`
}

// Decode unmarshals the raw request body as JSON into v, for handlers that
// prefer their own struct types over map[string]any.
func (e Event) Decode(v any) error {
	if len(e.RawBody) == 0 {
		return errors.New("empty request body")
	}
	return json.Unmarshal(e.RawBody, v)
}

// Response lets a handler choose the status code and headers. Body follows the
// same rules as a plain return value (string → text/plain, []byte →
// application/octet-stream, nil → no body, anything else → JSON) unless
// Headers sets content-type, in which case a string or []byte body is sent
// as is and any other body is JSON-encoded.
type Response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       any               `json:"body,omitempty"`
}

// badRequestError is a malformed body: 400 BadRequest.
type badRequestError struct{ msg string }

func (e *badRequestError) Error() string { return e.msg }

// bodyKind classifies a Content-Type header value.
type bodyKind int

const (
	bodyText bodyKind = iota
	bodyJSON
	bodyBinary
)

func classify(contentType string) bodyKind {
	if strings.TrimSpace(contentType) == "" {
		return bodyText
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Unparsable: fall back on the part before any parameters.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return bodyJSON
	case strings.HasPrefix(mt, "text/") || mt == "application/x-www-form-urlencoded":
		return bodyText
	default:
		return bodyBinary
	}
}

// decodeBody turns the raw bytes into Event.Body.
func decodeBody(raw []byte, contentType string) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	switch classify(contentType) {
	case bodyJSON:
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, &badRequestError{"request body is not valid JSON: " + jsonErrText(err, raw)}
		}
		return v, nil
	case bodyText:
		return string(raw), nil
	default:
		return raw, nil
	}
}

// jsonErrText gives the decoder's message with the offset, which
// encoding/json's syntax errors otherwise hide.
func jsonErrText(err error, raw []byte) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("unexpected end of JSON input after %d bytes", len(raw))
	case errors.Is(err, io.EOF):
		return "no JSON value (the body is only whitespace)"
	}
	return err.Error()
}

// newEvent builds the Event for a request whose body has been read.
func newEvent(r *http.Request, raw []byte) (Event, error) {
	headers := make(map[string]string, len(r.Header)+1)
	for k, vs := range r.Header {
		lk, ok := lowerHeaderNames[k]
		if !ok {
			lk = strings.ToLower(k)
		}
		if len(vs) == 1 {
			headers[lk] = vs[0]
		} else {
			headers[lk] = strings.Join(vs, ", ")
		}
	}
	// net/http moves these out of Header; the other runtimes see them.
	if r.Host != "" {
		headers["host"] = r.Host
	}
	if len(r.TransferEncoding) > 0 {
		headers["transfer-encoding"] = strings.Join(r.TransferEncoding, ", ")
	}
	query := map[string]string{}
	if r.URL.RawQuery != "" {
		for k, vs := range r.URL.Query() {
			if len(vs) > 0 {
				query[k] = vs[0]
			}
		}
	}
	if len(raw) == 0 {
		raw = nil
	}
	body, err := decodeBody(raw, r.Header.Get("Content-Type"))
	if err != nil {
		return Event{}, err
	}
	return Event{
		Body:    body,
		Headers: headers,
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   query,
		RawBody: raw,
	}, nil
}

// lowerHeaderNames maps common canonical header names to their lower-case
// form without allocating per request.
var lowerHeaderNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
		"Content-Encoding", "Content-Length", "Content-Type", "Cookie", "Forwarded", "Host", "Origin",
		"Referer", "Traceparent", "Tracestate", "User-Agent", "X-Forwarded-For", "X-Forwarded-Host",
		"X-Forwarded-Proto", "X-Invocation-Id", "X-Real-Ip", "X-Request-Id",
	} {
		m[n] = strings.ToLower(n)
	}
	return m
}()
