package wecom_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/wechat/wecom"
)

const key = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

func TestSendShapesAndErrcodes(t *testing.T) {
	var got map[string]any
	var gotKey, gotType string
	answer := `{"errcode":0,"errmsg":"ok"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/webhook/send" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		gotKey, gotType = r.URL.Query().Get("key"), r.Header.Get("Content-Type")
		body, _ := io.ReadAll(r.Body)
		got = nil
		_ = json.Unmarshal(body, &got)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	c := wecom.New(srv.URL, nil)
	ctx := context.Background()

	if err := c.SendMarkdown(ctx, key, "## 排行榜"); err != nil {
		t.Fatal(err)
	}
	if gotKey != key || !strings.HasPrefix(gotType, "application/json") || got["msgtype"] != "markdown" ||
		got["markdown"].(map[string]any)["content"] != "## 排行榜" {
		t.Fatalf("markdown request: key %q type %q body %v", gotKey, gotType, got)
	}
	img := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
	if err := c.SendImage(ctx, key, img); err != nil {
		t.Fatal(err)
	}
	im := got["image"].(map[string]any)
	raw, _ := base64.StdEncoding.DecodeString(im["base64"].(string))
	sum := md5.Sum(img)
	if got["msgtype"] != "image" || !bytes.Equal(raw, img) || im["md5"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("image request: %v", got)
	}

	answer = `{"errcode":93000,"errmsg":"invalid webhook url, hint: [` + key + `]"}`
	err := c.SendMarkdown(ctx, key, "x")
	var we *wecom.Error
	if !errors.As(err, &we) || we.Code != 93000 || strings.Contains(err.Error(), key) {
		t.Fatalf("93000: %v", err)
	}
	answer = `not json`
	if err := c.SendMarkdown(ctx, key, "x"); err == nil || errors.As(err, &we) {
		t.Fatalf("junk answer: %v", err)
	}
	if err := c.SendMarkdown(ctx, key, strings.Repeat("长", 1366)); !errors.Is(err, wecom.ErrTooLarge) {
		t.Fatalf("4098 bytes of markdown: %v", err)
	}
	if err := c.SendImage(ctx, key, make([]byte, wecom.MaxImageBytes+1)); !errors.Is(err, wecom.ErrTooLarge) {
		t.Fatalf("image over 2 MB: %v", err)
	}
}

// The key is the robot's only credential: transport errors never carry it.
func TestTransportErrorsHideTheKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = wecom.New("http://"+addr, nil).SendMarkdown(context.Background(), key, "x")
	if err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("error %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	if err := wecom.New(srv.URL, nil).SendMarkdown(context.Background(), key, "x"); err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("502: %v", err)
	}
}
