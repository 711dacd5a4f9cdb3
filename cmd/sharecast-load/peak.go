package main

// The live-peak profile (-profile peak): a mix shaped like the first 20 minutes of a live, at
// rising open-loop rates, until p99 > the latency bound or errors appear.
//
// Per step, with the step's total rate R split by the mix below:
//   - board polls: GET /mp/v1/lives/{id}/leaderboard by thousands of members (each member polls
//     in turn), steady;
//   - touches: POST /mp/v1/touches {code}, in bursts (a 4 s cycle: 1 s at 2.5× the mean rate,
//     3 s at 0.5×, the mean kept);
//   - reservations: POST /mp/v1/reservations, every one a new viewer's first, in the same
//     bursts as the touches;
//   - order events: POST /open/v1/orders with the brand's API key, one new order per request
//     (one or two lines, a buyer openid, the live and a share code), steady.
//
// Latency is measured from each request's scheduled time (open loop), so queueing shows.
// During each step the service's goroutines (/metrics go_goroutines) and resident set
// (/proc/<pid>/status VmRSS, VmHWM) are sampled every 500 ms; with -perf the service is
// sampled by `perf record` during every step and the last step's profile is summarised.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
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

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/store"
)

// peakOp is one operation of the mix.
type peakOp struct {
	name  string
	share float64 // of the step's total rate
	burst bool
	mk    func(i int) *http.Request
}

// opResult is one operation's figures in one step.
type opResult struct {
	name             string
	offered, sent    int
	dropped          int64
	byStatus         map[int]int64
	transportErrors  int64
	ok               int64
	p50, p99, maxLat time.Duration
	elapsed          time.Duration
}

func (r opResult) errors() int64 {
	n := r.transportErrors
	for code, c := range r.byStatus {
		if code < 200 || code > 299 {
			n += c
		}
	}
	return n
}

func (r opResult) statuses() string {
	codes := make([]int, 0, len(r.byStatus))
	for c := range r.byStatus {
		if c < 200 || c > 299 {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", r.byStatus[c], c))
	}
	if r.transportErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d×transport", r.transportErrors))
	}
	if r.dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d×dropped", r.dropped))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

type stepResult struct {
	rate          int
	ops           []opResult
	maxGoroutines int
	maxRSS, hwm   int64
	loadavg       string // the machine's 1-minute load average at the step's end (shared machine)
	cpu           cpuShare
}

// cpuShare is the CPU each party used during a step, in cores (1.0 = one core busy).
type cpuShare struct{ service, postgres, redis, generator float64 }

// cpuSample is the CPU ticks (user + system) of the service, of each postgres and
// redis-server process by pid, and of this generator, from /proc.
type cpuSample struct {
	service, self   int64
	postgres, redis map[string]int64
}

func takeCPU(servicePID int) cpuSample {
	c := cpuSample{service: procTicks(strconv.Itoa(servicePID)), self: procTicks("self"),
		postgres: map[string]int64{}, redis: map[string]int64{}}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err != nil {
			continue
		}
		switch strings.TrimSpace(string(comm)) {
		case "postgres":
			c.postgres[d.Name()] = procTicks(d.Name())
		case "redis-server":
			c.redis[d.Name()] = procTicks(d.Name())
		}
	}
	return c
}

// share answers the cores each party used from c to later over wall seconds; a PostgreSQL
// process counts only if it lived through both samples (backends of short connections come
// and go), and other users' long-lived backends count too: the figure is indicative.
func (c cpuSample) share(later cpuSample, wall float64) cpuShare {
	delta := func(a, b map[string]int64) (n int64) {
		for pid, t := range b {
			if t0, ok := a[pid]; ok && t >= t0 {
				n += t - t0
			}
		}
		return n
	}
	d := wall * clockTicks
	return cpuShare{service: float64(later.service-c.service) / d, postgres: float64(delta(c.postgres, later.postgres)) / d,
		redis: float64(delta(c.redis, later.redis)) / d, generator: float64(later.self-c.self) / d}
}

