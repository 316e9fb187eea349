package runtime

import (
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// logInvocation writes the per-invocation line of a successful (non-5xx)
// invocation. It is the one line every request logs, so it is encoded by
// hand — the same bytes slog's JSON handler writes for it (see
// TestInvocationLineMatchesSlog), at a fraction of the cost.
func (s *Server) logInvocation(id, method, path string, status int, durationMs float64, cold bool) {
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = time.Now().UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","level":"info","msg":"invocation","invocationId":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"function":`...)
	b = appendJSONString(b, s.cfg.Name)
	b = append(b, `,"namespace":`...)
	b = appendJSONString(b, s.cfg.Namespace)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"durationMs":`...)
	b = strconv.AppendFloat(b, durationMs, 'f', -1, 64)
	b = append(b, `,"coldStart":`...)
	b = strconv.AppendBool(b, cold)
	b = append(b, "}\n"...)
	_, _ = s.logOut.Write(b)
	*bp = b
	lineBufs.Put(bp)
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendJSONString appends s as a JSON string, escaping as slog's JSON
// handler does (control characters, quotes, backslashes, U+2028, U+2029;
// invalid UTF-8 becomes U+FFFD; no HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
