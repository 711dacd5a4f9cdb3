package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var goodKey = base64.StdEncoding.EncodeToString(make([]byte, 32))

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Mode: Embedded, Addr: "127.0.0.1:8080", DataDir: "./data", DatabaseURL: filepath.Join("data", "sharecast.db"),
		LogLevel: "info", DBMaxOpenConns: 20, ShutdownTimeout: 20 * time.Second,
		TouchRetention: 400 * 24 * time.Hour, IPRetention: 30 * 24 * time.Hour}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if c.IsPostgres() {
		t.Fatal("SQLite default reported as PostgreSQL")
	}
}

func TestLoadEnvAndFlags(t *testing.T) {
	e := map[string]string{
		"SHARECAST_MODE": "production", "SHARECAST_ADDR": "0.0.0.0:9000", "SHARECAST_DATA_DIR": "/srv/env",
		"SHARECAST_DATABASE_URL": "postgres://db/x", "SHARECAST_REDIS_URL": "redis://r:6379/0",
		"SHARECAST_SECRET_KEY": goodKey, "SHARECAST_LOG_LEVEL": "warn", "SHARECAST_METRICS_TOKEN": "m",
		"SHARECAST_DB_MAX_OPEN_CONNS": "7", "SHARECAST_WECHAT_BASE_URL": "http://sim:8081",
		// http is accepted in production only towards a simulator (SHARECAST_WECHAT_BASE_URL set)
		"SHARECAST_PUBLIC_URL": "http://proxy",
	}
	c, err := Load(nil, env(e))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != Production || c.Addr != "0.0.0.0:9000" || c.DataDir != "/srv/env" || c.DBMaxOpenConns != 7 ||
		c.LogLevel != "warn" || c.MetricsToken != "m" || c.WeChatBaseURL != "http://sim:8081" || !c.IsPostgres() ||
		c.PublicURL != "http://proxy" {
		t.Fatalf("env not applied: %+v", c)
	}

	c, err = Load([]string{"--addr", ":7000", "--data-dir", "/srv/flag", "--mode=embedded", "--log-level=debug",
		"--database-url", "", "--redis-url", "redis://other:1/2"}, env(e))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":7000" || c.DataDir != "/srv/flag" || c.Mode != Embedded || c.LogLevel != "debug" || c.RedisURL != "redis://other:1/2" {
		t.Fatalf("flags did not override env: %+v", c)
	}
	if c.DatabaseURL != filepath.Join("/srv/flag", "sharecast.db") {
		t.Fatalf("embedded DatabaseURL = %q, want under the flag's data dir", c.DatabaseURL)
	}
}

