package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

func runHealthcheck(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cfgPath := fs.String("config", "", "configuration file (default bothy.yaml if present)")
	target := fs.String("url", "", "readiness URL (default: /readyz on http.listen)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Container runtimes read exit 0 as healthy and 1 as unhealthy, so
	// every failure below, even a configuration one, is exit 1.
	unhealthy := func(format string, a ...any) error {
		return &exitError{code: 1, msg: fmt.Sprintf(format, a...)}
	}
	u := *target
	if u == "" {
		cfg, err := loadConfig(env, &commonFlags{config: *cfgPath})
		if err != nil {
			return unhealthy("%v", err)
		}
		if cfg.HTTP.Listen == "" {
			return unhealthy("no URL: set http.listen (BOTHY_HTTP_LISTEN) or pass --url")
		}
		u, err = readyzURL(cfg.HTTP.Listen)
		if err != nil {
			return unhealthy("%v", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return unhealthy("bad URL %q: %v", u, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return unhealthy("not ready: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return unhealthy("not ready (%s): %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(env.Stdout, "ready: %s\n", strings.TrimSpace(string(body)))
	return nil
}

// readyzURL turns a listen address into the URL to probe: a wildcard host
// (0.0.0.0, ::, empty) is reached on loopback.
func readyzURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("http.listen %q: %v", listen, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
