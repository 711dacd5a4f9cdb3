package middleware

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"
)

// TrustedProxies makes c.ClientIP() read X-Forwarded-For only when the connection comes from
// one of cidrs (IPs or CIDRs, e.g. SHARECAST_TRUSTED_PROXIES split on commas). With none,
// nothing is trusted and the client IP is the peer address: gin's own default trusts every
// peer, which would let any caller pick the IP that rate limits and audit logs key on.
func TrustedProxies(engine *gin.Engine, cidrs []string) error {
	var list []string
	for _, s := range cidrs {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	// X-Real-IP is dropped: one header, one meaning, set by the proxy we trust.
	engine.RemoteIPHeaders = []string{"X-Forwarded-For"}
	engine.ForwardedByClientIP = true
	engine.TrustedPlatform = ""
	if err := engine.SetTrustedProxies(list); err != nil {
		return fmt.Errorf("trusted proxies %q: %w", list, err)
	}
	return nil
}
