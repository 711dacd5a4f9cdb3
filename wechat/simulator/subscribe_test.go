package simulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/simulator"
)

const tmpl = "tmplLiveReminder01"

func (e *env) grant(openID string, results map[string]any) map[string]any {
	e.t.Helper()
	status, out := e.do(http.MethodPost, "/_sim/control/subscribe/grants",
		map[string]any{"appid": simulator.DemoAppID, "openid": openID, "results": results})
	if status != http.StatusOK {
		e.t.Fatalf("grant: %d %v", status, out)
	}
	return out
}

func (e *env) subscribeSend(token string, body map[string]any) map[string]any {
	e.t.Helper()
	status, out := e.do(http.MethodPost, "/_sim/api/cgi-bin/message/subscribe/send?access_token="+token, body)
	if status != http.StatusOK {
		e.t.Fatalf("subscribe send: HTTP %d %v (WeChat answers errors with 200)", status, out)
	}
	return out
}

func (e *env) sentMessages(query string) []any {
	e.t.Helper()
	status, out := e.do(http.MethodGet, "/_sim/control/subscribe/messages"+query, nil)
	if status != http.StatusOK {
		e.t.Fatalf("messages: %d %v", status, out)
	}
	list, _ := out["messages"].([]any)
	return list
}

func message(openID string, data map[string]string) map[string]any {
	d := map[string]any{}
	for k, v := range data {
		d[k] = map[string]any{"value": v}
	}
	return map[string]any{"touser": openID, "template_id": tmpl, "page": "pages/live/index?id=1", "data": d}
}

// One accept, one message; the simulator records what it sent.
func TestSubscribeSendSpendsTheUsersCredit(t *testing.T) {
	e := newEnv(t)
	user := e.demoLogin().OpenID
	tok, _ := e.stableToken(false)
	msg := message(user, map[string]string{"thing1": "双十一直播", "time2": "2026-11-11 20:00"})

	if out := e.subscribeSend(tok, msg); errcode(out) != 43101 {
		t.Fatalf("without a credit: %v", out)
	}
	out := e.grant(user, map[string]any{tmpl: "accept", "tmplOther": "reject"})
	if out["credits"].(map[string]any)[tmpl] != float64(1) || out["credits"].(map[string]any)["tmplOther"] != float64(0) {
		t.Fatalf("grant answer %v", out)
	}
	e.clk.Advance(time.Minute)
	if out := e.subscribeSend(tok, msg); errcode(out) != 0 || out["msgid"] == nil {
		t.Fatalf("with a credit: %v", out)
	}
	if out := e.subscribeSend(tok, msg); errcode(out) != 43101 {
		t.Fatalf("the credit was spent, yet: %v", out)
	}
	list := e.sentMessages("?openid=" + user)
	if len(list) != 1 {
		t.Fatalf("recorded %d messages", len(list))
	}
	m := list[0].(map[string]any)
	if m["touser"] != user || m["template_id"] != tmpl || m["appid"] != simulator.DemoAppID ||
		m["data"].(map[string]any)["thing1"] != "双十一直播" || m["sent_at"] != "2026-03-01T10:01:00Z" {
		t.Fatalf("recorded %v", m)
	}
	if len(e.sentMessages("?template_id=other")) != 0 {
		t.Fatal("filter by template does not filter")
	}
}

// A value that breaks its kind's rule is 47003 naming the field, and spends nothing.
func TestSubscribeSendChecksFieldRules(t *testing.T) {
	e := newEnv(t)
	user := e.demoLogin().OpenID
	tok, _ := e.stableToken(false)
	e.grant(user, map[string]any{tmpl: "accept"})
	for _, data := range []map[string]string{
		{"thing1": strings.Repeat("长", 21)},
		{"time2": "tonight"},
		{"thing1": ""},
		{"title": "x"},
		{},
	} {
		out := e.subscribeSend(tok, message(user, data))
		if errcode(out) != 47003 {
			t.Fatalf("%v: %v", data, out)
		}
		for k := range data {
			if !strings.Contains(str(out["errmsg"]), "data."+k) {
				t.Fatalf("errmsg does not name %s: %v", k, out)
			}
		}
	}
	if out := e.subscribeSend(tok, message(user, map[string]string{"thing1": strings.Repeat("长", 20)})); errcode(out) != 0 {
		t.Fatalf("the credit did not survive the refusals: %v", out)
	}
}

func TestSubscribeSendRefusesBadCalls(t *testing.T) {
	e := newEnv(t)
	user := e.demoLogin().OpenID
	tok, _ := e.stableToken(false)
	e.grant(user, map[string]any{tmpl: "accept"})
	data := map[string]string{"thing1": "x"}
	if out := e.subscribeSend("not-a-token", message(user, data)); errcode(out) != 40001 {
		t.Fatalf("bad token: %v", out)
	}
	if out := e.subscribeSend(tok, message("oNobody", data)); errcode(out) != 40003 {
		t.Fatalf("unknown user: %v", out)
	}
	bad := message(user, data)
	bad["template_id"] = "bad id"
	if out := e.subscribeSend(tok, bad); errcode(out) != 40037 {
		t.Fatalf("bad template: %v", out)
	}
	bad = message(user, data)
	bad["page"] = "/pages/x"
	if out := e.subscribeSend(tok, bad); errcode(out) != 41030 {
		t.Fatalf("bad page: %v", out)
	}
	if out := e.subscribeSend(tok, map[string]any{"touser": 7}); errcode(out) != 47001 {
		t.Fatalf("malformed: %v", out)
	}
	e.clk.Advance(2 * time.Hour)
	if out := e.subscribeSend(tok, message(user, data)); errcode(out) != 40001 {
		t.Fatalf("expired token: %v", out)
	}
}

// A ban (the user switched the template off) removes the credits.
func TestSubscribeGrantsBan(t *testing.T) {
	e := newEnv(t)
	user := e.demoLogin().OpenID
	e.grant(user, map[string]any{tmpl: "accept"})
	e.grant(user, map[string]any{tmpl: "accept"})
	status, out := e.do(http.MethodGet, "/_sim/control/subscribe/credits?appid="+simulator.DemoAppID+"&openid="+user, nil)
	if status != 200 || out["credits"].(map[string]any)[tmpl] != float64(2) {
		t.Fatalf("credits %d %v", status, out)
	}
	if out := e.grant(user, map[string]any{tmpl: "ban"}); out["credits"].(map[string]any)[tmpl] != float64(0) {
		t.Fatalf("after ban %v", out)
	}
	for _, body := range []map[string]any{
		{"appid": simulator.DemoAppID, "openid": user, "results": map[string]any{tmpl: "maybe"}},
		{"appid": simulator.DemoAppID, "openid": user, "results": map[string]any{}},
		{"appid": simulator.DemoAppID, "openid": user, "results": map[string]any{"a": "accept", "b": "accept", "c": "accept", "d": "accept"}},
		{"appid": "", "openid": user, "results": map[string]any{tmpl: "accept"}},
	} {
		if status, out := e.do(http.MethodPost, "/_sim/control/subscribe/grants", body); status != 400 || out["code"] != "INVALID_ARGUMENT" {
			t.Fatalf("%v: %d %v", body, status, out)
		}
	}
}
