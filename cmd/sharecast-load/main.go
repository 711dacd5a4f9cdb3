// Command sharecast-load measures the reservation write path and the leaderboard read path of
// a real `sharecast serve` on PostgreSQL + Redis, against two anchors, in one run:
//
//  1. the durable-write anchor: pgbench (-n -c 8 -j 2 -T 15) inserting one row per
//     transaction into a table shaped like reservations (unique live + viewer), ON CONFLICT
//     DO NOTHING, on the same PostgreSQL;
//  2. reservation writes through the HTTP API, open loop at fixed rates, with members and
//     tokens created beforehand: throughput, p50/p99, errors;
//  3. 1,000,000 reservations over 100,000 inviters seeded with COPY, the board rebuilt with
//     `sharecast leaderboard rebuild`, then the leaderboard read (top 50 + my rank) open loop
//     and closed loop, against the SQL baseline mall systems use (GROUP BY inviter ORDER BY
//     count DESC LIMIT 50 with an index on live + inviter, plus the caller's rank);
//  4. the service's peak RSS.
//
// It sends traffic to 127.0.0.1 only, every loop is bounded in count and time, and it stops
// by itself. It is not part of the test suite (figures are reported, not gated):
//
//	go run ./cmd/sharecast-load                     # the full run (several minutes)
//	go run ./cmd/sharecast-load -reservations 100000 -inviters 10000 -duration 5s   # a quick one
//	go run ./cmd/sharecast-load -profile peak -perf  # the live-peak mix at rising rates (peak.go)
//
// With -profile peak it runs the live-peak mix instead (see peak.go): board polls by thousands
// of members, bursts of touches and reservations and open-API order events, at rising
// open-loop rates until a p99 passes -p99 or errors appear, with the service's goroutines,
// resident set and CPU per step.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
)

type options struct {
	pgAdmin, redisURL, dbName, addr, bin string
	rates                                []int
	duration, pgbenchTime                time.Duration
	reservations, inviters, viewers      int
	readRate                             int
	readWorkers                          int
	// the live-peak profile (peak.go)
	profile                string
	peakRates              []int
	stepDuration, p99Bound time.Duration
	pollers, peakInviters  int
	perf, repeat           bool
}

