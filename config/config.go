// Package config is the one typed configuration of the service: SHARECAST_* variables, then
// command-line flags over them, validated once at start. Bad configuration is an error whose
// message names every offending variable; main exits 2 on it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Mode selects what may run: embedded mounts the simulator and the clock offset and generates
// secrets; production requires every secret and never mounts the simulator.
type Mode string

const (
	Embedded   Mode = "embedded"
	Production Mode = "production"
)

// Config is every setting the service reads.
type Config struct {
	Mode        Mode
	Addr        string
	DataDir     string
	DatabaseURL string // postgres://… or a SQLite path; empty → <DataDir>/sharecast.db
	RedisURL    string // empty → in-process miniredis
	SecretKey   string // base64 of 32 bytes; empty in embedded mode → generated into DataDir
	// SecretKeyPrevious are earlier secret keys (SHARECAST_SECRET_KEY_PREVIOUS, comma-separated)
	// that still open what they sealed and verify the tokens they signed, during a rotation.
	SecretKeyPrevious []string
	WeChatBaseURL     string // empty → the real WeChat hosts, or the mounted simulator in embedded mode
	MetricsToken      string
	TrustedProxies    []string
	FontPath          string
	DemoPassword      string
	LogLevel          string
	// PublicURL is the service's address as WeChat reaches it (https://…), for WeChat Pay's
	// transfer callbacks. Required in production (one value for every replica); empty in the
	// embedded default → the listen address (the embedded simulator accepts http://).
	PublicURL string
	// DBMaxOpenConns caps the database pool (tests set it low to stay under PostgreSQL's 100).
	DBMaxOpenConns  int
	ShutdownTimeout time.Duration
	// Retention (README "Retention"): touches older than TouchRetention are deleted; the
	// client IP addresses of touches and reservations are blanked after IPRetention.
	TouchRetention time.Duration
	IPRetention    time.Duration
	// Background jobs (zero → production defaults in jobs.Options): how often a replica polls
	// for jobs, after how long a running job counts as stuck and is rescued, and the retry
	// backoff base. Tests and the two-replica run shorten them.
	JobsPollInterval time.Duration
	JobsRescueAfter  time.Duration
	JobsRetryBase    time.Duration
}

// Retention defaults and bounds, in days.
const (
	DefaultTouchRetentionDays = 400
	DefaultIPRetentionDays    = 30
	// MinTouchRetentionDays keeps a live's touches through its holding periods and
	// reconciliation, so attribution and board rebuilds of recent lives are unaffected.
	MinTouchRetentionDays = 31
	maxRetentionDays      = 3650
)

// Load reads getenv, then lets args (flags) override. It validates the result.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Config{
		Mode:              Mode(orDefault(getenv("SHARECAST_MODE"), string(Embedded))),
		Addr:              orDefault(getenv("SHARECAST_ADDR"), "127.0.0.1:8080"),
		DataDir:           orDefault(getenv("SHARECAST_DATA_DIR"), "./data"),
		DatabaseURL:       getenv("SHARECAST_DATABASE_URL"),
		RedisURL:          getenv("SHARECAST_REDIS_URL"),
		SecretKey:         getenv("SHARECAST_SECRET_KEY"),
		SecretKeyPrevious: splitList(getenv("SHARECAST_SECRET_KEY_PREVIOUS")),
		WeChatBaseURL:     getenv("SHARECAST_WECHAT_BASE_URL"),
		MetricsToken:      getenv("SHARECAST_METRICS_TOKEN"),
		TrustedProxies:    splitList(getenv("SHARECAST_TRUSTED_PROXIES")),
		FontPath:          getenv("SHARECAST_FONT_PATH"),
		DemoPassword:      getenv("SHARECAST_DEMO_PASSWORD"),
		LogLevel:          orDefault(getenv("SHARECAST_LOG_LEVEL"), "info"),
		PublicURL:         strings.TrimRight(getenv("SHARECAST_PUBLIC_URL"), "/"),
		DBMaxOpenConns:    20,
		ShutdownTimeout:   20 * time.Second,
		TouchRetention:    DefaultTouchRetentionDays * 24 * time.Hour,
		IPRetention:       DefaultIPRetentionDays * 24 * time.Hour,
	}
	var problems []string
	days := func(name string, min int, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > maxRetentionDays {
			problems = append(problems, fmt.Sprintf("%s must be a whole number of days from %d to %d", name, min, maxRetentionDays))
			return
		}
		*dst = time.Duration(n) * 24 * time.Hour
	}
	dur := func(name string, min time.Duration, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < min || d > 24*time.Hour {
			problems = append(problems, fmt.Sprintf("%s must be a duration from %s to 24h (e.g. 2s, 15m)", name, min))
			return
		}
		*dst = d
	}
	dur("SHARECAST_JOBS_POLL_INTERVAL", 10*time.Millisecond, &c.JobsPollInterval)
	dur("SHARECAST_JOBS_RESCUE_AFTER", time.Second, &c.JobsRescueAfter)
	dur("SHARECAST_JOBS_RETRY_BASE", time.Millisecond, &c.JobsRetryBase)
	days("SHARECAST_TOUCH_RETENTION_DAYS", MinTouchRetentionDays, &c.TouchRetention)
	days("SHARECAST_IP_RETENTION_DAYS", 1, &c.IPRetention)
	if c.IPRetention > c.TouchRetention {
		problems = append(problems, "SHARECAST_IP_RETENTION_DAYS must not exceed SHARECAST_TOUCH_RETENTION_DAYS")
	}
	if v := getenv("SHARECAST_DB_MAX_OPEN_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			problems = append(problems, "SHARECAST_DB_MAX_OPEN_CONNS must be a whole number from 1 to 500")
		} else {
			c.DBMaxOpenConns = n
		}
	}

	fs := flag.NewFlagSet("sharecast", flag.ContinueOnError)
	mode := fs.String("mode", string(c.Mode), "embedded or production (SHARECAST_MODE)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (SHARECAST_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (SHARECAST_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL or SQLite path (SHARECAST_DATABASE_URL)")
	fs.StringVar(&c.RedisURL, "redis-url", c.RedisURL, "redis:// URL; empty runs Redis in-process (SHARECAST_REDIS_URL)")
	fs.StringVar(&c.WeChatBaseURL, "wechat-base-url", c.WeChatBaseURL, "base URL of a separate WeChat simulator (SHARECAST_WECHAT_BASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (SHARECAST_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	c.Mode = Mode(*mode)
	if c.DatabaseURL == "" && c.Mode == Embedded {
		c.DatabaseURL = filepath.Join(c.DataDir, "sharecast.db")
	}
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return Config{}, &Error{Problems: problems}
	}
	return c, nil
}

