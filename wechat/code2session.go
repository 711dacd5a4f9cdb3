package wechat

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Session is what code2Session tells about a mini-program user. SessionKey must stay on the
// server; String, GoString and LogValue leave it out so it cannot leak through a log line.
type Session struct {
	OpenID     string
	UnionID    string
	SessionKey string
}

func (s Session) String() string {
	return "wechat.Session{OpenID:" + s.OpenID + " UnionID:" + s.UnionID + "}"
}

func (s Session) GoString() string { return s.String() }

func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("openid", s.OpenID), slog.String("unionid", s.UnionID))
}

// loginRetryAfter is how long a user hit by 45011 should wait: WeChat's quota is per minute.
const loginRetryAfter = 60 * time.Second

// Code2Session exchanges a wx.login code for the user's ids and session key.
//
// Errors: an invalid, expired or reused code is Unauthenticated WECHAT_CODE_INVALID (the
// mini-program should call wx.login again); 45011 is RateLimited; 40226 (a user WeChat
// considers high-risk) is Forbidden WECHAT_LOGIN_BLOCKED; everything else, including a wrong
// appid or secret, is Unavailable WECHAT_UNAVAILABLE, because the user cannot fix it.
func (c *Client) Code2Session(ctx context.Context, appID, secret, code string) (Session, error) {
	if code == "" {
		return Session{}, apperr.InvalidArgument("code is required")
	}
	q := url.Values{
		"appid":      {appID},
		"secret":     {secret},
		"js_code":    {code},
		"grant_type": {"authorization_code"},
	}
	const path = "/sns/jscode2session"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return Session{}, unavailable(errors.New("GET " + path + ": bad base URL"))
	}
	var out struct {
		wxStatus
		OpenID     string `json:"openid"`
		UnionID    string `json:"unionid"`
		SessionKey string `json:"session_key"`
	}
	if err := c.call(req, path, &out); err != nil {
		return Session{}, err
	}
	if e := out.apiError(); e != nil {
		return Session{}, sessionError(e)
	}
	if out.OpenID == "" || out.SessionKey == "" {
		return Session{}, unavailable(errors.New("GET " + path + ": answer without openid or session_key"))
	}
	return Session{OpenID: out.OpenID, UnionID: out.UnionID, SessionKey: out.SessionKey}, nil
}

// sessionError maps code2Session's errcodes (WECHAT.md §1).
func sessionError(e *APIError) *apperr.Error {
	switch e.ErrCode {
	case 40029, 40163: // invalid code; code been used
		return apperr.Wrap(e, apperr.Unauthenticated, "WECHAT_CODE_INVALID", "the login code is invalid, expired or already used; call wx.login again")
	case 45011: // 100 calls per minute per user
		err := apperr.Wrap(e, apperr.RateLimited, "RATE_LIMITED", "too many logins, slow down")
		err.RetryAfter = loginRetryAfter
		return err
	case 40226: // high-risk user
		return apperr.Wrap(e, apperr.Forbidden, "WECHAT_LOGIN_BLOCKED", "WeChat refused this login")
	default: // 40013/40125 bad appid or secret, -1 busy, anything new
		return unavailable(e)
	}
}
