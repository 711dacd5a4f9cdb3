// Package browsertest drives Debian's chromium through chromedp for the console's browser
// tests: one headless browser per test with its own temporary profile, helpers that fail the
// test with a clear message, and screenshots kept in the test's temp dir (and copied to
// $SHARECAST_TEST_SCREENSHOTS when set, to look at them after the run).
//
// It never downloads a browser: it runs the chromium on PATH (or $SHARECAST_CHROMIUM), which
// .ci/run installs from Debian's packages when missing. Only tests import it.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// StepTimeout bounds every browser step, so a stuck page fails the test instead of hanging it.
const StepTimeout = 20 * time.Second

// Browser is one headless chromium for one test.
type Browser struct {
	t    testing.TB
	ctx  context.Context
	base string
	dir  string
	shot int
}

// ExecPath finds the chromium to run: $SHARECAST_CHROMIUM, else chromium or chromium-browser
// on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("SHARECAST_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH: install Debian's package (apt-get install chromium; .ci/run does it) or set SHARECAST_CHROMIUM")
}

// New starts a headless chromium for baseURL (http://127.0.0.1:port). It is stopped when the
// test ends.
func New(t testing.TB, baseURL string) *Browser {
	t.Helper()
	exe, err := ExecPath()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // tests run as root in CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &Browser{t: t, ctx: ctx, base: strings.TrimRight(baseURL, "/"), dir: dir}
	// The first call starts the browser and must not carry a timeout (it would end the
	// browser with it); chromedp bounds the start itself.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return b
}

// Run runs actions with the step timeout; an error fails the test.
func (b *Browser) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// response runs an action that loads a document and answers that document's HTTP status.
func (b *Browser) response(what string, action chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, action)
	if err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	if res == nil {
		b.t.Fatalf("browser: %s loaded no document", what)
	}
	return int(res.Status)
}

// Open loads a path of the service and answers the HTTP status of the document (after
// redirects).
func (b *Browser) Open(path string) int {
	b.t.Helper()
	return b.response("open "+path, chromedp.Navigate(b.base+path))
}

// Submit clicks a submit button (or anything that loads a new document) and answers the
// status of the document it leads to.
func (b *Browser) Submit(sel string) int {
	b.t.Helper()
	return b.response("submit "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Fill replaces the value of an input, textarea or select.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.Run("fill "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// get runs one action that answers a value; an error fails the test.
func get[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// Text is the visible text of the first element matching sel (waiting until it is visible).
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// Texts are the texts of every element matching sel (none → empty).
func (b *Browser) Texts(sel string) []string {
	b.t.Helper()
	return get(b, "texts of "+sel, chromedp.Evaluate[[]string](
		fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.textContent.trim())`, sel)))
}

// Attrs are the values of attribute attr on every element matching sel.
func (b *Browser) Attrs(sel, attr string) []string {
	b.t.Helper()
	return get(b, "attrs of "+sel, chromedp.Evaluate[[]string](
		fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.getAttribute(%q) || "")`, sel, attr)))
}

// Count is the number of elements matching sel.
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	return get(b, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

// Eval runs a script in the page for its effect.
func (b *Browser) Eval(script string) {
	b.t.Helper()
	get(b, "eval", chromedp.Evaluate[any](script))
}

// Location is the page's path and query.
func (b *Browser) Location() string {
	b.t.Helper()
	return get(b, "location", chromedp.Evaluate[string](`location.pathname + location.search`))
}

// Cookies are the browser's cookies for the console.
func (b *Browser) Cookies() []*network.Cookie {
	b.t.Helper()
	res := get(b, "cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/admin/"}})
	})
	return res.Cookies
}

// SetCookie sets an HttpOnly, SameSite=Strict cookie for the service (e.g. a session of
// another brand).
func (b *Browser) SetCookie(name, value, path string) {
	b.t.Helper()
	yes := true
	get(b, "set cookie "+name, func(ctx context.Context, t *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: b.base + path,
			Path: path, HTTPOnly: &yes, SameSite: network.CookieSameSiteStrict})
	})
}

// Screenshot saves a full-page PNG as <n>-<name>.png in the test's temp dir (and in
// $SHARECAST_TEST_SCREENSHOTS/<test>/ when set) and answers its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	b.shot++
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	file := fmt.Sprintf("%02d-%s.png", b.shot, name)
	p := filepath.Join(b.dir, file)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	if keep := os.Getenv("SHARECAST_TEST_SCREENSHOTS"); keep != "" {
		d := filepath.Join(keep, strings.ReplaceAll(b.t.Name(), "/", "_"))
		if err := os.MkdirAll(d, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(d, file), png, 0o644)
		}
	}
	b.t.Logf("screenshot %s", p)
	return p
}

// Login signs into the console through its form and fails the test unless it lands on a
// console page, signed in.
func (b *Browser) Login(brand, username, password string) {
	b.t.Helper()
	if st := b.Open("/admin/login"); st != 200 {
		b.t.Fatalf("login form answered %d", st)
	}
	b.Fill("#brand", brand)
	b.Fill("#username", username)
	b.Fill("#password", password)
	// The landing page's own status is that page's business (a page whose data source is not
	// wired answers 503); signed in means off the login form with the admin's name shown.
	st := b.Submit("#login-submit")
	if loc := b.Location(); strings.HasPrefix(loc, "/admin/login") || b.Count("#who") != 1 {
		b.Screenshot("login-failed")
		b.t.Fatalf("login as %s/%s: %d at %s, not signed in", brand, username, st, loc)
	}
}