// Error lists every configuration problem at once.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// IsConfigError reports whether err is a configuration error (exit code 2).
func IsConfigError(err error) bool {
	var ce *Error
	return errors.As(err, &ce) || errors.Is(err, flag.ErrHelp)
}

// IsPostgres reports whether the database URL names PostgreSQL.
func (c Config) IsPostgres() bool { return IsPostgresURL(c.DatabaseURL) }

// IsPostgresURL reports whether u is a postgres:// or postgresql:// URL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func (c Config) validate() []string {
	var p []string
	switch c.Mode {
	case Embedded, Production:
	default:
		p = append(p, fmt.Sprintf("SHARECAST_MODE must be embedded or production, not %q", c.Mode))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		p = append(p, fmt.Sprintf("SHARECAST_ADDR %q is not host:port", c.Addr))
	}
	if c.Mode == Production {
		var missing []string
		if c.DatabaseURL == "" {
			missing = append(missing, "SHARECAST_DATABASE_URL")
		}
		if c.RedisURL == "" {
			missing = append(missing, "SHARECAST_REDIS_URL")
		}
		if c.SecretKey == "" {
			missing = append(missing, "SHARECAST_SECRET_KEY")
		}
		// Every replica must send WeChat Pay the same notify_url: WeChat refuses a repeated
		// create of a bill whose fields differ, and a listen address differs per replica.
		if c.PublicURL == "" {
			missing = append(missing, "SHARECAST_PUBLIC_URL")
		}
		if len(missing) > 0 {
			p = append(p, "production mode requires "+strings.Join(missing, ", "))
		}
		if c.DatabaseURL != "" && !IsPostgresURL(c.DatabaseURL) {
			p = append(p, "production mode requires a postgres:// SHARECAST_DATABASE_URL (SQLite is the embedded default only)")
		}
	}
	for i, k := range c.SecretKeyPrevious {
		if err := CheckSecretKey(k); err != nil {
			p = append(p, fmt.Sprintf("SHARECAST_SECRET_KEY_PREVIOUS key %d %s", i+1, err))
		}
	}
	if c.SecretKey != "" {
		if err := CheckSecretKey(c.SecretKey); err != nil {
			p = append(p, "SHARECAST_SECRET_KEY "+err.Error())
		}
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			p = append(p, "SHARECAST_REDIS_URL must be a redis:// or rediss:// URL")
		}
	}
	if c.WeChatBaseURL != "" {
		if u, err := url.Parse(c.WeChatBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, "SHARECAST_WECHAT_BASE_URL must be an http(s) URL")
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			p = append(p, "SHARECAST_PUBLIC_URL must be an http(s) URL without a query")
		} else if c.Mode == Production && u.Scheme != "https" && c.WeChatBaseURL == "" {
			// http is for a simulator only (SHARECAST_WECHAT_BASE_URL set): WeChat itself calls back over HTTPS.
			p = append(p, "SHARECAST_PUBLIC_URL must be https in production (WeChat Pay calls back over HTTPS only)")
		}
	}
	for _, cidr := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil && net.ParseIP(cidr) == nil {
			p = append(p, fmt.Sprintf("SHARECAST_TRUSTED_PROXIES: %q is neither an IP nor a CIDR", cidr))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, "SHARECAST_LOG_LEVEL must be debug, info, warn or error")
	}
	return p
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
