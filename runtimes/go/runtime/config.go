package runtime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults of the shared runtime contract (docs/runtime-contract.md).
const (
	DefaultHandler        = "handler.Handle"
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
	Handler      string        // FUNCTION_HANDLER, "file.Name"
	Name         string        // FUNCTION_NAME
	Namespace    string        // FUNCTION_NAMESPACE
	Timeout      time.Duration // FUNCTION_TIMEOUT_SECONDS
	MaxBodyBytes int64         // FUNCTION_MAX_BODY_BYTES
	Host         string        // HOST
	Port         int           // PORT
}

// ConfigFromEnv reads the contract's environment variables, applying defaults.
// An unparsable number is an error: a misconfigured pod should say so, not guess.
func ConfigFromEnv() (Config, error) {
	c := Config{
		FunctionDir:  os.Getenv("FUNCTION_DIR"),
		Handler:      envOr("FUNCTION_HANDLER", DefaultHandler),
		Name:         os.Getenv("FUNCTION_NAME"),
		Namespace:    os.Getenv("FUNCTION_NAMESPACE"),
		Timeout:      DefaultTimeout,
		MaxBodyBytes: DefaultMaxBodyBytes,
		Host:         envOr("HOST", DefaultHost),
		Port:         DefaultPort,
	}
	if v := strings.TrimSpace(os.Getenv("FUNCTION_TIMEOUT_SECONDS")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return c, fmt.Errorf("FUNCTION_TIMEOUT_SECONDS=%q: want a positive number of seconds", v)
		}
		c.Timeout = time.Duration(f * float64(time.Second))
	}
	if v := strings.TrimSpace(os.Getenv("FUNCTION_MAX_BODY_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, fmt.Errorf("FUNCTION_MAX_BODY_BYTES=%q: want a non-negative integer", v)
		}
		c.MaxBodyBytes = n
	}
	if v := strings.TrimSpace(os.Getenv("PORT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			return c, fmt.Errorf("PORT=%q: want a port number", v)
		}
		c.Port = n
	}
	return c, nil
}

// HandlerParts splits "file.Name" into the file's base name and the
// identifier; "handler.Handle" means handler.go and its Handle.
func (c Config) HandlerParts() (file, name string, err error) {
	h := c.Handler
	if h == "" {
		h = DefaultHandler
	}
	i := strings.LastIndex(h, ".")
	if i <= 0 || i == len(h)-1 {
		return "", "", fmt.Errorf("FUNCTION_HANDLER=%q: want <file>.<Name>, e.g. %s", h, DefaultHandler)
	}
	file, name = h[:i], h[i+1:]
	file = strings.TrimSuffix(file, ".go")
	if strings.ContainsAny(file, `/\`) {
		return "", "", fmt.Errorf("FUNCTION_HANDLER=%q: the file must be in FUNCTION_DIR itself", h)
	}
	return file + ".go", name, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
