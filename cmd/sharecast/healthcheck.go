package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// cmdHealthcheck is `sharecast healthcheck [--url URL]`: exit 0 when the service answers
// /readyz with 200 (database and Redis reachable), 1 otherwise. Container images without a
// shell or curl (distroless) use it as their health check.
func cmdHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	def := "http://127.0.0.1:8080/readyz"
	if v := getenv("SHARECAST_HEALTHCHECK_URL"); v != "" {
		def = v
	}
	url := fs.String("url", def, "readiness URL (SHARECAST_HEALTHCHECK_URL)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", *url, res.StatusCode)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}
