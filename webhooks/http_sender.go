package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds one delivery attempt; a slower endpoint counts as failed and is
// retried later.
const DefaultTimeout = 10 * time.Second

// maxAnswerBytes is how much of an endpoint's answer is read (and kept, clipped, in the log).
const maxAnswerBytes = 4 << 10

// HTTPSender posts deliveries over HTTP. It follows no redirects (a 3xx is a failure, so a
// signed body never goes where the brand did not point it) and uses no proxy from the
// environment. Unless AllowPrivate, it refuses to connect to loopback, private, link-local
// and other non-public addresses, whatever name resolved to them (no SSRF into the
// service's own network).
type HTTPSender struct {
	client *http.Client
}

// NewHTTPSender builds a sender; timeout ≤ 0 → DefaultTimeout.
func NewHTTPSender(timeout time.Duration, allowPrivate bool) *HTTPSender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr()) {
				return fmt.Errorf("webhooks: refusing to connect to non-public address %s", address)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &HTTPSender{client: &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send posts r and answers the status and the start of the body.
func (h *HTTPSender) Send(ctx context.Context, r Request) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Response{}, fmt.Errorf("bad webhook URL: %w", err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "sharecast-webhooks/1")
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error repeats the URL, which the log shows already
		}
		return Response{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	// Drain a little more so the connection can be reused, but never wait on a huge body.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	if !utf8.Valid(b) {
		b = []byte(fmt.Sprintf("(%d bytes, not UTF-8)", len(b)))
	}
	return Response{StatusCode: resp.StatusCode, Body: string(b)}, nil
}
