package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"

	"github.com/sharecast/sharecast/apperr"
)

// SubscribeMessage is one subscribeMessage.send (WECHAT.md §2).
type SubscribeMessage struct {
	ToUser     string // the member's openid under the mini-program
	TemplateID string
	Page       string            // may carry a query; "" opens nothing
	Data       map[string]string // key (thing1, time2, …) → value
	// MiniprogramState is formal, trial or developer ("" → WeChat's default, formal).
	MiniprogramState string
	Lang             string // zh_CN, en_US, zh_HK, zh_TW ("" → zh_CN)
}

// ErrOutcomeUnknown is in the chain of an error when the request left for WeChat but no
// answer came back (timeout, connection cut, unreadable answer): WeChat may have sent the
// message. Repeating it could send it twice.
var ErrOutcomeUnknown = errors.New("wechat: the request reached WeChat but its answer did not come back")

// WeChatErrCode lets callers read the errcode without naming this type.
func (e *APIError) WeChatErrCode() int { return e.ErrCode }

// Error codes of SendSubscribeMessage.
const (
	CodeSubscribeRefused     = "WECHAT_SUBSCRIBE_REFUSED"      // 43101
	CodeSubscribeDataInvalid = "WECHAT_SUBSCRIBE_DATA_INVALID" // 47003
	CodeSubscribeRejected    = "WECHAT_SUBSCRIBE_REJECTED"     // another refusal that no retry fixes
	CodeOutcomeUnknown       = "WECHAT_OUTCOME_UNKNOWN"
)

// SendSubscribeMessage sends a subscribe message with the app's access token (stable_token,
// cached). A token WeChat calls invalid or expired (40001, 42001) is dropped and fetched again
// once.
//
// Errors (the *APIError is in the chain when WeChat answered an errcode):
//   - 43101 (the user refused, or has no subscription left for the template): Rule
//     WECHAT_SUBSCRIBE_REFUSED; nothing was sent and the user's credit at WeChat is gone.
//   - 47003 (a data value broke its kind's rule; errmsg names it): Invalid
//     WECHAT_SUBSCRIBE_DATA_INVALID; nothing was sent, the user's credit is intact.
//   - 40003 bad openid, 40037 bad template id, 41030 bad page, 47001 malformed body: Invalid
//     WECHAT_SUBSCRIBE_REJECTED; nothing was sent.
//   - no answer after the request was written: Unavailable WECHAT_OUTCOME_UNKNOWN with
//     ErrOutcomeUnknown in the chain; WeChat may have sent it.
//   - anything else (WeChat busy, quota, network down before sending, HTTP 5xx):
//     Unavailable WECHAT_UNAVAILABLE; nothing was sent and a retry is safe.
func (c *Client) SendSubscribeMessage(ctx context.Context, appID, secret string, m SubscribeMessage) error {
	type value struct {
		Value string `json:"value"`
	}
	data := make(map[string]value, len(m.Data))
	for k, v := range m.Data {
		data[k] = value{v}
	}
	body, err := json.Marshal(struct {
		ToUser           string           `json:"touser"`
		TemplateID       string           `json:"template_id"`
		Page             string           `json:"page,omitempty"`
		Data             map[string]value `json:"data"`
		MiniprogramState string           `json:"miniprogram_state,omitempty"`
		Lang             string           `json:"lang,omitempty"`
	}{m.ToUser, m.TemplateID, m.Page, data, m.MiniprogramState, m.Lang})
	if err != nil {
		return unavailable(err)
	}
	for try := 0; ; try++ {
		tok, err := c.AccessToken(ctx, appID, secret)
		if err != nil {
			return err
		}
		e, err := c.postSubscribe(ctx, tok, body)
		if err != nil {
			return err
		}
		switch {
		case e == nil:
			return nil
		case (e.ErrCode == 40001 || e.ErrCode == 42001) && try == 0:
			if err := c.InvalidateToken(ctx, appID); err != nil {
				return err
			}
			continue
		}
		return subscribeError(e)
	}
}

// postSubscribe makes the call and answers WeChat's errcode (nil on success), or a transport
// error that says whether the request may have been processed.
func (c *Client) postSubscribe(ctx context.Context, token string, body []byte) (*APIError, error) {
	const path = "/cgi-bin/message/subscribe/send"
	// The transport reports the write from its own goroutine, which may still run when Do
	// returns on a timeout.
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { wrote.Store(i.Err == nil) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path+"?access_token="+url.QueryEscape(token), bytes.NewReader(body))
	if err != nil {
		return nil, unavailable(errors.New("POST " + path + ": bad base URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL carries the access token
		}
		if wrote.Load() {
			return nil, outcomeUnknown(fmt.Errorf("POST %s: %w", path, err))
		}
		return nil, unavailable(fmt.Errorf("POST %s: %w", path, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// WeChat answers its own errors with 200; another status comes from its front door,
		// before the API ran.
		return nil, unavailable(fmt.Errorf("POST %s: HTTP %d", path, resp.StatusCode))
	}
	if err != nil {
		return nil, outcomeUnknown(fmt.Errorf("POST %s: read answer: %w", path, err))
	}
	var st wxStatus
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, outcomeUnknown(fmt.Errorf("POST %s: answer is not JSON: %w", path, err))
	}
	return st.apiError(), nil
}

func outcomeUnknown(cause error) *apperr.Error {
	return apperr.Wrap(errors.Join(ErrOutcomeUnknown, cause), apperr.Unavailable, CodeOutcomeUnknown,
		"WeChat did not answer; the message may have been sent")
}

func subscribeError(e *APIError) *apperr.Error {
	switch e.ErrCode {
	case 43101:
		return apperr.Wrap(e, apperr.Rule, CodeSubscribeRefused, "the user refused this message or has no subscription left for the template")
	case 47003:
		return apperr.Wrap(e, apperr.Invalid, CodeSubscribeDataInvalid, "WeChat refused the message data: "+e.ErrMsg)
	case 40003, 40037, 41030, 47001:
		return apperr.Wrap(e, apperr.Invalid, CodeSubscribeRejected, "WeChat refused the message: "+e.ErrMsg)
	default:
		return unavailable(e)
	}
}