func main() {
	var o options
	var rates string
	flag.StringVar(&o.pgAdmin, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (a database is created and dropped on it)")
	flag.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/14", "Redis database for the service (flushed first)")
	flag.StringVar(&o.dbName, "db", "sharecast_load", "name of the scratch database")
	flag.StringVar(&o.addr, "addr", "", "where the service listens (default: a free loopback port)")
	flag.StringVar(&o.bin, "sharecast", "", "sharecast binary (default: go build ./cmd/sharecast)")
	flag.StringVar(&rates, "rates", "500,1000,2000", "open-loop write rates per second")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each open-loop step")
	flag.DurationVar(&o.pgbenchTime, "pgbench", 15*time.Second, "pgbench -T")
	flag.IntVar(&o.reservations, "reservations", 1_000_000, "reservations seeded with COPY for the read test")
	flag.IntVar(&o.inviters, "inviters", 100_000, "inviters those reservations are spread over")
	flag.IntVar(&o.viewers, "viewers", 12_000, "members with tokens for the write test")
	flag.IntVar(&o.readRate, "read-rate", 2000, "open-loop leaderboard read rate per second")
	flag.IntVar(&o.readWorkers, "read-workers", 32, "closed-loop leaderboard readers")
	var peakRates string
	flag.StringVar(&o.profile, "profile", "full", "full: the anchor, write steps and 1 M-row reads; peak: the live-peak mix at rising rates")
	flag.StringVar(&peakRates, "peak-rates", "25,50,100,150,200,250,300,350,400,500,600", "-profile peak: total open-loop rates per second, one step each")
	flag.DurationVar(&o.stepDuration, "step", 10*time.Second, "-profile peak: length of each step")
	flag.DurationVar(&o.p99Bound, "p99", 100*time.Millisecond, "-profile peak: stop after the step where any operation's p99 exceeds this (or errors appear)")
	flag.IntVar(&o.pollers, "pollers", 3000, "-profile peak: members polling the board")
	flag.IntVar(&o.peakInviters, "peak-inviters", 100, "-profile peak: inviters whose share codes viewers touch and reserve through")
	flag.BoolVar(&o.perf, "perf", false, "-profile peak: sample the service with perf record during each step and summarise the last")
	flag.BoolVar(&o.repeat, "repeat", true, "-profile peak: run a step that crosses the bound once more before stopping (a shared machine's noise)")
	flag.Parse()
	o.rates = parseRates("-rates", rates)
	o.peakRates = parseRates("-peak-rates", peakRates)
	if o.profile != "full" && o.profile != "peak" {
		log.Fatalf("-profile: full or peak, not %q", o.profile)
	}
	if o.addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		o.addr = ln.Addr().String()
		ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func parseRates(name, v string) []int {
	var out []int
	for _, r := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n <= 0 {
			log.Fatalf("%s: %q", name, r)
		}
		out = append(out, n)
	}
	return out
}

// stats is one step's result.
type stats struct {
	name                string
	sent, ok, limited   int64
	errors, dropped     int64
	elapsed             time.Duration
	p50, p99, maxLat    time.Duration
	throughputPerSecond float64
}

func (s stats) String() string {
	return fmt.Sprintf("%-34s sent %7d  ok %7d  429 %5d  errors %4d  dropped %4d  %8.0f/s  p50 %7.2fms  p99 %7.2fms  max %7.1fms",
		s.name, s.sent, s.ok, s.limited, s.errors, s.dropped, s.throughputPerSecond, ms(s.p50), ms(s.p99), ms(s.maxLat))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func run(ctx context.Context, o options) error {
	secretKey := make([]byte, 32)
	_, _ = rand.Read(secretKey)
	dbURL, err := freshDatabase(ctx, o.pgAdmin, o.dbName)
	if err != nil {
		return err
	}
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "sharecast-load")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.bin = filepath.Join(dir, "sharecast")
		fmt.Println("building sharecast…")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "./cmd/sharecast").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	dataDir, err := os.MkdirTemp("", "sharecast-load-data")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)
	env := append(os.Environ(), "SHARECAST_DATABASE_URL="+dbURL, "SHARECAST_REDIS_URL="+o.redisURL,
		"SHARECAST_SECRET_KEY="+base64.StdEncoding.EncodeToString(secretKey), "SHARECAST_DATA_DIR="+dataDir,
		"SHARECAST_ADDR="+o.addr, "SHARECAST_LOG_LEVEL=error", "SHARECAST_TRUSTED_PROXIES=127.0.0.1/32",
		"SHARECAST_DEMO_PASSWORD=load-test-password", "SHARECAST_DB_MAX_OPEN_CONNS=24")
	if err := flushRedis(ctx, o.redisURL); err != nil {
		return err
	}
	if out, err := command(ctx, env, o.bin, "migrate").CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %v\n%s", err, out)
	}

	// 1. The durable-write anchor, before the service runs, on the same PostgreSQL (the full
	// profile only: the peak profile keeps its run short).
	var tps float64
	if o.profile == "full" {
		if tps, err = pgbenchAnchor(ctx, dbURL, o.pgbenchTime); err != nil {
			return err
		}
		fmt.Printf("pgbench anchor (INSERT … ON CONFLICT DO NOTHING, -c 8 -j 2 -T %.0f): %.0f tps\n", o.pgbenchTime.Seconds(), tps)
	}

	srv := command(ctx, env, o.bin, "serve")
	srv.Stdout, srv.Stderr = io.Discard, os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }()
	base := "http://" + o.addr
	if err := waitReady(ctx, base); err != nil {
		return err
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 8})
	if err != nil {
		return err
	}
	defer st.Close()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	b, err := st.BrandBySlug(ctx, "demo")
	if err != nil {
		return err
	}
	// Load runs set their own risk thresholds (DESIGN §3.2): these members are all new and
	// behind one test machine.
	many := 1_000_000
	rules := brands.RulesPatch{RiskInviterBurstCount: &many, RiskIPViewers: &many}
	if _, err := (&brands.Service{Store: st, Clock: clock.System{}}).UpdateSettings(ctx, brands.CLIActor, b.ID, brands.SettingsInput{Rules: &rules}); err != nil {
		return err
	}
	box, err := secrets.New(secretKey)
	if err != nil {
		return err
	}
	issuer := auth.NewIssuer(auth.NewKey(box.Derive("jwt")), clock.System{}, st)
	if o.profile == "peak" {
		return runPeak(ctx, o, peakSetup{base: base, pid: srv.Process.Pid, st: st, pool: pool, issuer: issuer, brandID: b.ID})
	}

	// 2. Writes through the HTTP API.
	fmt.Printf("creating %d members with tokens…\n", o.viewers+200)
	viewerIDs, err := copyMembers(ctx, pool, b.ID, "load-viewer", o.viewers)
	if err != nil {
		return err
	}
	inviterIDs, err := copyMembers(ctx, pool, b.ID, "load-writer-inviter", 200)
	if err != nil {
		return err
	}
	viewerTokens, err := tokens(ctx, issuer, b.ID, viewerIDs)
	if err != nil {
		return err
	}
	inviterTokens, err := tokens(ctx, issuer, b.ID, inviterIDs)
	if err != nil {
		return err
	}
	var writeStats []stats
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxIdleConns: 4096}}
	next := 0 // viewers are used once per live; a new live when they run out
	for _, rate := range o.rates {
		n := int(float64(rate) * o.duration.Seconds())
		lives := (n + len(viewerIDs) - 1) / len(viewerIDs)
		type target struct{ notice, code string }
		var targets []target
		for l := range lives {
			notice := fmt.Sprintf("load-notice-%d-%d", rate, l)
			liveID, err := createLive(ctx, st, b.ID, notice, "load write live")
			if err != nil {
				return err
			}
			for _, tok := range inviterTokens {
				code, err := shareCode(ctx, client, base, tok, liveID)
				if err != nil {
					return err
				}
				targets = append(targets, target{notice, code})
			}
		}
		next = 0
		s := openLoop(ctx, client, fmt.Sprintf("write %d/s", rate), rate, n, func(i int) *http.Request {
			v := (next + i) % len(viewerIDs)
			live := (next + i) / len(viewerIDs)
			t := targets[live*len(inviterTokens)+i%len(inviterTokens)]
			body := fmt.Sprintf(`{"code":%q,"notice_id":%q,"state":6}`, t.code, t.notice)
			req, _ := http.NewRequest("POST", base+"/mp/v1/reservations", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+viewerTokens[v])
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fakeIP(v))
			return req
		})
		fmt.Println(s)
		writeStats = append(writeStats, s)
	}

	// 3. The read path on a big board, against the SQL baseline.
	fmt.Printf("seeding %d reservations over %d inviters with COPY…\n", o.reservations, o.inviters)
	bigLive, err := createLive(ctx, st, b.ID, "load-notice-big", "load big live")
	if err != nil {
		return err
	}
	bigInviters, err := copyMembers(ctx, pool, b.ID, "load-big-inviter", o.inviters)
	if err != nil {
		return err
	}
	seedStart := time.Now()
	if err := copyReservations(ctx, pool, b.ID, bigLive, bigInviters, o.reservations); err != nil {
		return err
	}
	fmt.Printf("COPY of %d reservations: %.1fs\n", o.reservations, time.Since(seedStart).Seconds())
	if _, err := pool.Exec(ctx, "ANALYZE reservations"); err != nil {
		return err
	}
	rebuildStart := time.Now()
	rb := command(ctx, env, o.bin, "leaderboard", "rebuild", "--live", bigLive)
	rb.Stdout, rb.Stderr = os.Stdout, os.Stderr
	if err := rb.Run(); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	rebuildTime := time.Since(rebuildStart)
	fmt.Printf("leaderboard rebuild of %d inviters: %.1fs\n", o.inviters, rebuildTime.Seconds())

	readers, err := tokens(ctx, issuer, b.ID, bigInviters[:min(1000, len(bigInviters))])
	if err != nil {
		return err
	}
	readReq := func(i int) *http.Request {
		req, _ := http.NewRequest("GET", base+"/mp/v1/lives/"+bigLive+"/leaderboard?limit=50", nil)
		req.Header.Set("Authorization", "Bearer "+readers[i%len(readers)])
		req.Header.Set("X-Forwarded-For", fakeIP(i%len(readers)))
		return req
	}
	// warm the caches (the live and the names of the top 50)
	for i := range 20 {
		if res, err := client.Do(readReq(i)); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	readOpen := openLoop(ctx, client, fmt.Sprintf("leaderboard read %d/s", o.readRate), o.readRate,
		int(float64(o.readRate)*o.duration.Seconds()), readReq)
	fmt.Println(readOpen)
	readClosed := closedLoop(ctx, o.readWorkers, o.duration, "leaderboard read closed loop", func(i int) (bool, error) {
		res, err := client.Do(readReq(i))
		if err != nil {
			return false, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode == 200, nil
	})
	fmt.Println(readClosed)

	if _, err := pool.Exec(ctx, "CREATE INDEX IF NOT EXISTS load_baseline_live_inviter ON reservations (live_id, inviter_id)"); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "ANALYZE reservations"); err != nil {
		return err
	}
	const baselineTop = `SELECT inviter_id, count(*) AS n FROM reservations WHERE live_id = $1 AND counted
		GROUP BY inviter_id ORDER BY n DESC, max(counted_at) ASC LIMIT 50`
	const baselineRank = `SELECT count(*) + 1 FROM (SELECT inviter_id FROM reservations WHERE live_id = $1 AND counted
		GROUP BY inviter_id HAVING count(*) > (SELECT count(*) FROM reservations WHERE live_id = $1 AND inviter_id = $2 AND counted)) t`
	baseline := closedLoop(ctx, 8, o.duration+5*time.Second, "SQL baseline (top 50 + my rank)", func(i int) (bool, error) {
		rows, err := pool.Query(ctx, baselineTop, bigLive)
		if err != nil {
			return false, err
		}
		for rows.Next() {
		}
		rows.Close()
		var rank int64
		err = pool.QueryRow(ctx, baselineRank, bigLive, bigInviters[i%len(bigInviters)]).Scan(&rank)
		return err == nil, err
	})
	fmt.Println(baseline)

	rss, err := peakRSS(srv.Process.Pid)
	if err != nil {
		return err
	}
	report(o, tps, writeStats, readOpen, readClosed, baseline, rebuildTime, rss)
	return nil
}

