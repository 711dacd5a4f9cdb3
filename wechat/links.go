package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// maxQRBytes bounds a QR image answer; WeChat's codes at the largest width are ~100 KB.
const maxQRBytes = 2 << 20

// quotaRetryAfter: 45009 on getwxacodeunlimit is a per-minute quota.
const quotaRetryAfter = time.Minute

// QRCode calls wxacode.getUnlimited (POST /wxa/getwxacodeunlimit) for scene on page and
// answers the image and its Content-Type. page must be published (check_path is on, as in
// production).
//
// Errors: 45009 (5,000 calls a minute) is Unavailable WECHAT_QUOTA with Retry-After; 41030
// (page missing or app unpublished) is Unavailable WECHAT_PAGE_INVALID; 40169 (bad scene) is
// Internal, because scenes are ours; a stale token (40001) is fetched anew and tried once
// more; the rest is Unavailable WECHAT_UNAVAILABLE.
func (c *Client) QRCode(ctx context.Context, appID, secret, scene, page string) ([]byte, string, error) {
	body, err := json.Marshal(map[string]any{"scene": scene, "page": page, "check_path": true, "env_version": "release", "width": 430})
	if err != nil {
		return nil, "", unavailable(err)
	}
	const path = "/wxa/getwxacodeunlimit"
	var (
		ct  string
		img []byte
	)
	err = c.withToken(ctx, appID, secret, func(token string) error {
		req, err := c.jsonRequest(ctx, path, token, body)
		if err != nil {
			return err
		}
		ct, img, err = c.send(req, path, maxQRBytes)
		if err != nil {
			return err
		}
		if mt, _, _ := mime.ParseMediaType(ct); strings.HasPrefix(mt, "image/") {
			return nil
		}
		var st wxStatus
		if err := json.Unmarshal(img, &st); err != nil {
			return unavailable(fmt.Errorf("POST %s: answer is neither an image nor JSON (%s)", path, ct))
		}
		if e := st.apiError(); e != nil {
			return e
		}
		return unavailable(fmt.Errorf("POST %s: JSON answer without an image or errcode", path))
	})
	if err != nil {
		return nil, "", linkError(err)
	}
	return img, ct, nil
}

// URLLink calls generate_urllink for path?query, expiring lifetime from now (whole days,
// 1 to 30: expire_type 1), and answers the https://wxaurl.cn/… link.
func (c *Client) URLLink(ctx context.Context, appID, secret, path, query string, lifetime time.Duration) (string, error) {
	days := int(lifetime / (24 * time.Hour))
	days = min(max(days, 1), 30)
	body, err := json.Marshal(map[string]any{"path": path, "query": query, "expire_type": 1, "expire_interval": days,
		"env_version": "release"})
	if err != nil {
		return "", unavailable(err)
	}
	const api = "/wxa/generate_urllink"
	var link string
	err = c.withToken(ctx, appID, secret, func(token string) error {
		req, err := c.jsonRequest(ctx, api, token, body)
		if err != nil {
			return err
		}
		var out struct {
			wxStatus
			URLLink string `json:"url_link"`
		}
		if err := c.call(req, api, &out); err != nil {
			return err
		}
		if e := out.apiError(); e != nil {
			return e
		}
		if !strings.HasPrefix(out.URLLink, "https://") {
			return unavailable(errors.New("POST " + api + ": answer without url_link"))
		}
		link = out.URLLink
		return nil
	})
	if err != nil {
		return "", linkError(err)
	}
	return link, nil
}

func (c *Client) jsonRequest(ctx context.Context, path, token string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path+"?access_token="+url.QueryEscape(token), bytes.NewReader(body))
	if err != nil {
		return nil, unavailable(errors.New("POST " + path + ": bad base URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// withToken runs call with the app's access token; when WeChat says the token is stale
// (40001, 42001) or invalid (40014), it drops the cached one and tries once more.
func (c *Client) withToken(ctx context.Context, appID, secret string, call func(token string) error) error {
	for attempt := 0; ; attempt++ {
		token, err := c.AccessToken(ctx, appID, secret)
		if err != nil {
			return err
		}
		err = call(token)
		var ae *APIError
		if attempt == 0 && errors.As(err, &ae) && (ae.ErrCode == 40001 || ae.ErrCode == 42001 || ae.ErrCode == 40014) {
			if ierr := c.InvalidateToken(ctx, appID); ierr != nil {
				return ierr
			}
			continue
		}
		return err
	}
}

// linkError maps the errcodes of the code and link APIs (WECHAT.md §2).
func linkError(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.ErrCode {
	case 45009:
		e := apperr.Wrap(ae, apperr.Unavailable, "WECHAT_QUOTA", "WeChat's quota for codes and links is spent; try again later")
		e.RetryAfter = quotaRetryAfter
		return e
	case 41030, 40165:
		return apperr.Wrap(ae, apperr.Unavailable, "WECHAT_PAGE_INVALID", "the mini-program page is not published; publish the mini-program first")
	case 40169, 40212:
		// scenes and queries are ours: a bug, not the caller's fault
		return fmt.Errorf("wechat: we sent a bad scene or query: %w", ae)
	}
	return unavailable(ae)
}