func TestLoadValidation(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad mode", map[string]string{"SHARECAST_MODE": "dev"}, nil, `SHARECAST_MODE must be embedded or production, not "dev"`},
		{"bad mode flag", nil, []string{"--mode", "staging"}, `not "staging"`},
		{"addr without port", map[string]string{"SHARECAST_ADDR": "localhost"}, nil, `SHARECAST_ADDR "localhost" is not host:port`},
		{"production missing all", map[string]string{"SHARECAST_MODE": "production"}, nil,
			"production mode requires SHARECAST_DATABASE_URL, SHARECAST_REDIS_URL, SHARECAST_SECRET_KEY, SHARECAST_PUBLIC_URL"},
		{"production missing secret only", map[string]string{"SHARECAST_MODE": "production", "SHARECAST_DATABASE_URL": "postgres://x/y", "SHARECAST_REDIS_URL": "redis://r",
			"SHARECAST_PUBLIC_URL": "https://s.example"}, nil, "production mode requires SHARECAST_SECRET_KEY"},
		{"production missing public url only", map[string]string{"SHARECAST_MODE": "production", "SHARECAST_DATABASE_URL": "postgres://x/y", "SHARECAST_REDIS_URL": "redis://r",
			"SHARECAST_SECRET_KEY": goodKey}, nil, "production mode requires SHARECAST_PUBLIC_URL"},
		{"production sqlite", map[string]string{"SHARECAST_MODE": "production", "SHARECAST_DATABASE_URL": "/data/x.db", "SHARECAST_REDIS_URL": "redis://r", "SHARECAST_SECRET_KEY": goodKey}, nil,
			"production mode requires a postgres://"},
		{"bad secret key", map[string]string{"SHARECAST_SECRET_KEY": "short"}, nil, "SHARECAST_SECRET_KEY must"},
		{"secret key wrong length", map[string]string{"SHARECAST_SECRET_KEY": base64.StdEncoding.EncodeToString(make([]byte, 16))}, nil, "SHARECAST_SECRET_KEY must decode to 32 bytes, got 16"},
		{"redis scheme", map[string]string{"SHARECAST_REDIS_URL": "http://r:6379"}, nil, "SHARECAST_REDIS_URL must be a redis:// or rediss:// URL"},
		{"wechat scheme", map[string]string{"SHARECAST_WECHAT_BASE_URL": "ftp://sim"}, nil, "SHARECAST_WECHAT_BASE_URL must be an http(s) URL"},
		{"wechat no host", map[string]string{"SHARECAST_WECHAT_BASE_URL": "http://"}, nil, "SHARECAST_WECHAT_BASE_URL must be an http(s) URL"},
		{"trusted proxy", map[string]string{"SHARECAST_TRUSTED_PROXIES": "10.0.0.0/8, nope"}, nil, `SHARECAST_TRUSTED_PROXIES: "nope" is neither an IP nor a CIDR`},
		{"log level", map[string]string{"SHARECAST_LOG_LEVEL": "trace"}, nil, "SHARECAST_LOG_LEVEL must be debug, info, warn or error"},
		{"log level flag", nil, []string{"--log-level", "verbose"}, "SHARECAST_LOG_LEVEL must be"},
		{"max conns not a number", map[string]string{"SHARECAST_DB_MAX_OPEN_CONNS": "many"}, nil, "SHARECAST_DB_MAX_OPEN_CONNS must be a whole number from 1 to 500"},
		{"max conns zero", map[string]string{"SHARECAST_DB_MAX_OPEN_CONNS": "0"}, nil, "SHARECAST_DB_MAX_OPEN_CONNS"},
		{"max conns 501", map[string]string{"SHARECAST_DB_MAX_OPEN_CONNS": "501"}, nil, "SHARECAST_DB_MAX_OPEN_CONNS"},
		{"public url scheme", map[string]string{"SHARECAST_PUBLIC_URL": "ftp://x"}, nil, "SHARECAST_PUBLIC_URL must be an http(s) URL"},
		{"public url query", map[string]string{"SHARECAST_PUBLIC_URL": "https://x/?a=1"}, nil, "SHARECAST_PUBLIC_URL must be an http(s) URL"},
		{"public url http in production", map[string]string{"SHARECAST_MODE": "production", "SHARECAST_PUBLIC_URL": "http://x"}, nil,
			"SHARECAST_PUBLIC_URL must be https in production"},
		{"previous secret key", map[string]string{"SHARECAST_SECRET_KEY_PREVIOUS": goodKey + ",short"}, nil, "SHARECAST_SECRET_KEY_PREVIOUS key 2 must"},
		{"jobs rescue too short", map[string]string{"SHARECAST_JOBS_RESCUE_AFTER": "10ms"}, nil, "SHARECAST_JOBS_RESCUE_AFTER must be a duration from 1s to 24h"},
		{"jobs poll not a duration", map[string]string{"SHARECAST_JOBS_POLL_INTERVAL": "fast"}, nil, "SHARECAST_JOBS_POLL_INTERVAL must be"},
		{"touch retention too short", map[string]string{"SHARECAST_TOUCH_RETENTION_DAYS": "30"}, nil, "SHARECAST_TOUCH_RETENTION_DAYS must be a whole number of days from 31 to 3650"},
		{"touch retention not a number", map[string]string{"SHARECAST_TOUCH_RETENTION_DAYS": "1y"}, nil, "SHARECAST_TOUCH_RETENTION_DAYS must be"},
		{"ip retention zero", map[string]string{"SHARECAST_IP_RETENTION_DAYS": "0"}, nil, "SHARECAST_IP_RETENTION_DAYS must be a whole number of days from 1 to 3650"},
		{"ip retention longer than touches", map[string]string{"SHARECAST_TOUCH_RETENTION_DAYS": "60", "SHARECAST_IP_RETENTION_DAYS": "90"}, nil,
			"SHARECAST_IP_RETENTION_DAYS must not exceed SHARECAST_TOUCH_RETENTION_DAYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, env(tt.env))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v", err)
			}
			if !IsConfigError(err) {
				t.Fatal("IsConfigError = false")
			}
			found := false
			for _, p := range ce.Problems {
				if strings.Contains(p, tt.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("problems %q do not mention %q", ce.Problems, tt.want)
			}
		})
	}
}

func TestLoadBoundaryValuesAccepted(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"SHARECAST_TOUCH_RETENTION_DAYS": "31", "SHARECAST_IP_RETENTION_DAYS": "1"}))
	if err != nil || c.TouchRetention != 31*24*time.Hour || c.IPRetention != 24*time.Hour {
		t.Fatalf("retention bounds: %+v %v", c, err)
	}
	for _, v := range []string{"1", "500"} {
		c, err := Load(nil, env(map[string]string{"SHARECAST_DB_MAX_OPEN_CONNS": v}))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if got := c.DBMaxOpenConns; (v == "1" && got != 1) || (v == "500" && got != 500) {
			t.Fatalf("DBMaxOpenConns = %d", got)
		}
	}
	for _, u := range []string{"rediss://r:6380/0", "postgresql://h/db"} {
		e := map[string]string{"SHARECAST_REDIS_URL": "rediss://r:6380/0"}
		if strings.HasPrefix(u, "postgresql") {
			e = map[string]string{"SHARECAST_DATABASE_URL": u}
		}
		c, err := Load(nil, env(e))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if strings.HasPrefix(u, "postgresql") && !c.IsPostgres() {
			t.Fatal("postgresql:// not recognised")
		}
	}
}