func command(ctx context.Context, env []string, bin string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, bin, args...)
	c.Env = env
	return c
}

func freshDatabase(ctx context.Context, adminURL, name string) (string, error) {
	if !regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(name) {
		return "", fmt.Errorf("-db %q: letters, digits and _", name)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return "", fmt.Errorf("%s: %w", q, err)
		}
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func flushRedis(ctx context.Context, redisURL string) error {
	u, err := url.Parse(redisURL)
	if err != nil {
		return err
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || db == "0" {
		return errors.New("-redis: give a dedicated database number (it is flushed), e.g. redis://127.0.0.1:6379/14")
	}
	out, err := exec.CommandContext(ctx, "redis-cli", "-u", redisURL, "FLUSHDB").CombinedOutput()
	if err != nil {
		return fmt.Errorf("redis-cli FLUSHDB: %v %s", err, out)
	}
	return nil
}

// pgbenchAnchor runs pgbench with a one-row insert into a table shaped like reservations.
func pgbenchAnchor(ctx context.Context, dbURL string, d time.Duration) (float64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	_, err = conn.Exec(ctx, `CREATE TABLE load_anchor (id varchar PRIMARY KEY, brand_id varchar NOT NULL, live_id varchar NOT NULL,
		viewer_id varchar NOT NULL, inviter_id varchar, status varchar NOT NULL, counted boolean NOT NULL,
		counted_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`)
	if err == nil {
		_, err = conn.Exec(ctx, `CREATE UNIQUE INDEX load_anchor_live_viewer ON load_anchor (brand_id, live_id, viewer_id)`)
	}
	conn.Close(ctx)
	if err != nil {
		return 0, err
	}
	script, err := os.CreateTemp("", "anchor-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(script.Name())
	fmt.Fprintln(script, `\set v random(1, 2000000000)`)
	fmt.Fprintln(script, `INSERT INTO load_anchor (id, brand_id, live_id, viewer_id, inviter_id, status, counted, counted_at, created_at, updated_at) `+
		`VALUES (md5(random()::text), 'b', 'l', :v, 'i', 'reserved', true, now(), now(), now()) ON CONFLICT DO NOTHING;`)
	script.Close()
	out, err := exec.CommandContext(ctx, "pgbench", "-n", "-c", "8", "-j", "2", "-T", strconv.Itoa(int(d.Seconds())),
		"-f", script.Name(), dbURL).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.New("the service did not become ready within 60 s")
}

// copyMembers inserts n members with COPY and answers their ids.
func copyMembers(ctx context.Context, pool *pgxpool.Pool, brandID, prefix string, n int) ([]string, error) {
	ids := make([]string, n)
	now := time.Now().UTC()
	rows := make([][]any, n)
	for i := range n {
		ids[i] = uuid.Must(uuid.NewV7()).String()
		rows[i] = []any{ids[i], brandID, fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("%s %d", prefix, i), now, now}
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"members"}, []string{"id", "brand_id", "openid", "nickname", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	return ids, err
}

// copyReservations spreads n counted reservations over the inviters (a skewed spread, so the
// board has a real top) with distinct viewers and counted_at times.
func copyReservations(ctx context.Context, pool *pgxpool.Pool, brandID, liveID string, inviters []string, n int) error {
	start := time.Now().UTC().Add(-24 * time.Hour)
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		// inviter k gets about n/(k+1)/H reservations (Zipf-like); the mod keeps every one in range
		k := int(uint64(i)*2654435761%uint64(len(inviters))) % len(inviters)
		if i%3 == 0 {
			k = (i / 3) % min(len(inviters), 500)
		}
		at := start.Add(time.Duration(i) * 50 * time.Millisecond)
		id := uuid.Must(uuid.NewV7()).String()
		row := []any{id, brandID, liveID, id, inviters[k], "moments", "reserved", "clear", true, at, 6, at, at}
		i++
		return row, nil
	})
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"reservations"}, []string{"id", "brand_id", "live_id", "viewer_id", "inviter_id",
		"channel", "status", "risk", "counted", "counted_at", "last_state", "created_at", "updated_at"}, src)
	return err
}