// procTicks reads utime + stime of /proc/<pid>/stat (0 when the process is gone).
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// the command name (field 2) may hold spaces: count fields after its closing parenthesis
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// clockTicks is USER_HZ, 100 on Linux.
const clockTicks = 100

// burstFactor is the touch and reservation rate shape: 1 s at 2.5× then 3 s at 0.5× (mean 1×).
func burstFactor(t time.Duration) float64 {
	if t%(4*time.Second) < time.Second {
		return 2.5
	}
	return 0.5
}

// schedule answers the send times of one operation over d at mean rate r.
func schedule(r float64, d time.Duration, burst bool) []time.Duration {
	if r <= 0 {
		return nil
	}
	var out []time.Duration
	for t := time.Duration(0); t < d; {
		out = append(out, t)
		f := 1.0
		if burst {
			f = burstFactor(t)
		}
		t += time.Duration(float64(time.Second) / (r * f))
	}
	return out
}

type event struct {
	at time.Duration
	op int
	i  int
}

// runStep sends the mix at total rate for d, open loop, and answers each operation's figures.
func runStep(ctx context.Context, client *http.Client, ops []peakOp, rate int, d time.Duration, counters []int) []opResult {
	var events []event
	for k, op := range ops {
		for _, at := range schedule(float64(rate)*op.share, d, op.burst) {
			events = append(events, event{at: at, op: k})
		}
	}
	slices.SortFunc(events, func(a, b event) int { return int(a.at - b.at) })
	type acc struct {
		mu       sync.Mutex
		lat      []time.Duration
		byStatus map[int]int64
		terr     int64
		dropped  int64
		sent     int
		offered  int
	}
	accs := make([]*acc, len(ops))
	for k := range accs {
		accs[k] = &acc{byStatus: map[int]int64{}}
	}
	var (
		inFlight atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for _, ev := range events {
		at := start.Add(ev.at)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		if ctx.Err() != nil {
			break
		}
		a := accs[ev.op]
		a.offered++
		if inFlight.Load() >= maxInFlight {
			a.dropped++
			continue
		}
		a.sent++
		i := counters[ev.op]
		counters[ev.op]++
		req := ops[ev.op].mk(i)
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			res, err := client.Do(req)
			if err != nil {
				a.mu.Lock()
				a.terr++
				a.mu.Unlock()
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			took := time.Since(at)
			a.mu.Lock()
			a.byStatus[res.StatusCode]++
			a.lat = append(a.lat, took)
			a.mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := make([]opResult, len(ops))
	for k, a := range accs {
		r := opResult{name: ops[k].name, offered: a.offered, sent: a.sent, dropped: a.dropped, byStatus: a.byStatus,
			transportErrors: a.terr, elapsed: elapsed}
		for code, c := range a.byStatus {
			if code >= 200 && code <= 299 {
				r.ok += c
			}
		}
		r.p50, r.p99, r.maxLat = percentiles(a.lat)
		out[k] = r
	}
	return out
}

// sampler records the service's peak goroutines and resident set while a step runs.
type sampler struct {
	stop                    chan struct{}
	done                    chan struct{}
	maxGoroutines           int
	maxRSS                  int64
	base                    string
	pid                     int
	metricsClient           *http.Client
	goroutineErr, rssErrors int
}

func startSampler(base string, pid int) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{}), base: base, pid: pid,
		metricsClient: &http.Client{Timeout: 2 * time.Second}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				s.sample()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) Stop() { close(s.stop); <-s.done }

func (s *sampler) sample() {
	if g, err := goroutines(s.metricsClient, s.base); err == nil {
		s.maxGoroutines = max(s.maxGoroutines, g)
	} else {
		s.goroutineErr++
	}
	if rss, err := procStatus(s.pid, "VmRSS:"); err == nil {
		s.maxRSS = max(s.maxRSS, rss)
	} else {
		s.rssErrors++
	}
}

// goroutines reads go_goroutines from the service's /metrics.
func goroutines(client *http.Client, base string) (int, error) {
	res, err := client.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("/metrics: HTTP %d without go_goroutines", res.StatusCode)
}

// procStatus reads one kB field of /proc/<pid>/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

// peakSetup is what the peak profile needs from the common setup.
type peakSetup struct {
	base    string
	pid     int
	st      *store.Store
	pool    *pgxpool.Pool
	issuer  *auth.Issuer
	brandID string
}

func runPeak(ctx context.Context, o options, p peakSetup) error {
	fmt.Printf("live-peak profile: creating %d viewers and %d inviters with tokens…\n", o.viewers, o.peakInviters)
	viewerIDs, err := copyMembers(ctx, p.pool, p.brandID, "peak-viewer", o.viewers)
	if err != nil {
		return err
	}
	inviterIDs, err := copyMembers(ctx, p.pool, p.brandID, "peak-inviter", o.peakInviters)
	if err != nil {
		return err
	}
	tokStart := time.Now()
	viewerTokens, err := tokens(ctx, p.issuer, p.brandID, viewerIDs)
	if err != nil {
		return err
	}
	inviterTokens, err := tokens(ctx, p.issuer, p.brandID, inviterIDs)
	if err != nil {
		return err
	}
	fmt.Printf("tokens signed in %.1fs\n", time.Since(tokStart).Seconds())
	liveID, err := createLive(ctx, p.st, p.brandID, "peak-notice", "load live peak")
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxIdleConns: 4096}}
	codes := make([]string, len(inviterTokens))
	for k, tok := range inviterTokens {
		if codes[k], err = shareCode(ctx, client, p.base, tok, liveID); err != nil {
			return err
		}
	}
	_, apiKey, err := (&brands.APIKeys{Store: p.st.Orders(), Clock: clock.System{}}).Create(ctx, brands.CLIActor, p.brandID, "load peak")
	if err != nil {
		return fmt.Errorf("API key: %w", err)
	}
	pollers := min(o.pollers, len(viewerTokens))
	run := time.Now().UnixNano()
	ops := []peakOp{
		{name: "board poll", share: 0.60, mk: func(i int) *http.Request {
			m := i % pollers
			req, _ := http.NewRequest("GET", p.base+"/mp/v1/lives/"+liveID+"/leaderboard?limit=50", nil)
			req.Header.Set("Authorization", "Bearer "+viewerTokens[m])
			req.Header.Set("X-Forwarded-For", fakeIP(m))
			return req
		}},
		{name: "touch", share: 0.20, burst: true, mk: func(i int) *http.Request {
			v := i % len(viewerTokens)
			body := fmt.Sprintf(`{"code":%q}`, codes[i%len(codes)])
			req, _ := http.NewRequest("POST", p.base+"/mp/v1/touches", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+viewerTokens[v])
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fakeIP(v))
			return req
		}},
		{name: "reservation", share: 0.12, burst: true, mk: func(i int) *http.Request {
			// every reservation a new viewer's first (the last viewers first, away from the pollers)
			v := len(viewerTokens) - 1 - i%len(viewerTokens)
			body := fmt.Sprintf(`{"code":%q,"notice_id":"peak-notice","state":6}`, codes[i%len(codes)])
			req, _ := http.NewRequest("POST", p.base+"/mp/v1/reservations", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+viewerTokens[v])
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fakeIP(v))
			return req
		}},
		{name: "order (open API)", share: 0.08, mk: func(i int) *http.Request {
			lines := `{"line_id":"l1","product_id":"p1","sku_id":"s1","product_type":"classic","quantity":1,"paid_fen":9900}`
			if i%3 == 0 {
				lines += `,{"line_id":"l2","product_id":"p2","sku_id":"s2","product_type":"flash_sale","quantity":2,"paid_fen":3980}`
			}
			body := fmt.Sprintf(`{"external_id":"peak-%d-%d","buyer":{"openid":"peak-viewer-%d"},"lines":[%s],"ship_city":"上海","paid_at":%q,"live_id":%q,"share_code":%q}`,
				run, i, i%len(viewerTokens), lines, time.Now().UTC().Format(time.RFC3339Nano), liveID, codes[i%len(codes)])
			req, _ := http.NewRequest("POST", p.base+"/open/v1/orders", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+apiKey)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fakeIP(100_000+i%5000))
			return req
		}},
	}
	var perfDir string
	if o.perf {
		if perfDir, err = os.MkdirTemp("", "sharecast-load-perf"); err != nil {
			return err
		}
		defer os.RemoveAll(perfDir)
	}
	counters := make([]int, len(ops))
	// a short warm-up at the first rate, not reported: connection pools, prepared statements
	// and the caches of the live, the links and the names fill here rather than in step one
	warm := runStep(ctx, client, ops, o.peakRates[0], 3*time.Second, counters)
	for _, r := range warm {
		if r.ok == 0 {
			return fmt.Errorf("warm-up: no %s succeeded (%s)", r.name, r.statuses())
		}
	}
	time.Sleep(time.Second)
	var steps []stepResult
	var lastPerf string
	repeated := false
	for k := 0; k < len(o.peakRates); k++ {
		rate := o.peakRates[k]
		if ctx.Err() != nil {
			break
		}
		var perf *exec.Cmd
		if o.perf {
			lastPerf = filepath.Join(perfDir, fmt.Sprintf("step-%d.data", rate))
			perf = exec.CommandContext(ctx, "perf", "record", "-F", "199", "-g", "-o", lastPerf, "-p", strconv.Itoa(p.pid))
			perf.Stdout, perf.Stderr = io.Discard, io.Discard
			if err := perf.Start(); err != nil {
				return fmt.Errorf("perf record: %w", err)
			}
		}
		smp := startSampler(p.base, p.pid)
		cpu0, t0 := takeCPU(p.pid), time.Now()
		ops := runStep(ctx, client, ops, rate, o.stepDuration, counters)
		cpu := cpu0.share(takeCPU(p.pid), time.Since(t0).Seconds())
		smp.Stop()
		if perf != nil {
			_ = perf.Process.Signal(os.Interrupt)
			_ = perf.Wait()
		}
		hwm, _ := procStatus(p.pid, "VmHWM:")
		s := stepResult{rate: rate, ops: ops, maxGoroutines: smp.maxGoroutines, maxRSS: smp.maxRSS, hwm: hwm, loadavg: loadAvg(),
			cpu: cpu}
		steps = append(steps, s)
		printStep(s)
		stop := false
		for _, r := range ops {
			if r.p99 > o.p99Bound || r.errors() > 0 || r.dropped > 0 {
				stop = true
			}
		}
		switch {
		case stop && !repeated && o.repeat:
			// on a shared machine one step can cross the bound from a neighbour's burst: the
			// same rate runs once more and the profile stops only if it crosses again
			fmt.Printf("p99 above %v or errors at %d/s: repeating the step once\n", o.p99Bound, rate)
			repeated = true
			k--
		case stop:
			fmt.Printf("stopping: p99 above %v or errors at %d/s\n", o.p99Bound, rate)
			k = len(o.peakRates)
			continue
		default:
			repeated = false
		}
		// let the queues drain between steps
		time.Sleep(2 * time.Second)
	}
	peakReport(o, steps)
	if lastPerf != "" {
		fmt.Println("\n## perf profile of the service during the last step (top symbols, self time)")
		out, err := exec.CommandContext(ctx, "perf", "report", "-i", lastPerf, "--stdio", "--no-children",
			"--sort", "sym", "--percent-limit", "1.5", "-g", "none").CombinedOutput()
		if err != nil {
			fmt.Printf("perf report: %v\n", err)
		}
		printFiltered(out)
		out, err = exec.CommandContext(ctx, "perf", "report", "-i", lastPerf, "--stdio", "--children",
			"--sort", "sym", "--percent-limit", "2", "-g", "none").CombinedOutput()
		if err == nil {
			fmt.Println("\n## … inclusive time of the handlers, the drivers, the GC and the kernel's socket calls (≥ 2 %)")
			printFiltered(inclusiveOfInterest.FindAll(out, -1)...)
		}
	}
	return nil
}

