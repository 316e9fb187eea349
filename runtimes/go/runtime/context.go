package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"
)

// Invocation is the per-call context every runtime hands its handler:
// function identity, the invocation id, the deadline and a logger.
// Get it with FromContext(ctx); the deadline is also ctx's deadline.
type Invocation struct {
	FunctionName string
	Namespace    string
	InvocationID string
	Deadline     time.Time
	// Logger writes JSON lines to stdout carrying invocationId, function
	// and namespace.
	Logger *slog.Logger
}

// Remaining is the time left before the invocation times out.
func (i *Invocation) Remaining() time.Duration {
	if i == nil || i.Deadline.IsZero() {
		return 0
	}
	return time.Until(i.Deadline)
}

type invocationKey struct{}

// FromContext returns the invocation of a handler's context. Outside an
// invocation it returns a usable value with the default logger, never nil.
func FromContext(ctx context.Context) *Invocation {
	if inv, ok := ctx.Value(invocationKey{}).(*Invocation); ok {
		return inv
	}
	inv := &Invocation{Logger: slog.Default()}
	if d, ok := ctx.Deadline(); ok {
		inv.Deadline = d
	}
	return inv
}

// Logger is shorthand for FromContext(ctx).Logger.
func Logger(ctx context.Context) *slog.Logger { return FromContext(ctx).Logger }

// WithInvocation returns ctx carrying inv; useful to unit-test handlers.
func WithInvocation(ctx context.Context, inv *Invocation) context.Context {
	return context.WithValue(ctx, invocationKey{}, inv)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics on failure)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
