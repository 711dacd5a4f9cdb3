package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/secrets"
)

// Rotating SHARECAST_SECRET_KEY: with the new key current and the old one previous,
// `sharecast secrets rotate` re-seals every sealed value (the demo brand's credentials, a
// webhook secret, a WeCom robot key, a member's real name); afterwards the new key alone opens
// them all (a second run finds nothing to re-seal and nothing it cannot open), and a run
// without the old key reports what it cannot open.
func TestSecretsRotate(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner := s.adminLogin("admin", s.password)
		expect(t, s.do("POST", "/admin/v1/webhooks", owner, map[string]any{"url": "https://hooks.example.com/rotate",
			"event_types": []string{"reservation.created"}}), 201, "")
		expect(t, s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "rotate", "webhook_key": "5c4e3d2b-cccc-4bc4-97a0-0ec2e2e2e2e2"}), 201, "")
		m := s.member("")
		expect(t, s.do("PATCH", "/mp/v1/me", m.token, map[string]any{"real_name": "张三"}), 200, "")

		oldKey := strings.TrimSpace(readFile(t, s.dataDir, "secret.key"))
		raw := make([]byte, 32)
		_, _ = rand.Read(raw)
		newKey := base64.StdEncoding.EncodeToString(raw)
		env := map[string]string{"SHARECAST_DATA_DIR": t.TempDir(), "SHARECAST_DATABASE_URL": s.app.cfg.DatabaseURL,
			"SHARECAST_REDIS_URL": s.app.cfg.RedisURL, "SHARECAST_SECRET_KEY": newKey, "SHARECAST_SECRET_KEY_PREVIOUS": oldKey,
			"SHARECAST_LOG_LEVEL": "warn", "SHARECAST_DB_MAX_OPEN_CONNS": "2"}

		code, out, errOut := runCmd(t, env, "", "secrets", "rotate")
		if code != 0 || !strings.Contains(out, "re-sealed") {
			t.Fatalf("rotate: exit %d\n%s%s", code, out, errOut)
		}
		var n, of int
		if _, err := fmtSscanf(out, &n, &of); err != nil || n < 7 || n != of {
			t.Fatalf("rotate re-sealed %d of %d (want every value, at least 7): %s", n, of, out)
		}

		delete(env, "SHARECAST_SECRET_KEY_PREVIOUS")
		code, out, errOut = runCmd(t, env, "", "secrets", "rotate")
		if _, err := fmtSscanf(out, &n, &of); code != 0 || err != nil || n != 0 || of < 7 {
			t.Fatalf("second rotate with the new key alone: exit %d\n%s%s", code, out, errOut)
		}

		// The new key alone opens the demo brand's credentials through the brands service.
		root, _ := config.DecodeSecretKey(newKey)
		box, err := secrets.New(root)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.app.store.BrandBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		svc := &brands.Service{Store: s.app.store, Sealer: box}
		if v, err := svc.Credential(b, brands.CredMPAppSecret); err != nil || v == "" {
			t.Fatalf("mp_app_secret with the new key: %q %v", v, err)
		}

		// Without the key that sealed them, rotate names what it cannot open and fails.
		env["SHARECAST_SECRET_KEY"] = oldKey
		code, _, errOut = runCmd(t, env, "", "secrets", "rotate")
		if code != 1 || !strings.Contains(errOut, "SHARECAST_SECRET_KEY_PREVIOUS") {
			t.Fatalf("rotate with the wrong key: exit %d %s", code, errOut)
		}
		if code, _, _ := runCmd(t, env, "", "secrets"); code != 2 {
			t.Fatalf("secrets without rotate: exit %d, want 2", code)
		}
	})
}

func fmtSscanf(out string, n, of *int) (int, error) {
	return fmt.Sscanf(out, "re-sealed %d of %d", n, of)
}