// inclusiveOfInterest picks the lines of an inclusive perf report that say where time goes:
// the service's own handlers and domain calls, the drivers' round trips, the collector,
// allocation and the socket system calls.
var inclusiveOfInterest = regexp.MustCompile(`(?m)^.*(sharecast/sharecast/(miniprogramapi|server|referral|leaderboard|brands|auth|store|kv)\.[^ ]*|` +
	`pgx/v5\.\(\*Conn\)\.(Query|Exec|QueryRow)|database/sql\.\(\*DB\)\.(QueryContext|ExecContext|BeginTx)|go-redis/v9\.\(\*baseClient\)\._process|` +
	`go-redis/v9\.\(\*Pipeline\)\.Exec|runtime\.gcBgMarkWorker|runtime\.mallocgc|encoding/json\.(Marshal|\(\*Decoder\)\.Decode)|` +
	`\[k\] (__x64_sys_write|__x64_sys_read|__x64_sys_sendto|__x64_sys_recvfrom|__x64_sys_epoll_wait|__x64_sys_futex))$`)

func printFiltered(lines ...[]byte) {
	out := bytes.Join(lines, []byte("\n"))
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		fmt.Println(l)
	}
}

func printStep(s stepResult) {
	fmt.Printf("\n### step %d/s: service peak goroutines %d, RSS %.0f MB (high-water %.0f MB), machine load %s\n", s.rate, s.maxGoroutines,
		float64(s.maxRSS)/(1<<20), float64(s.hwm)/(1<<20), s.loadavg)
	fmt.Printf("  CPU in cores: service %.2f, PostgreSQL %.2f, Redis %.2f, this generator %.2f (of 2 shared)\n",
		s.cpu.service, s.cpu.postgres, s.cpu.redis, s.cpu.generator)
	for _, r := range s.ops {
		secs := r.elapsed.Seconds()
		fmt.Printf("  %-18s offered %6.0f/s  sustained %6.0f/s  p50 %7.2f ms  p99 %7.2f ms  max %7.1f ms  errors: %s\n",
			r.name, float64(r.offered)/secs, float64(r.ok)/secs, ms(r.p50), ms(r.p99), ms(r.maxLat), r.statuses())
	}
}

