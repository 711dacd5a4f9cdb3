package wechat

import (
	"testing"
	"time"
)

func TestNewClientDefaults(t *testing.T) {
	c := NewClient(Options{})
	if c.base != "https://api.weixin.qq.com" {
		t.Errorf("base %q", c.base)
	}
	// Never http.DefaultClient: it has no timeout.
	if c.http.Timeout != 10*time.Second {
		t.Errorf("timeout %v, want 10s", c.http.Timeout)
	}
	if c.tokens == nil || c.log == nil {
		t.Error("nil cache or logger")
	}
}
