package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// Two replicas (issue 10 item 3): the built binary runs `sharecast simulator` and two
// `sharecast serve` on one PostgreSQL and one Redis (shared data dir: the simulator keys;
// shared database: the clock offset). Members, reservations and orders are spread over both
// replicas; River jobs (outgoing webhook deliveries) run in both, with short polling and a
// stuck-job rescue after seconds; replica 2 is killed (SIGKILL) in the middle; replica 1
// finishes the work: every reservation's webhook arrives, boards equal PostgreSQL's counts,
// the ledger verifies.
//
// It builds the binary and starts processes, so it runs only with SHARECAST_TEST_REPLICAS=1
// and real services (SHARECAST_TEST_POSTGRES_URL, SHARECAST_TEST_REDIS_URL).
// payouts: requested over both replicas, replayed and approved on the other one, replica 2
// killed while their sends may run; each ends once, with one bill at WeChat (replicas_payouts_test.go).
func TestTwoReplicas(t *testing.T) {
	if os.Getenv("SHARECAST_TEST_REPLICAS") != "1" {
		t.Skip("SHARECAST_TEST_REPLICAS=1 runs the two-replica test (builds the binary, needs PostgreSQL and Redis)")
	}
	var pg *storetest.Engine
	for _, e := range storetest.Engines(t) {
		if e.Name == "postgres" {
			pg = &e
		}
	}
	redisURL := ""
	if rs := storetest.RedisEngines(t); len(rs) > 1 {
		redisURL = rs[1]
	}
	if pg == nil || redisURL == "" {
		t.Fatal("the two-replica test needs SHARECAST_TEST_POSTGRES_URL and SHARECAST_TEST_REDIS_URL")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sharecast")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	dataDir := filepath.Join(dir, "data")
	ports := freePorts(t, 3)
	simURL, r1URL, r2URL := "http://127.0.0.1:"+ports[0], "http://127.0.0.1:"+ports[1], "http://127.0.0.1:"+ports[2]
	env := map[string]string{
		"SHARECAST_DATA_DIR": dataDir, "SHARECAST_DATABASE_URL": storetest.DSN(t, *pg), "SHARECAST_REDIS_URL": redisURL,
		"SHARECAST_SECRET_KEY": base64.StdEncoding.EncodeToString(raw), "SHARECAST_WECHAT_BASE_URL": simURL + "/_sim",
		"SHARECAST_DEMO_PASSWORD": demoPassword, "SHARECAST_DB_MAX_OPEN_CONNS": "6", "SHARECAST_LOG_LEVEL": "warn",
		"SHARECAST_JOBS_POLL_INTERVAL": "100ms", "SHARECAST_JOBS_RESCUE_AFTER": "3s", "SHARECAST_JOBS_RETRY_BASE": "20ms",
		"SHARECAST_SIMULATOR_SERVICE_URL": r1URL,
		// payouts: one public URL for both replicas (the reverse proxy's in production). Without
		// it each replica names its own address as the bill's notify_url, and a create repeated
		// by the other replica (after a crash or a lost answer) is refused by WeChat as another
		// request with the same out_bill_no: the bill waits with no package_info for 24 h.
		"SHARECAST_PUBLIC_URL": r1URL,
	}
	if code, out, errOut := runBin(t, bin, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	sim := startBin(t, bin, env, "simulator", "--addr", "127.0.0.1:"+ports[0])
	waitURL(t, simURL+"/_sim/control/faults", sim)
	r1 := startBin(t, bin, env, "serve", "--addr", "127.0.0.1:"+ports[1])
	waitURL(t, r1URL+"/readyz", r1)
	r2 := startBin(t, bin, env, "serve", "--addr", "127.0.0.1:"+ports[2]) // after r1 seeded the demo brand
	waitURL(t, r2URL+"/readyz", r2)
	replicas := []string{r1URL, r2URL}

	c := &http.Client{Timeout: 20 * time.Second}
	call := func(base, method, path, token string, body any, headers ...string) (int, map[string]any, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s%s: %v", method, base, path, err)
		}
		defer res.Body.Close()
		rawBody, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(rawBody, &m)
		return res.StatusCode, m, rawBody
	}
	must := func(status int, want int, raw []byte, what string) {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %s", what, status, raw)
		}
	}

	// The clock offset is shared: moved by an hour through replica 1 and by a second through
	// replica 2, it is an hour and a second.
	st, _, raw1 := call(r1URL, "POST", "/_sim/control/clock", "", map[string]any{"advance_seconds": 3600})
	must(st, 200, raw1, "advance clock")
	want := float64(3601)
	st, m, raw1 := call(r2URL, "POST", "/_sim/control/clock", "", map[string]any{"advance_seconds": 1})
	if st != 200 || m["offset_seconds"] != want {
		t.Fatalf("replica 2 sees offset %v, replica 1 set %v: %s", m["offset_seconds"], want, raw1)
	}

	// A webhook receiver counts each event once (deliveries are at least once).
	var mu sync.Mutex
	got := map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Header.Get("Sharecast-Event-Id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	st, m, raw1 = call(r1URL, "POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": demoPassword})
	must(st, 200, raw1, "admin login")
	admin := m["token"].(string)
	st, _, raw1 = call(r2URL, "POST", "/admin/v1/webhooks", admin, map[string]any{"url": recv.URL + "/hook", "event_types": []string{"reservation.created"}})
	must(st, 201, raw1, "webhook")
	st, m, raw1 = call(r2URL, "POST", "/admin/v1/lives", admin, map[string]any{"title": "two replicas", "notice_id": "replica-notice",
		"planned_start_at": time.Now().Add(72 * time.Hour).Format(time.RFC3339), "target_reservations": 100})
	must(st, 201, raw1, "live")
	liveID := m["live"].(map[string]any)["id"].(string)

	loginM := func(base string) (string, string) {
		t.Helper()
		st, m, raw := call(simURL, "POST", "/_sim/control/login", "", map[string]any{"appid": demoAppID})
		must(st, 200, raw, "sim login")
		st, m, raw = call(base, "POST", "/mp/v1/session", "", map[string]any{"appid": demoAppID, "code": m["code"]})
		must(st, 200, raw, "session")
		return m["access_token"].(string), m["member"].(map[string]any)["id"].(string)
	}
	login := func(base string) string { tok, _ := loginM(base); return tok }
	inviter := login(r1URL)
	st, m, raw1 = call(r2URL, "POST", "/mp/v1/lives/"+liveID+"/links", inviter, map[string]any{})
	must(st, 200, raw1, "links")
	code := m["links"].([]any)[0].(map[string]any)["code"].(string)

	// payouts: six requested over both replicas (each replayed and approved on the other one),
	// with lost create answers and duplicate, reordered callbacks; replica 2 dies below while
	// their sends may still be running.
	pay := &replicaPayouts{t: t, call: call, simURL: simURL, owner: admin, jobs: func(id string) string {
		db, err := store.Open(context.Background(), env["SHARECAST_DATABASE_URL"], store.Options{MaxOpenConns: 1})
		if err != nil {
			return err.Error()
		}
		defer db.Close()
		rows, err := db.DB().QueryContext(context.Background(), `SELECT id, state, attempt, attempted_by::text, errors::text FROM river_job
			WHERE kind = 'payout_advance' AND args->>'payout_id' = $1 ORDER BY id`, id)
		if err != nil {
			return err.Error()
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var jid, attempt int64
			var state string
			var by, errs *string
			_ = rows.Scan(&jid, &state, &attempt, &by, &errs)
			line := fmt.Sprintf("job %d %s attempt %d by %v", jid, state, attempt, deref(by))
			if e := deref(errs); len(e) > 400 {
				line += " errors …" + e[len(e)-400:]
			} else {
				line += " errors " + e
			}
			out = append(out, line)
		}
		rows.Close()
		if arows, err := db.DB().QueryContext(context.Background(), `SELECT op, outcome, wechat_state, code, message FROM transfer_attempts
			WHERE payout_id = $1 ORDER BY started_at`, id); err == nil {
			for arows.Next() {
				var op, outcome, state, code, msg string
				_ = arows.Scan(&op, &outcome, &state, &code, &msg)
				out = append(out, fmt.Sprintf("attempt %s %s %s %s %s", op, outcome, state, code, msg))
			}
			arows.Close()
		}
		return strings.Join(out, "\n  ")
	}}
	pay.setup(r1URL, r2URL)
	fins := []string{pay.fin1, pay.fin2}
	for i := range 6 {
		tok, id := loginM(replicas[i%2])
		pay.request(replicas[i%2], replicas[1-i%2], fins[1-i%2], tok, id, int64(1_000+i*1_500))
	}

	// Viewers spread over both replicas; replica 2 is killed half-way.
	const viewers = 24
	reserved := 0
	for i := range viewers {
		base := replicas[i%2]
		if i >= viewers/2 {
			if i == viewers/2 {
				_ = r2.Process.Signal(syscall.SIGKILL)
				_, _ = r2.Process.Wait()
			}
			base = r1URL // the proxy would now send everything to replica 1
		}
		v := login(base)
		st, _, raw := call(base, "POST", "/mp/v1/touches", v, map[string]any{"code": code})
		must(st, 200, raw, "touch")
		st, _, raw = call(base, "POST", "/mp/v1/reservations", v, map[string]any{"code": code, "notice_id": "replica-notice", "state": 6})
		must(st, 200, raw, "reservation")
		reserved++
	}

	// payouts: two more on replica 1 alone, then replica 1 brings all eight to their end.
	for i := range 2 {
		tok, id := loginM(r1URL)
		pay.request(r1URL, r1URL, pay.fin1, tok, id, int64(2_000+i*4_000))
	}
	payCounts := pay.finish(r1URL)

	// Replica 1 finishes every delivery, including the jobs replica 2 held when it died.
	deadline := time.Now().Add(90 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= reserved {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d reservation webhooks delivered after replica 2 died", n, reserved)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The board on replica 1 equals PostgreSQL's count of counted reservations.
	st, m, raw1 = call(r1URL, "GET", "/admin/v1/lives/"+liveID+"/leaderboard", admin, nil)
	must(st, 200, raw1, "board")
	var onBoard float64
	for _, e := range m["entries"].([]any) {
		onBoard += e.(map[string]any)["reservations"].(float64)
	}
	var inDB int
	st2, err := store.Open(context.Background(), env["SHARECAST_DATABASE_URL"], store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := st2.DB().QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM reservations WHERE live_id = $1 AND counted`, liveID).Scan(&inDB); err != nil {
		t.Fatal(err)
	}
	if int(onBoard) != inDB || inDB == 0 {
		t.Fatalf("board shows %v reservations, PostgreSQL counts %d (of %d reported)", onBoard, inDB, reserved)
	}
	// Both replicas worked jobs (River records the client that attempted each).
	var workers int
	if err := st2.DB().QueryRowContext(context.Background(),
		`SELECT COUNT(DISTINCT a) FROM river_job CROSS JOIN LATERAL unnest(attempted_by) AS a`).Scan(&workers); err != nil {
		t.Fatal(err)
	}
	if workers < 2 {
		t.Fatalf("jobs were worked by %d replica(s), want both", workers)
	}
	// payouts: which clients sent them (reported: the scheduler decides).
	var payWorkers int
	if err := st2.DB().QueryRowContext(context.Background(), `SELECT COUNT(DISTINCT a) FROM river_job
		CROSS JOIN LATERAL unnest(attempted_by) AS a WHERE kind = 'payout_advance'`).Scan(&payWorkers); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runBin(t, bin, env, "ledger", "verify"); code != 0 {
		t.Fatalf("ledger verify: %d %s %s", code, out, errOut)
	}
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	t.Logf("two replicas: %d reservations (%d through replica 2 before it was killed), %d events delivered (%d duplicate deliveries), jobs worked by %d River clients, board = PostgreSQL = %d counted; %d payouts (6 over both replicas, 2 after the kill) ended %v, one bill each, sent by %d River clients",
		reserved, viewers/4, len(got), dups, workers, inDB, len(pay.ids), payCounts, payWorkers)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

func binEnv(env map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func runBin(t *testing.T, bin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = binEnv(env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

func startBin(t *testing.T, bin string, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = binEnv(env)
	logs := &lockedWriter{w: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _, _ = cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			logs.mu.Lock()
			t.Logf("%s log:\n%s", strings.Join(args, " "), logs.w.(*bytes.Buffer).String())
			logs.mu.Unlock()
		}
	})
	return cmd
}

func waitURL(t *testing.T, url string, cmd *exec.Cmd) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if cmd.ProcessState != nil {
			t.Fatalf("%v exited", cmd.Args)
		}
	}
	t.Fatalf("%s not ready within 60s", url)
}
