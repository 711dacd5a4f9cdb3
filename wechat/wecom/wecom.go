// Package wecom is the edge to WeCom's group robot webhook (qyapi.weixin.qq.com/cgi-bin/
// webhook/send): markdown and image messages (reference/WECOM-CHANNELS.md §1). A non-zero
// errcode comes back as *Error with WeCom's number, for the caller to decide; the errmsg is
// kept only for logs (WeCom says to branch on errcode, never errmsg).
//
// The webhook key is the robot's only credential and sits in the URL, so it must never reach
// an error message or a log line: transport errors are rebuilt without the URL.
package wecom

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is WeCom's API host.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// WeCom's limits on the content (UTF-8 bytes of the content, raw image bytes).
const (
	MaxMarkdownBytes = 4096
	MaxImageBytes    = 2 << 20
)

const (
	defaultTimeout   = 15 * time.Second // a 2 MB image upload on a slow link
	maxResponseBytes = 64 << 10
)

// Client sends robot messages. Safe for concurrent use.
type Client struct {
	base string
	http *http.Client
}

// New builds a client for baseURL ("" → WeCom; the simulator is …/_sim/qyapi). hc nil → a
// client with a 15 s timeout.
func New(baseURL string, hc *http.Client) *Client {
	base := strings.TrimRight(baseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{base: base, http: hc}
}

// Error is WeCom's refusal.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("wecom: errcode %d: %s", e.Code, e.Message) }

// ErrTooLarge refuses, before sending, what WeCom would refuse anyway.
var ErrTooLarge = errors.New("wecom: message over WeCom's size limit")

// SendMarkdown sends a markdown message (≤ 4096 bytes).
func (c *Client) SendMarkdown(ctx context.Context, key, content string) error {
	if len(content) > MaxMarkdownBytes {
		return fmt.Errorf("%w: markdown is %d bytes", ErrTooLarge, len(content))
	}
	return c.send(ctx, key, map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}})
}

// SendImage sends a PNG or JPEG (≤ 2 MB) as base64 with the md5 of the raw bytes.
func (c *Client) SendImage(ctx context.Context, key string, img []byte) error {
	if len(img) > MaxImageBytes {
		return fmt.Errorf("%w: image is %d bytes", ErrTooLarge, len(img))
	}
	sum := md5.Sum(img)
	return c.send(ctx, key, map[string]any{"msgtype": "image", "image": map[string]string{
		"base64": base64.StdEncoding.EncodeToString(img), "md5": hex.EncodeToString(sum[:])}})
}

func (c *Client) send(ctx context.Context, key string, body any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	u := c.base + "/cgi-bin/webhook/send?key=" + url.QueryEscape(key)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return errors.New("wecom: bad request URL") // never echo the URL: it holds the key
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error prints the URL, and the URL holds the key
		}
		return fmt.Errorf("wecom: send: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("wecom: read answer: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom: HTTP %d", res.StatusCode)
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.ErrCode == nil {
		return errors.New("wecom: answer is not WeCom's JSON")
	}
	if *ans.ErrCode != 0 {
		return &Error{Code: *ans.ErrCode, Message: redact(ans.ErrMsg, key)}
	}
	return nil
}

// redact keeps a key out of an errmsg, should WeCom ever echo it.
func redact(msg, key string) string {
	if key == "" {
		return msg
	}
	return strings.ReplaceAll(msg, key, "***")
}
