package simulator_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const robotKey = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

func robotURL(key string) string { return "/_sim/qyapi/cgi-bin/webhook/send?key=" + key }

func markdown(content string) map[string]any {
	return map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": content}}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func imageMsg(img []byte, sum string) map[string]any {
	if sum == "" {
		s := md5.Sum(img)
		sum = hex.EncodeToString(s[:])
	}
	return map[string]any{"msgtype": "image", "image": map[string]any{"base64": base64.StdEncoding.EncodeToString(img), "md5": sum}}
}

func TestWecomRobotEnforcesWeComLimits(t *testing.T) {
	e := newEnv(t)
	img := pngBytes(t)
	cases := []struct {
		name string
		key  string
		body any
		want int
	}{
		{"markdown", robotKey, markdown("## 排行榜"), 0},
		{"image", robotKey, imageMsg(img, ""), 0},
		{"text", robotKey, map[string]any{"msgtype": "text", "text": map[string]any{"content": "hi"}}, 0},
		{"bad key", "nope", markdown("x"), 93000},
		{"no key", "", markdown("x"), 93000},
		{"markdown over 4096 bytes", robotKey, markdown(strings.Repeat("长", 1366)), 40058},
		{"markdown at 4096 bytes", robotKey, markdown(strings.Repeat("长", 1365) + "x"), 0},
		{"empty markdown", robotKey, markdown(""), 44004},
		{"text over 2048 bytes", robotKey, map[string]any{"msgtype": "text", "text": map[string]any{"content": strings.Repeat("x", 2049)}}, 45002},
		{"md5 mismatch", robotKey, imageMsg(img, strings.Repeat("0", 32)), 40058},
		{"not an image", robotKey, imageMsg([]byte("GIF89a not really"), ""), 40009},
		{"image over 2 MB", robotKey, imageMsg(append(img, make([]byte, 2<<20)...), ""), 40009},
		{"not base64", robotKey, map[string]any{"msgtype": "image", "image": map[string]any{"base64": "!!!", "md5": "x"}}, 40058},
		{"unknown type", robotKey, map[string]any{"msgtype": "video"}, 40008},
		{"not JSON", robotKey, "msgtype=markdown", 40058},
	}
	for _, tc := range cases {
		status, out := e.do(http.MethodPost, robotURL(tc.key), tc.body)
		if status != http.StatusOK || errcode(out) != tc.want {
			t.Errorf("%s: HTTP %d errcode %d, want 200 and %d (%v)", tc.name, status, errcode(out), tc.want, out["errmsg"])
		}
	}
	_, out := e.do(http.MethodGet, "/_sim/control/wecom/messages?key="+robotKey, nil)
	msgs := out["messages"].([]any)
	if len(msgs) != len(cases)-2 {
		t.Fatalf("%d messages recorded for the key", len(msgs))
	}
	first, second := msgs[0].(map[string]any), msgs[1].(map[string]any)
	sum := md5.Sum(img)
	if first["content"] != "## 排行榜" || second["image_md5"] != hex.EncodeToString(sum[:]) ||
		second["image_format"] != "png" || int(second["image_bytes"].(float64)) != len(img) || second["image_base64"] == "" {
		t.Fatalf("records: %v / %v", first, second)
	}
}

func TestWecomRobotRateLimitPerKey(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 20; i++ {
		if _, out := e.do(http.MethodPost, robotURL(robotKey), markdown(fmt.Sprint(i))); errcode(out) != 0 {
			t.Fatalf("send %d: %v", i, out)
		}
		e.clk.Advance(time.Second)
	}
	if _, out := e.do(http.MethodPost, robotURL(robotKey), markdown("21st")); errcode(out) != 45009 {
		t.Fatalf("21st send within a minute: %v", out)
	}
	if _, out := e.do(http.MethodPost, robotURL("another-robot-key"), markdown("x")); errcode(out) != 0 {
		t.Fatalf("another key is limited too: %v", out)
	}
	e.clk.Advance(41 * time.Second) // the first send is now a minute old
	if _, out := e.do(http.MethodPost, robotURL(robotKey), markdown("later")); errcode(out) != 0 {
		t.Fatalf("after the window: %v", out)
	}
}

func TestWecomRobotFailsOnDemand(t *testing.T) {
	e := newEnv(t)
	status, out := e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"wecom": map[string]any{
		"invalid_keys": []string{"removed-robot-key"},
		"fail":         []any{map[string]any{"key": robotKey, "errcode": 45009, "times": 2}, map[string]any{"status": 502, "times": 1}},
	}})
	if status != http.StatusOK {
		t.Fatalf("faults: %d %v", status, out)
	}
	for i := 0; i < 2; i++ {
		if _, out := e.do(http.MethodPost, robotURL(robotKey), markdown("x")); errcode(out) != 45009 {
			t.Fatalf("fault %d: %v", i, out)
		}
	}
	// The status fault applies to the next send of any key.
	rec := httptest.NewRecorder()
	e.sim.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, robotURL("some-other-key"), strings.NewReader(`{}`)))
	if rec.Code != http.StatusBadGateway {
		t.Fatalf("status fault: %d", rec.Code)
	}
	if _, out := e.do(http.MethodPost, robotURL(robotKey), markdown("x")); errcode(out) != 0 {
		t.Fatalf("faults used up: %v", out)
	}
	if _, out := e.do(http.MethodPost, robotURL("removed-robot-key"), markdown("x")); errcode(out) != 93000 {
		t.Fatalf("invalid key: %v", out)
	}
	for _, bad := range []any{
		map[string]any{"nope": map[string]any{}},
		map[string]any{"wecom": map[string]any{"fail": []any{map[string]any{"errcode": 45009}}}},
		map[string]any{"wecom": map[string]any{"fail": []any{map[string]any{"errcode": 45009, "status": 500, "times": 1}}}},
		map[string]any{"wecom": map[string]any{"surprise": true}},
		map[string]any{},
	} {
		if status, out := e.do(http.MethodPost, "/_sim/control/faults", bad); status != http.StatusBadRequest || out["code"] != "INVALID_ARGUMENT" {
			t.Errorf("faults %v: %d %v", bad, status, out)
		}
	}
	if status, _ := e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"wecom": map[string]any{"reset": true, "clear_messages": true}}); status != http.StatusOK {
		t.Fatal("reset")
	}
	if _, out := e.do(http.MethodPost, robotURL("removed-robot-key"), markdown("x")); errcode(out) != 0 {
		t.Fatalf("after reset: %v", out)
	}
	_, out = e.do(http.MethodGet, "/_sim/control/wecom/messages", nil)
	if n := len(out["messages"].([]any)); n != 1 {
		t.Fatalf("%d messages after clear", n)
	}
}