func createLive(ctx context.Context, st *store.Store, brandID, notice, title string) (string, error) {
	return st.CreateLive(ctx, store.NewLive{BrandID: brandID, Title: title, NoticeID: notice,
		PlannedStartAt: time.Now().Add(24 * time.Hour), Status: "reservable"})
}

// tokens issues an access token per member, eight at a time.
func tokens(ctx context.Context, issuer *auth.Issuer, brandID string, ids []string) ([]string, error) {
	out := make([]string, len(ids))
	var (
		wg       sync.WaitGroup
		firstErr error
		mu       sync.Mutex
		next     atomic.Int64
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				p, err := issuer.Issue(ctx, brandID, ids[i])
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				out[i] = p.AccessToken
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func shareCode(ctx context.Context, client *http.Client, base, token, liveID string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/mp/v1/lives/"+liveID+"/links", strings.NewReader(`{"channels":["other"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		Links []struct{ Code string } `json:"links"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Links) != 1 {
		return "", fmt.Errorf("links: HTTP %d %v", res.StatusCode, err)
	}
	return out.Links[0].Code, nil
}

// fakeIP spreads members over addresses of the benchmarking range (RFC 2544), only ever
// written into X-Forwarded-For: no traffic goes there.
func fakeIP(i int) string { return fmt.Sprintf("198.18.%d.%d", (i/250)%250, i%250+1) }

// maxInFlight bounds the open loop; requests beyond it are dropped and counted.
const maxInFlight = 4096

// openLoop sends n requests at rate per second whatever the answers take (latency is measured
// from each request's scheduled time, so a slow server cannot hide its queue).
func openLoop(ctx context.Context, client *http.Client, name string, rate, n int, mk func(i int) *http.Request) stats {
	var (
		ok, limited, errs, dropped atomic.Int64
		inFlight                   atomic.Int64
		wg                         sync.WaitGroup
		mu                         sync.Mutex
		lat                        = make([]time.Duration, 0, n)
	)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			break
		}
		if inFlight.Load() >= maxInFlight {
			dropped.Add(1)
			continue
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			res, err := client.Do(mk(i))
			took := time.Since(at)
			switch {
			case err != nil:
				errs.Add(1)
				return
			case res.StatusCode == 200:
				ok.Add(1)
			case res.StatusCode == 429:
				limited.Add(1)
			default:
				errs.Add(1)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mu.Lock()
			lat = append(lat, took)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	s := stats{name: name, sent: int64(n) - dropped.Load(), ok: ok.Load(), limited: limited.Load(), errors: errs.Load(),
		dropped: dropped.Load(), elapsed: elapsed}
	s.throughputPerSecond = float64(s.ok) / elapsed.Seconds()
	s.p50, s.p99, s.maxLat = percentiles(lat)
	return s
}

// closedLoop runs workers that each send the next request when the last answered.
func closedLoop(ctx context.Context, workers int, d time.Duration, name string, call func(i int) (bool, error)) stats {
	var (
		ok, errs atomic.Int64
		next     atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		wg       sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				good, err := call(int(next.Add(1)))
				mine = append(mine, time.Since(t))
				if err != nil || !good {
					errs.Add(1)
				} else {
					ok.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	s := stats{name: fmt.Sprintf("%s (%d workers)", name, workers), sent: ok.Load() + errs.Load(), ok: ok.Load(),
		errors: errs.Load(), elapsed: elapsed}
	s.throughputPerSecond = float64(s.ok) / elapsed.Seconds()
	s.p50, s.p99, s.maxLat = percentiles(lat)
	return s
}

func percentiles(lat []time.Duration) (p50, p99, max time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return at(0.50), at(0.99), lat[len(lat)-1]
}

// peakRSS reads the process's high-water resident set (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

func report(o options, tps float64, writes []stats, readOpen, readClosed, baseline stats, rebuild time.Duration, rss int64) {
	fmt.Println()
	fmt.Println("## Summary")
	fmt.Printf("pgbench anchor: %.0f tps\n", tps)
	for _, w := range writes {
		fmt.Printf("%-16s throughput %6.0f/s = %5.1f%% of pgbench; p50 %.2f ms, p99 %.2f ms; 429 %d, errors %d\n",
			w.name, w.throughputPerSecond, 100*w.throughputPerSecond/tps, ms(w.p50), ms(w.p99), w.limited, w.errors)
	}
	fmt.Printf("leaderboard read open loop %d/s: %.0f/s, p50 %.2f ms, p99 %.2f ms, errors %d\n", o.readRate,
		readOpen.throughputPerSecond, ms(readOpen.p50), ms(readOpen.p99), readOpen.errors)
	fmt.Printf("leaderboard read closed loop: %.0f/s (p99 %.2f ms) vs SQL baseline %.2f/s (p50 %.0f ms): %.0f×\n",
		readClosed.throughputPerSecond, ms(readClosed.p99), baseline.throughputPerSecond, ms(baseline.p50),
		readClosed.throughputPerSecond/baseline.throughputPerSecond)
	fmt.Printf("board rebuild (%d reservations, %d inviters): %.1f s\n", o.reservations, o.inviters, rebuild.Seconds())
	fmt.Printf("service peak RSS: %.0f MB\n", float64(rss)/(1<<20))
}