func TestLoadListsEveryProblem(t *testing.T) {
	_, err := Load([]string{"--addr", "nope"}, env(map[string]string{
		"SHARECAST_MODE": "production", "SHARECAST_LOG_LEVEL": "loud", "SHARECAST_DB_MAX_OPEN_CONNS": "x",
		"SHARECAST_TRUSTED_PROXIES": "bad1,bad2",
	}))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *Error, got %v", err)
	}
	wants := []string{"SHARECAST_DB_MAX_OPEN_CONNS", "SHARECAST_ADDR", "production mode requires", `"bad1"`, `"bad2"`, "SHARECAST_LOG_LEVEL"}
	if len(ce.Problems) != len(wants) {
		t.Fatalf("got %d problems, want %d: %q", len(ce.Problems), len(wants), ce.Problems)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid configuration:\n  - ") {
		t.Fatalf("message = %q", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("message does not mention %s:\n%s", w, msg)
		}
	}
}

func TestLoadFlagErrors(t *testing.T) {
	// flag writes usage to stderr; keep the test output clean.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = devnull
	defer func() { os.Stderr = old; devnull.Close() }()

	_, err = Load([]string{"--help"}, env(nil))
	if !errors.Is(err, flag.ErrHelp) || !IsConfigError(err) {
		t.Fatalf("--help: %v", err)
	}
	_, err = Load([]string{"--no-such-flag"}, env(nil))
	if err == nil {
		t.Fatal("unknown flag accepted")
	}
	if IsConfigError(errors.New("other")) {
		t.Fatal("IsConfigError(other) = true")
	}
}

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"10.0.0.1", []string{"10.0.0.1"}},
		{"10.0.0.0/8, 192.168.1.1 ,fd00::/8,::1", []string{"10.0.0.0/8", "192.168.1.1", "fd00::/8", "::1"}},
		{",127.0.0.1,,", []string{"127.0.0.1"}},
	}
	for _, tt := range tests {
		c, err := Load(nil, env(map[string]string{"SHARECAST_TRUSTED_PROXIES": tt.in}))
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if !reflect.DeepEqual(c.TrustedProxies, tt.want) {
			t.Fatalf("%q → %q, want %q", tt.in, c.TrustedProxies, tt.want)
		}
	}
}

func TestDecodeSecretKey(t *testing.T) {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(0xfb + i%5) // gives '+' '/' in std and '-' '_' in URL encoding
	}
	std := base64.StdEncoding.EncodeToString(raw)
	if !strings.ContainsAny(std, "+/") {
		t.Fatal("test key does not exercise the alphabet difference")
	}
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"std padded", std, true},
		{"std with whitespace", "  " + std + "\n", true},
		{"raw std", base64.RawStdEncoding.EncodeToString(raw), true},
		{"url padded", base64.URLEncoding.EncodeToString(raw), true},
		{"raw url", base64.RawURLEncoding.EncodeToString(raw), true},
		{"16 bytes", base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(raw, 1)), false},
		{"empty", "", false},
		{"not base64", "this is not base64!!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSecretKey(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && string(got) != string(raw) {
				t.Fatal("decoded key differs")
			}
			if (CheckSecretKey(tt.in) == nil) != tt.ok {
				t.Fatal("CheckSecretKey disagrees with DecodeSecretKey")
			}
		})
	}
}

func TestEnsureSecretKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	c := Config{Mode: Embedded, DataDir: dir}
	if err := c.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeSecretKey(c.SecretKey); err != nil {
		t.Fatalf("generated key: %v", err)
	}
	path := filepath.Join(dir, "secret.key")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key mode = %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.TrimSpace(string(b)) != c.SecretKey {
		t.Fatal("file and config disagree")
	}

	c2 := Config{Mode: Embedded, DataDir: dir}
	if err := c2.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if c2.SecretKey != c.SecretKey {
		t.Fatal("second start generated a new key instead of reusing the file")
	}

	set := Config{Mode: Embedded, DataDir: t.TempDir(), SecretKey: goodKey}
	if err := set.EnsureSecretKey(); err != nil || set.SecretKey != goodKey {
		t.Fatalf("explicit key changed: %v %q", err, set.SecretKey)
	}
	if _, err := os.Stat(filepath.Join(set.DataDir, "secret.key")); !os.IsNotExist(err) {
		t.Fatal("a file was written although a key was configured")
	}
}

func TestEnsureSecretKeyRefusesBadFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Config{Mode: Embedded, DataDir: dir}
	if err := c.EnsureSecretKey(); err == nil {
		t.Fatal("a corrupt secret.key was accepted")
	}
}

func TestEnsureSecretKeyProductionDoesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "prod")
	c := Config{Mode: Production, DataDir: dir}
	if err := c.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if c.SecretKey != "" {
		t.Fatal("production generated a key")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("production touched the data dir: %v", err)
	}
}
