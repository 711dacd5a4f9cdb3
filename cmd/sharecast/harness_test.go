package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/server/openapi"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// svc is one running service on a loopback port, as a user would run it: the real HTTP
// server, the mounted simulator, the demo brand.
type svc struct {
	t        *testing.T
	base     string
	dataDir  string
	password string
	http     *http.Client
	valid    *openapi.Validator
	app      *app
}

const demoPassword = "demo-password-for-tests"

// engines runs fn once per storage pair: SQLite + miniredis, PostgreSQL + Redis.
func engines(t *testing.T, fn func(t *testing.T, s *svc)) {
	t.Helper()
	enginesWith(t, nil, fn)
}

// setupFunc may change a service's environment and build options before it starts (inject a
// fake for a service another area builds, shorten a timing).
type setupFunc func(env map[string]string, o *buildOptions)

// enginesWith is engines with a setup applied to every service it starts.
func enginesWith(t *testing.T, setup setupFunc, fn func(t *testing.T, s *svc)) {
	t.Helper()
	dbs := storetest.Engines(t)
	rs := storetest.RedisEngines(t)
	for i, e := range dbs {
		redisURL := rs[min(i, len(rs)-1)]
		t.Run(e.Name, func(t *testing.T) { fn(t, start(t, e, redisURL, setup)) })
	}
}

// withDemoLive seeds the demo brand's ended demo live, as a real start does.
func withDemoLive(_ map[string]string, o *buildOptions) { o.noDemoLive = false }

func start(t *testing.T, e storetest.Engine, redisURL string, setups ...setupFunc) *svc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dataDir := t.TempDir()
	dsn := storetest.DSN(t, e)
	if e.Name == "postgres" { // serve refuses an unmigrated PostgreSQL database
		st, err := store.Open(ctx, dsn, store.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	env := map[string]string{
		"SHARECAST_DATA_DIR": dataDir, "SHARECAST_DATABASE_URL": dsn, "SHARECAST_REDIS_URL": redisURL,
		"SHARECAST_DEMO_PASSWORD": demoPassword, "SHARECAST_DB_MAX_OPEN_CONNS": "4", "SHARECAST_LOG_LEVEL": "warn",
	}
	o := buildOptions{bcryptCost: 4, redisPrefix: fmt.Sprintf("e2e:%d:", time.Now().UnixNano()),
		jobs: jobs.Options{FetchPollInterval: 100 * time.Millisecond, RescueStuckAfter: 5 * time.Second, RetryBase: 10 * time.Millisecond},
		// The ended demo live (orders, commissions) only where a test asks for it (withDemoLive).
		noDemoLive: true}
	for _, setup := range setups {
		if setup != nil {
			setup(env, &o)
		}
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logBuf}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	done := make(chan error, 1)
	ready := make(chan *app, 1)
	o.onReady = func(a *app) { ready <- a }
	go func() { done <- serve(ctx, cfg, ln, o, log, io.Discard) }()
	var a *app
	select {
	case a = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("service not ready within 60s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down within 30s")
		}
		if t.Failed() {
			t.Logf("service log:\n%s", logBuf.String())
		}
	})
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := openapi.NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &svc{t: t, base: "http://" + ln.Addr().String(), dataDir: dataDir, password: demoPassword,
		http: &http.Client{Timeout: 30 * time.Second}, valid: v, app: a}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// resp is an answer with its decoded JSON body.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r resp) str(path string) string {
	var cur any = r.body
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// do sends a request. Answers of the service (not of the simulator) are checked against the
// OpenAPI document: the status must be declared and the body must match its schema.
func (s *svc) do(method, path, token string, body any, hdr ...string) resp {
	s.t.Helper()
	return s.send(true, method, path, token, body, hdr...)
}

// unchecked sends a request to a path the document does not hold (unknown routes).
func (s *svc) unchecked(method, path, token string, body any) resp {
	s.t.Helper()
	return s.send(false, method, path, token, body)
}

