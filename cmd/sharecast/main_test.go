package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadConfigExitsTwoNamingTheVariables(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"production without secrets", map[string]string{"SHARECAST_MODE": "production"},
			[]string{"SHARECAST_DATABASE_URL", "SHARECAST_REDIS_URL", "SHARECAST_SECRET_KEY", "SHARECAST_PUBLIC_URL"}},
		{"production on sqlite", map[string]string{"SHARECAST_MODE": "production", "SHARECAST_DATABASE_URL": "/tmp/x.db",
			"SHARECAST_REDIS_URL": "redis://127.0.0.1:6379", "SHARECAST_SECRET_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, []string{"postgres://"}},
		{"bad mode", map[string]string{"SHARECAST_MODE": "staging"}, []string{"SHARECAST_MODE"}},
		{"short secret key", map[string]string{"SHARECAST_SECRET_KEY": "c2hvcnQ="}, []string{"SHARECAST_SECRET_KEY"}},
		{"bad addr", map[string]string{"SHARECAST_ADDR": "nope"}, []string{"SHARECAST_ADDR"}},
		{"bad redis url", map[string]string{"SHARECAST_REDIS_URL": "http://x"}, []string{"SHARECAST_REDIS_URL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, c.env, "", "serve")
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %s: %s", w, stderr)
				}
			}
		})
	}
	if code, _, _ := runCmd(t, nil, "", "frobnicate"); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
}

// The brand and admin commands provision a brand whose owner can then log in.
func TestBrandAndAdminCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SHARECAST_DATA_DIR": dir, "SHARECAST_DATABASE_URL": filepath.Join(dir, "db.sqlite")}
	code, out, errOut := runCmd(t, env, "", "brand", "create", "--slug", "acme", "--name", "ACME", "--city", "上海", "--mp-app-id", "wx1234567890abcdef", "--cred", "mp_app_secret=s3cr3t")
	if code != 0 || !strings.Contains(out, "brand acme created") {
		t.Fatalf("brand create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, env, "", "brand", "create", "--slug", "acme", "--name", "Again"); code != 1 || !strings.Contains(errOut, "BRAND_EXISTS") {
		t.Fatalf("duplicate brand: %d %s", code, errOut)
	}
	if code, out, errOut := runCmd(t, env, "owner-password-1\n", "admin", "create", "--brand", "acme", "--username", "alice", "--role", "owner"); code != 0 {
		t.Fatalf("admin create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, env, "short\n", "admin", "create", "--brand", "acme", "--username", "bob"); code != 1 || !strings.Contains(errOut, "WEAK_PASSWORD") {
		t.Fatalf("weak password: %d %s", code, errOut)
	}
	if code, out, errOut := runCmd(t, env, "owner-password-2\n", "admin", "reset-password", "--brand", "acme", "--username", "alice"); code != 0 {
		t.Fatalf("reset: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCmd(t, env, "", "brand", "list")
	if code != 0 || !strings.Contains(out, "wx1234567890abcdef") {
		t.Fatalf("brand list: %d %s", code, out)
	}
	if code, out, _ := runCmd(t, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "sharecast ") {
		t.Fatalf("version: %d %s", code, out)
	}
}
