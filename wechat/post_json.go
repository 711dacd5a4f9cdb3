package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// tokenErrCodes are the errcodes that mean "this access token is no good": 40001 invalid (e.g.
// refreshed elsewhere), 40014 malformed, 42001 expired. They are worth one fresh token.
var tokenErrCodes = map[int]bool{40001: true, 40014: true, 42001: true}

// PostJSON calls a POST API of api.weixin.qq.com that takes ?access_token= and a JSON body:
// the Channels shop APIs (package wechat/channels). The token is the app's stable token from
// the shared cache (keyed by appID); when WeChat rejects it as stale, it is dropped and the
// call is made once more with a fresh one.
//
// out receives the whole JSON answer. Errors: transport and HTTP failures are Unavailable
// WECHAT_UNAVAILABLE; an errcode is Unavailable WECHAT_UNAVAILABLE with the *APIError as its
// cause, so a caller that knows the API's errcodes can errors.As it and choose a better kind.
func (c *Client) PostJSON(ctx context.Context, appID, secret, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return unavailable(err)
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.AccessToken(ctx, appID, secret)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path+"?access_token="+url.QueryEscape(tok), bytes.NewReader(body))
		if err != nil {
			return unavailable(errors.New("POST " + path + ": bad base URL"))
		}
		req.Header.Set("Content-Type", "application/json")
		var raw json.RawMessage
		if err := c.call(req, path, &raw); err != nil {
			return err
		}
		var st wxStatus
		if err := json.Unmarshal(raw, &st); err != nil {
			return unavailable(errors.New("POST " + path + ": answer is not a JSON object"))
		}
		if e := st.apiError(); e != nil {
			if tokenErrCodes[e.ErrCode] && attempt == 0 {
				if err := c.InvalidateToken(ctx, appID); err != nil {
					return err
				}
				continue
			}
			return unavailable(e)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return unavailable(errors.New("POST " + path + ": unexpected answer: " + err.Error()))
		}
		return nil
	}
}
