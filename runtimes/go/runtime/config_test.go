package runtime

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	for _, k := range []string{"FUNCTION_DIR", "FUNCTION_HANDLER", "FUNCTION_NAME", "FUNCTION_NAMESPACE",
		"FUNCTION_TIMEOUT_SECONDS", "FUNCTION_MAX_BODY_BYTES", "PORT", "HOST"} {
		t.Setenv(k, "")
	}
	c := ConfigFromEnv()
	want := Config{FunctionDir: "/function", Handler: "handler.Handle", Name: "function", Namespace: "default",
		Timeout: 30 * time.Second, MaxBodyBytes: 6291456, Host: "0.0.0.0", Port: 8080}
	if c.FunctionDir != want.FunctionDir || c.Handler != want.Handler || c.Name != want.Name ||
		c.Namespace != want.Namespace || c.Timeout != want.Timeout || c.MaxBodyBytes != want.MaxBodyBytes ||
		c.Host != want.Host || c.Port != want.Port || len(c.Warnings) != 0 {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}
}

func TestConfigValues(t *testing.T) {
	t.Setenv("FUNCTION_TIMEOUT_SECONDS", "0.5")
	t.Setenv("FUNCTION_MAX_BODY_BYTES", "1024")
	t.Setenv("PORT", "9999")
	t.Setenv("HOST", "127.0.0.1")
	c := ConfigFromEnv()
	if c.Timeout != 500*time.Millisecond || c.MaxBodyBytes != 1024 || c.Port != 9999 || c.Host != "127.0.0.1" {
		t.Fatalf("config = %+v", c)
	}
}

func TestConfigInvalidFallsBackWithWarning(t *testing.T) {
	t.Setenv("FUNCTION_TIMEOUT_SECONDS", "-1")
	t.Setenv("FUNCTION_MAX_BODY_BYTES", "lots")
	t.Setenv("PORT", "http")
	c := ConfigFromEnv()
	if c.Timeout != DefaultTimeout || c.MaxBodyBytes != DefaultMaxBodyBytes || c.Port != DefaultPort {
		t.Fatalf("config = %+v", c)
	}
	if len(c.Warnings) != 3 || !strings.Contains(c.Warnings[0], "FUNCTION_TIMEOUT_SECONDS") {
		t.Fatalf("warnings = %q", c.Warnings)
	}
	logs := &syncBuffer{}
	NewServer(c, Options{Log: logs})
	var warns int
	for _, l := range logs.lines(t) {
		if l["level"] == "warn" {
			warns++
		}
	}
	if warns != 3 {
		t.Fatalf("logged %d warn lines, want 3: %v", warns, logs.lines(t))
	}
}

func TestHandlerParts(t *testing.T) {
	cases := []struct{ in, file, name, err string }{
		{"handler.Handle", "handler.go", "Handle", ""},
		{"", "handler.go", "Handle", ""},
		{"main.handle", "main.go", "handle", ""},
		{"api/v1/routes.Serve", "api/v1/routes.go", "Serve", ""},
		{"handler.go.Handle", "handler.go", "Handle", ""},
		{"Handle", "", "", "want <file>.<Name>"},
		{"handler.", "", "", "want <file>.<Name>"},
		{"../x.Handle", "", "", "inside FUNCTION_DIR"},
		{"/etc/x.Handle", "", "", "inside FUNCTION_DIR"},
		{"handler.1x", "", "", "not a Go identifier"},
	}
	for _, c := range cases {
		file, name, err := Config{Handler: c.in}.HandlerParts()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || file != c.file || name != c.name {
			t.Errorf("%q = %q, %q, %v; want %q, %q", c.in, file, name, err, c.file, c.name)
		}
	}
}