func (s *svc) send(check bool, method, path, token string, body any, hdr ...string) resp {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	out := resp{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	if check && !strings.HasPrefix(path, "/_sim") {
		vreq, _ := http.NewRequest(method, s.base+path, nil)
		if err := s.valid.ValidateResponse(vreq, res.StatusCode, res.Header, raw); err != nil {
			s.t.Errorf("%s %s answered %d, not as the OpenAPI document says: %v\nbody: %s", method, path, res.StatusCode, err, raw)
		}
	}
	return out
}

// expect fails unless r has status (and, when code is not empty, that error code).
func expect(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.status != status || (code != "" && r.str("code") != code) {
		t.Fatalf("want %d %s, got %d %s", status, code, r.status, r.raw)
	}
	if status >= 400 && r.str("request_id") == "" {
		t.Fatalf("error without request_id: %s", r.raw)
	}
}

// wxCode plays wx.login for a user of appid (a new user when openid is "").
func (s *svc) wxCode(appid, openid string) string {
	s.t.Helper()
	code, _ := s.wxLogin(appid, openid)
	return code
}

// wxLogin is wxCode that also answers the user's openid.
func (s *svc) wxLogin(appid, openid string) (code, gotOpenID string) {
	s.t.Helper()
	body := map[string]any{"appid": appid}
	if openid != "" {
		body["openid"] = openid
	}
	r := s.do("POST", "/_sim/control/login", "", body)
	if r.status != 200 || r.str("code") == "" {
		s.t.Fatalf("sim login: %d %s", r.status, r.raw)
	}
	return r.str("code"), r.str("openid")
}

// login logs a new member of the demo brand in and returns the session answer.
func (s *svc) login() resp {
	s.t.Helper()
	r := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": "wx0000000000000001", "code": s.wxCode("wx0000000000000001", "")})
	expect(s.t, r, 200, "")
	return r
}

// adminLogin logs into the demo brand as admin.
func (s *svc) adminLogin(username, password string) string {
	s.t.Helper()
	r := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": username, "password": password})
	expect(s.t, r, 200, "")
	return r.str("token")
}

func (s *svc) advanceClock(d time.Duration) {
	s.t.Helper()
	r := s.do("POST", "/_sim/control/clock", "", map[string]any{"advance_seconds": int(d / time.Second)})
	if r.status != 200 {
		s.t.Fatalf("advance clock: %d %s", r.status, r.raw)
	}
}

// releaseCommissions runs the release-commissions job now (instead of at its next tick after a
// clock move), again every 200 ms (a queued one is not doubled) until arrived holds; false
// after 30 s, so that the caller can say what it saw. arrived must name the whole end state:
// the job releases one commission per transaction.
func (s *svc) releaseCommissions(arrived func() bool) bool {
	s.t.Helper()
	var last time.Time
	return within(30*time.Second, func() bool {
		if arrived() {
			return true
		}
		if time.Since(last) >= 200*time.Millisecond {
			if _, err := s.app.jobs.Insert(context.Background(), jobs.ReleaseCommissionsArgs{}, nil); err != nil {
				s.t.Fatal(err)
			}
			last = time.Now()
		}
		return false
	})
}

// awaitTick waits until a periodic job of kind inserted after this call has completed: that
// tick read the application clock as it is now (a move made through this replica shows at
// once), so whatever it would do is done. A test asserting that a tick does nothing waits for
// it here instead of sleeping through "a few ticks".
func (s *svc) awaitTick(kind string) {
	s.t.Helper()
	ctx := context.Background()
	db := s.app.store.DB()
	var mark int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM river_job`).Scan(&mark); err != nil {
		s.t.Fatalf("river jobs: %v", err)
	}
	var done int
	if !within(30*time.Second, func() bool {
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = $1 AND id > $2 AND state = 'completed'`,
			kind, mark).Scan(&done); err != nil {
			s.t.Fatalf("river jobs: %v", err)
		}
		return done > 0
	}) {
		s.t.Fatalf("no %s job inserted after job %d completed within 30s", kind, mark)
	}
}

// awaitIdle waits until no job of these kinds is waiting, scheduled or running, so that a
// send a test expects not to happen would have happened by now.
func (s *svc) awaitIdle(kinds ...string) {
	s.t.Helper()
	ctx := context.Background()
	q := `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
		AND kind IN ('` + strings.Join(kinds, "', '") + `')`
	var open int
	if !within(30*time.Second, func() bool {
		if err := s.app.store.DB().QueryRowContext(ctx, q).Scan(&open); err != nil {
			s.t.Fatalf("river jobs: %v", err)
		}
		return open == 0
	}) {
		s.t.Fatalf("%d jobs of %v still open after 30s", open, kinds)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
