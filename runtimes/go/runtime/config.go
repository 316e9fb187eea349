package runtime

import (
	"fmt"
	"go/token"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Defaults of the shared runtime contract (docs/runtime-contract.md).
const (
	DefaultFunctionDir    = "/function"
	DefaultHandler        = "handler.Handle"
	DefaultName           = "function"
	DefaultNamespace      = "default"
	DefaultTimeout        = 30 * time.Second
	DefaultMaxBodyBytes   = 6291456
	DefaultPort           = 8080
	DefaultHost           = "0.0.0.0"
	listenFDEnv           = "KUBE_SERVERLESS_LISTEN_FD"
	defaultShutdownMargin = 5 * time.Second
)

// Config is the function's identity and limits, read from the environment.
type Config struct {
	FunctionDir  string        // FUNCTION_DIR
	Handler      string        // FUNCTION_HANDLER, "module.Name"
	Name         string        // FUNCTION_NAME
	Namespace    string        // FUNCTION_NAMESPACE
	Timeout      time.Duration // FUNCTION_TIMEOUT_SECONDS
	MaxBodyBytes int64         // FUNCTION_MAX_BODY_BYTES
	Host         string        // HOST
	Port         int           // PORT

	// Warnings are the invalid values that fell back to their defaults;
	// the server logs each at level warn.
	Warnings []string
}

// ConfigFromEnv reads the contract's environment variables. Unset values
// take their defaults; invalid ones too, with a warning in Warnings.
func ConfigFromEnv() Config {
	c := Config{
		FunctionDir:  envOr("FUNCTION_DIR", DefaultFunctionDir),
		Handler:      envOr("FUNCTION_HANDLER", DefaultHandler),
		Name:         envOr("FUNCTION_NAME", DefaultName),
		Namespace:    envOr("FUNCTION_NAMESPACE", DefaultNamespace),
		Timeout:      DefaultTimeout,
		MaxBodyBytes: DefaultMaxBodyBytes,
		Host:         envOr("HOST", DefaultHost),
		Port:         DefaultPort,
	}
	if v := strings.TrimSpace(os.Getenv("FUNCTION_TIMEOUT_SECONDS")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1e9 {
			c.warn("FUNCTION_TIMEOUT_SECONDS=%q is not a positive number of seconds; using %s", v, DefaultTimeout)
		} else {
			c.Timeout = time.Duration(f * float64(time.Second))
		}
	}
	if v := strings.TrimSpace(os.Getenv("FUNCTION_MAX_BODY_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			c.warn("FUNCTION_MAX_BODY_BYTES=%q is not a positive integer; using %d", v, DefaultMaxBodyBytes)
		} else {
			c.MaxBodyBytes = n
		}
	}
	if v := strings.TrimSpace(os.Getenv("PORT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			c.warn("PORT=%q is not a port number; using %d", v, DefaultPort)
		} else {
			c.Port = n
		}
	}
	return c
}

func (c *Config) warn(format string, args ...any) {
	c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...))
}

// HandlerParts splits FUNCTION_HANDLER at its last dot: "handler.Handle"
// is file handler.go and identifier Handle; "api/handler.Handle" is
// api/handler.go. The file is slash-separated and relative to FUNCTION_DIR.
func (c Config) HandlerParts() (file, name string, err error) {
	h := c.Handler
	if h == "" {
		h = DefaultHandler
	}
	i := strings.LastIndex(h, ".")
	if i <= 0 || i == len(h)-1 {
		return "", "", fmt.Errorf("FUNCTION_HANDLER=%q: want <file>.<Name>, e.g. %s", h, DefaultHandler)
	}
	file, name = strings.TrimSuffix(h[:i], ".go"), h[i+1:]
	clean := path.Clean(file)
	if path.IsAbs(file) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(file, `\`) {
		return "", "", fmt.Errorf("FUNCTION_HANDLER=%q: the file must be inside FUNCTION_DIR", h)
	}
	if !token.IsIdentifier(name) {
		return "", "", fmt.Errorf("FUNCTION_HANDLER=%q: %q is not a Go identifier", h, name)
	}
	return clean + ".go", name, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