func peakReport(o options, steps []stepResult) {
	fmt.Println("\n## Live-peak summary (markdown)")
	fmt.Println("| step (total/s) | operation | offered/s | sustained/s | p50 ms | p99 ms | errors | goroutines | RSS MB | CPU cores svc/pg/redis/gen |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, s := range steps {
		for k, r := range s.ops {
			secs := r.elapsed.Seconds()
			g, rss, cpu := "", "", ""
			if k == 0 {
				g, rss = strconv.Itoa(s.maxGoroutines), fmt.Sprintf("%.0f", float64(s.maxRSS)/(1<<20))
				cpu = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", s.cpu.service, s.cpu.postgres, s.cpu.redis, s.cpu.generator)
			}
			fmt.Printf("| %d | %s | %.0f | %.0f | %.1f | %.1f | %s | %s | %s | %s |\n", s.rate, r.name, float64(r.offered)/secs,
				float64(r.ok)/secs, ms(r.p50), ms(r.p99), r.statuses(), g, rss, cpu)
		}
	}
	good := -1
	for k, s := range steps {
		if good >= 0 && s.rate <= steps[good].rate {
			continue // a repeat of a step that already held
		}
		ok := true
		for _, r := range s.ops {
			if r.p99 > o.p99Bound || r.errors() > 0 || r.dropped > 0 {
				ok = false
			}
		}
		if ok {
			good = k
		}
	}
	if good < 0 {
		fmt.Printf("no step held p99 ≤ %v without errors\n", o.p99Bound)
	} else {
		var total float64
		for _, r := range steps[good].ops {
			total += float64(r.ok) / r.elapsed.Seconds()
		}
		fmt.Printf("highest step within p99 ≤ %v and no errors: %d/s offered, %.0f/s sustained in all\n", o.p99Bound, steps[good].rate, total)
	}
}

// loadAvg answers the machine's 1-minute load average ("?" when unreadable).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
