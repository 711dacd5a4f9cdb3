package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/wechat"
)

var testMessage = wechat.SubscribeMessage{ToUser: "oUser0001", TemplateID: "tmplLive", Page: "pages/live/index?live_id=L1",
	Data: map[string]string{"thing1": "双十一直播", "time2": "2026-11-11 20:00"}, MiniprogramState: "trial", Lang: "zh_CN"}

// subscribeServer issues tokens TOKEN-1, TOKEN-2, … and answers sends with send(token, body).
func subscribeServer(t *testing.T, send func(w http.ResponseWriter, token string, body map[string]any)) (*fakeWeChat, *atomic.Int32) {
	t.Helper()
	var issued atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cgi-bin/stable_token":
			n := issued.Add(1)
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "TOKEN-" + strconv.Itoa(int(n)), "expires_in": 7200})
		case "/cgi-bin/message/subscribe/send":
			var body map[string]any
			if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
				t.Errorf("send request %s %s", r.Method, r.URL)
			}
			send(w, r.URL.Query().Get("access_token"), body)
		default:
			t.Errorf("unexpected %s", r.URL.Path)
		}
	})
	return f, &issued
}

func TestSendSubscribeMessageBody(t *testing.T) {
	var got map[string]any
	f, _ := subscribeServer(t, func(w http.ResponseWriter, tok string, body map[string]any) {
		got = body
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok","msgid":1}`))
	})
	if err := f.client(wechat.Options{}).SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage); err != nil {
		t.Fatal(err)
	}
	data, _ := got["data"].(map[string]any)
	thing, _ := data["thing1"].(map[string]any)
	if got["touser"] != "oUser0001" || got["template_id"] != "tmplLive" || got["page"] != testMessage.Page ||
		thing["value"] != "双十一直播" || got["miniprogram_state"] != "trial" || got["lang"] != "zh_CN" {
		t.Fatalf("body %v", got)
	}
}

func TestSendSubscribeMessageErrors(t *testing.T) {
	cases := []struct {
		answer  string
		status  int
		kind    apperr.Kind
		code    string
		errcode int
	}{
		{`{"errcode":43101,"errmsg":"user refuse to accept the msg"}`, 200, apperr.Rule, wechat.CodeSubscribeRefused, 43101},
		{`{"errcode":47003,"errmsg":"argument invalid! data.thing1.value exceeds limit"}`, 200, apperr.Invalid, wechat.CodeSubscribeDataInvalid, 47003},
		{`{"errcode":40037,"errmsg":"invalid template_id"}`, 200, apperr.Invalid, wechat.CodeSubscribeRejected, 40037},
		{`{"errcode":40003,"errmsg":"invalid openid"}`, 200, apperr.Invalid, wechat.CodeSubscribeRejected, 40003},
		{`{"errcode":-1,"errmsg":"system error"}`, 200, apperr.Unavailable, "WECHAT_UNAVAILABLE", -1},
		{`{"errcode":45009,"errmsg":"reach max api daily quota limit"}`, 200, apperr.Unavailable, "WECHAT_UNAVAILABLE", 45009},
		{`bad gateway`, 502, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0},
		{`<html>`, 200, apperr.Unavailable, wechat.CodeOutcomeUnknown, 0},
	}
	for _, tc := range cases {
		t.Run(tc.code+"/"+strconv.Itoa(tc.errcode), func(t *testing.T) {
			f, _ := subscribeServer(t, func(w http.ResponseWriter, _ string, _ map[string]any) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.answer))
			})
			err := f.client(wechat.Options{}).SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage)
			if apperr.KindOf(err) != tc.kind || apperr.CodeOf(err) != tc.code {
				t.Fatalf("got %v, want %v %s", err, tc.kind, tc.code)
			}
			var coder interface{ WeChatErrCode() int }
			if tc.errcode != 0 && (!errors.As(err, &coder) || coder.WeChatErrCode() != tc.errcode) {
				t.Fatalf("errcode not readable from %v", err)
			}
			checkNoSecrets(t, err, testSecret, "TOKEN-1")
		})
	}
}

// A token WeChat calls invalid is dropped and fetched once more; a second refusal is an error.
func TestSendSubscribeMessageRefreshesAStaleToken(t *testing.T) {
	f, issued := subscribeServer(t, func(w http.ResponseWriter, tok string, _ map[string]any) {
		if tok == "TOKEN-1" {
			_, _ = w.Write([]byte(`{"errcode":40001,"errmsg":"invalid credential"}`))
			return
		}
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	})
	c := f.client(wechat.Options{})
	if err := c.SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage); err != nil {
		t.Fatal(err)
	}
	if issued.Load() != 2 {
		t.Fatalf("tokens issued %d, want 2", issued.Load())
	}

	g, issued2 := subscribeServer(t, func(w http.ResponseWriter, _ string, _ map[string]any) {
		_, _ = w.Write([]byte(`{"errcode":42001,"errmsg":"access_token expired"}`))
	})
	err := g.client(wechat.Options{}).SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage)
	if apperr.CodeOf(err) != "WECHAT_UNAVAILABLE" || issued2.Load() != 2 {
		t.Fatalf("got %v after %d tokens", err, issued2.Load())
	}
}

// No answer after the request left: WeChat may have sent it, and the caller must not repeat.
// No connection at all: nothing was sent, a retry is safe.
func TestSendSubscribeMessageOutcomeUnknown(t *testing.T) {
	done := make(chan struct{})
	defer close(done)
	f, _ := subscribeServer(t, func(w http.ResponseWriter, _ string, _ map[string]any) {
		select { // read the request, then never answer
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
	err := f.client(wechat.Options{HTTP: &http.Client{Timeout: 300 * time.Millisecond}}).
		SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage)
	if apperr.CodeOf(err) != wechat.CodeOutcomeUnknown || !errors.Is(err, wechat.ErrOutcomeUnknown) {
		t.Fatalf("got %v, want WECHAT_OUTCOME_UNKNOWN", err)
	}
	if strings.Contains(err.Error(), "TOKEN-") {
		t.Fatalf("error shows the access token: %v", err)
	}

	// The token comes from a cache; the send's host refuses connections.
	cache := newRecordingCache()
	_ = cache.Set(context.Background(), "wx:token:"+testAppID, "TOKEN-X", time.Hour)
	c := wechat.NewClient(wechat.Options{BaseURL: "http://127.0.0.1:1", Tokens: cache})
	err = c.SendSubscribeMessage(context.Background(), testAppID, testSecret, testMessage)
	if apperr.CodeOf(err) != "WECHAT_UNAVAILABLE" || errors.Is(err, wechat.ErrOutcomeUnknown) {
		t.Fatalf("refused connection: %v", err)
	}
}
