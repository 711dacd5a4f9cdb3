package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server"
	"github.com/sharecast/sharecast/server/console"
)

// The tenant isolation sweep (issue 10 item 2, DESIGN.md §4 "A test walks every route"): every
// route the router holds is called with brand A's credentials (member JWT, admin session,
// console cookie + CSRF, API key, as its prefix needs) against brand B's real resources. A
// route with a brand-scoped path parameter must answer 404 (or 403 where the role blocks
// first); every other route acts on A's own brand and must still show nothing of B. A route
// that is neither mapped nor exempt fails the test, so a new route is covered the day it is
// registered.

// isolationExempt are the routes that take no credentials of a brand, each with the reason.
// They are still called (when safe) and must show nothing of brand B.
var isolationExempt = map[string]string{
	"GET /healthz":                      "liveness; no brand data",
	"GET /readyz":                       "readiness; no brand data",
	"GET /metrics":                      "process metrics; no brand data (labels are routes, not ids)",
	"GET /openapi.json":                 "the static API document",
	"POST /mp/v1/session":               "login: the brand comes from the mini-program appid",
	"POST /mp/v1/session/refresh":       "refresh: the brand comes from the refresh token",
	"POST /admin/v1/login":              "login: the brand comes from the body's slug and the password",
	"GET /admin/login":                  "the console's login form",
	"POST /admin/login":                 "the console's login form",
	"GET /admin/lang/:lang":             "the console's language switch (a cookie)",
	"GET /admin/static/*filepath":       "the console's embedded CSS and JS",
	"GET /mp/v1/links/:code/qr":         "keyed by the share code, an unguessable global token (DESIGN.md §4 allow-list)",
	"GET /lb/:token":                    "keyed by the /lb token, an unguessable global token the brand chose to publish",
	"GET /lb/:token/data":               "keyed by the /lb token, an unguessable global token the brand chose to publish",
	"GET /webhooks/channels/:brand_id":  "the shop's URL check: answered only to a correct signature of that brand's token",
	"POST /webhooks/channels/:brand_id": "inbound push: accepted only when signed with that brand's token and key",
	"ANY /_sim/*path":                   "the simulator (embedded mode only), WeChat's stand-in",
	// An order's external id is the caller's own namespace: an event for an order not seen yet
	// is parked under the caller's brand until the order arrives (out-of-order delivery), so
	// B's external id answers 202 "parked" for A. The sweep still calls both and asserts that
	// nothing of B shows and B's order is untouched.
	"POST /open/v1/orders/:external_id/confirm":     "external ids are per brand; unknown ones park under the caller's brand",
	"POST /open/v1/orders/:external_id/refunds":     "external ids are per brand; unknown ones park under the caller's brand",
	"PUT /admin/v1/subscribe-templates/:purpose":    "purpose is a fixed enum, not an id: acts on the caller's brand",
	"DELETE /admin/v1/subscribe-templates/:purpose": "purpose is a fixed enum, not an id: acts on the caller's brand",
}

// isolationCollections maps the collection a path parameter belongs to (the segment before it)
// to the kind of brand-B resource substituted for it.
//
// payouts: add "payouts": "payout" here (and create B's payout in isolationFixture) when the
// /mp/v1/payouts and /admin/v1/payouts routes land.
var isolationCollections = map[string]string{
	"lives": "live", "members": "member", "orders": "order", "reservations": "reservation",
	"api-keys": "api_key", "webhooks": "webhook", "deliveries": "delivery", "wecom-robots": "robot",
	"push-schedules": "schedule", "leaderboard-shares": "share", "admins": "admin",
}

// isolationParams maps parameter names that identify their resource on their own.
var isolationParams = map[string]string{
	"live_id": "live", "external_id": "external_order", "token": "share",
}

// isolationBodies are valid bodies for the mapped routes that take one, so a refusal is the
// ownership check and not the validation in front of it. "{a_member}" and "{a_robot}" stand
// for resources of brand A.
var isolationBodies = map[string]string{
	"POST /admin/admins/:id":                        `{}`, // the console's form; the sweep sends disabled=1
	"PATCH /admin/v1/admins/:id":                    `{"disabled":true}`,
	"PATCH /admin/v1/lives/:id":                     `{"title":"renamed by A"}`,
	"POST /admin/v1/lives/:id/start":                `{}`,
	"POST /admin/v1/lives/:id/end":                  `{}`,
	"POST /admin/v1/lives/:id/leaderboard/push":     `{"robot_ids":["{a_robot}"],"format":"markdown"}`,
	"POST /admin/v1/lives/:id/leaderboard/share":    `{}`,
	"POST /admin/v1/lives/:id/push-schedules":       `{"robot_ids":["{a_robot}"],"format":"markdown","phases":[{"from_minutes":0,"to_minutes":20,"every_minutes":5}]}`,
	"PATCH /admin/v1/push-schedules/:id":            `{"enabled":false}`,
	"PATCH /admin/v1/wecom-robots/:id":              `{"enabled":false}`,
	"POST /admin/v1/members/:id/freeze":             `{}`,
	"POST /admin/v1/members/:id/unfreeze":           `{}`,
	"POST /admin/v1/orders/:id/reassign":            `{"member_id":"{a_member}","reason":"isolation sweep"}`,
	"POST /admin/v1/reservations/:id/clear":         `{}`,
	"POST /admin/v1/reservations/:id/void":          `{}`,
	"POST /admin/v1/webhooks/deliveries/:id/replay": `{}`,
	"POST /mp/v1/lives/:live_id/links":              `{}`,
}

var echoedNext = regexp.MustCompile(`next=[^"'&\s<]*`)

func routeKey(method, path string) string {
	if server.IsSimulatorRoute(path) {
		return "ANY " + path
	}
	return method + " " + path
}

// isolationFixture is brand B's resources (by kind) and every string that must never reach A.
type isolationFixture struct {
	token   string // brand B's owner session
	ids     map[string]string
	secrets []string
}

func TestTenantIsolationSweep(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		b := s.isolationFixture(t)

		// Brand A's credentials: admin session (owner: the widest role), member JWT, API key,
		// console cookie + CSRF, and one robot and member of its own for the bodies.
		owner := s.adminLogin("admin", s.password)
		aMember := s.member("iso-a-member")
		key := s.do("POST", "/admin/v1/api-keys", owner, map[string]any{"name": "iso-a"})
		expect(t, key, 201, "")
		aKey := key.str("api_key")
		aRobot := s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "iso-a", "webhook_key": "5c4e3d2b-aaaa-4bc4-97a0-0ec2e2e2e2e2"})
		expect(t, aRobot, 201, "")
		cc := s.console()
		cc.login("demo", "admin", s.password)

		leaks := func(what string, body string) {
			t.Helper()
			// Console pages echo the requested path in their ?next= links; that is A's own
			// request, not B's data.
			body = echoedNext.ReplaceAllString(body, "")
			for _, sec := range b.secrets {
				if strings.Contains(body, sec) {
					t.Errorf("%s shows brand B's %q:\n%.600s", what, sec, body)
				}
			}
		}
		subst := func(v string) string {
			return strings.NewReplacer("{a_member}", aMember.id, "{a_robot}", aRobot.str("robot.id")).Replace(v)
		}

		routes := s.app.server.Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
		var mapped, own, exempt int
		var last []func() // routes that end a session run after the sweep
		for _, r := range routes {
			k := routeKey(r.Method, r.Path)
			if reason, ok := isolationExempt[k]; ok {
				if reason == "" {
					t.Errorf("%s is exempt without a reason", k)
				}
				exempt++
				switch {
				case r.Method == http.MethodGet && !strings.ContainsAny(r.Path, ":*"):
					leaks(k, string(s.unchecked("GET", r.Path, "", nil).raw))
				case strings.HasPrefix(r.Path, "/open/v1/"):
					path, _, _ := isolationPath(r.Path, b.ids)
					res := s.do(r.Method, path, aKey, `{"refund_id":"iso-a-refund","lines":[{"line_id":"1","refund_fen":100}]}`)
					leaks(k, string(res.raw))
					if res.status != http.StatusAccepted || res.str("status")+res.str("refund.status") != "parked" {
						t.Errorf("%s with brand B's external id answered %d, want 202 parked under A:\n%s", k, res.status, res.raw)
					}
				}
				continue
			}
			path, scoped, ok := isolationPath(r.Path, b.ids)
			if !ok {
				t.Errorf("%s has a path parameter the sweep does not know: map it in isolationCollections/isolationParams or exempt it with a reason", k)
				continue
			}
			body := subst(isolationBodies[k])
			if scoped && body == "" && r.Method != http.MethodGet && r.Method != http.MethodDelete {
				t.Errorf("%s takes brand B's id but has no body in isolationBodies", k)
				continue
			}
			if !scoped {
				body = "{}"
			}
			call := func() (int, string) {
				switch {
				case strings.HasPrefix(r.Path, "/admin/v1/"):
					tok := owner
					if strings.HasSuffix(r.Path, "/logout") {
						tok = s.adminLogin("admin", s.password)
					}
					res := s.do(r.Method, path, tok, bodyOrNil(r.Method, body))
					return res.status, string(res.raw)
				case strings.HasPrefix(r.Path, "/mp/v1/"):
					res := s.do(r.Method, path, aMember.token, bodyOrNil(r.Method, body))
					return res.status, string(res.raw)
				case strings.HasPrefix(r.Path, "/open/v1/"):
					res := s.do(r.Method, path, aKey, bodyOrNil(r.Method, body))
					return res.status, string(res.raw)
				case r.Path == console.Prefix || strings.HasPrefix(r.Path, console.Prefix+"/"):
					c := cc
					if strings.HasSuffix(r.Path, "/logout") {
						c = s.console()
						c.login("demo", "admin", s.password)
						c.get("/admin")
					} else {
						c.get("/admin") // a fresh CSRF token
					}
					var p page
					if r.Method == http.MethodGet {
						p = c.get(path)
					} else {
						form := url.Values{}
						if scoped {
							form.Set("disabled", "1")
						}
						p = c.post(path, form)
					}
					return p.status, p.body
				}
				t.Errorf("%s: no credentials known for this prefix", k)
				return 0, ""
			}
			check := func() {
				status, raw := call()
				leaks(k, raw)
				switch {
				case scoped && status != http.StatusNotFound && status != http.StatusForbidden:
					t.Errorf("%s with brand B's id answered %d, want 404:\n%.400s", k, status, raw)
				case !scoped && status >= 500:
					t.Errorf("%s answered %d:\n%.400s", k, status, raw)
				}
			}
			if scoped {
				mapped++
			} else {
				own++
			}
			if strings.HasSuffix(r.Path, "/logout") {
				last = append(last, check)
				continue
			}
			check()
		}
		for _, f := range last {
			f()
		}
		t.Logf("isolation sweep: %d routes with brand B's ids, %d own-brand routes, %d exempt", mapped, own, exempt)
		if mapped < 30 {
			t.Fatalf("only %d routes carried brand B's ids", mapped)
		}

		// B's resources are untouched by everything A sent.
		if st, err := s.app.sharing.Live(ctx, b.ids["brand"], b.ids["live"]); err != nil || st.Title != "B isolation live Qz7" {
			t.Fatalf("brand B's live changed: %+v %v", st, err)
		}
		bOrder := s.do("GET", "/admin/v1/orders/"+b.ids["order"], b.token, nil)
		expect(t, bOrder, 200, "")
		if strings.Contains(string(bOrder.raw), "iso-a-refund") || bOrder.body["order"].(map[string]any)["confirmed_at"] != nil ||
			len(bOrder.body["order"].(map[string]any)["after_sales"].([]any)) != 0 {
			t.Fatalf("brand B's order changed through A's key: %s", bOrder.raw)
		}
		m, err := s.app.store.MemberByID(ctx, b.ids["brand"], b.ids["member"])
		if err != nil || m.Status != referral.StatusActive {
			t.Fatalf("brand B's member changed: %+v %v", m, err)
		}
	})
}

func bodyOrNil(method, body string) any {
	if method == http.MethodGet || method == http.MethodDelete || body == "" {
		return nil
	}
	return body
}

// isolationPath substitutes brand B's ids for the route's parameters. scoped reports whether
// any parameter was brand-scoped; ok is false for a parameter the sweep cannot map.
func isolationPath(route string, ids map[string]string) (path string, scoped, ok bool) {
	segs := strings.Split(route, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") && !strings.HasPrefix(seg, "*") {
			continue
		}
		name := seg[1:]
		kind, known := isolationParams[name]
		if !known && i > 0 {
			kind, known = isolationCollections[segs[i-1]]
		}
		if !known || ids[kind] == "" {
			return "", false, false
		}
		segs[i] = url.PathEscape(ids[kind])
		scoped = true
	}
	return strings.Join(segs, "/"), scoped, true
}

// isolationFixture creates brand B with one of everything, through its own admin API where
// one exists and through the services otherwise.
func (s *svc) isolationFixture(t *testing.T) isolationFixture {
	t.Helper()
	ctx := context.Background()
	brand, admin := s.otherBrand("iso-bqz", "iso-b-owner-pass")
	login := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "iso-bqz", "username": "admin", "password": "iso-b-owner-pass"})
	expect(t, login, 200, "")
	bTok := login.str("token")
	ids := map[string]string{"brand": brand.ID, "admin": admin.ID}

	hook := s.do("POST", "/admin/v1/webhooks", bTok, map[string]any{"url": "https://hooks.example.com/iso-b",
		"description": "B isolation hook", "event_types": []string{events.ReservationCreated}})
	expect(t, hook, 201, "")
	ids["webhook"] = hook.str("id")

	live := s.do("POST", "/admin/v1/lives", bTok, map[string]any{"title": "B isolation live Qz7", "notice_id": "iso-b-notice",
		"planned_start_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "target_reservations": 10})
	expect(t, live, 201, "")
	ids["live"] = live.str("live.id")

	inviter, err := s.app.store.CreateMember(ctx, referral.Member{BrandID: brand.ID, OpenID: "iso-b-openid-inviter", Nickname: "B邀请人Qz7",
		Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := s.app.store.CreateMember(ctx, referral.Member{BrandID: brand.ID, OpenID: "iso-b-openid-viewer", Nickname: "B观众Qz7",
		Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	ids["member"] = inviter.ID
	links, err := s.app.sharing.Links(ctx, brand.ID, inviter.ID, ids["live"], referral.LinksInput{Channels: []string{referral.ChannelOther}})
	if err != nil {
		t.Fatal(err)
	}
	ids["code"] = links[0].Code
	if _, err := s.app.sharing.RecordTouch(ctx, brand.ID, viewer.ID, ids["code"], "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	res, err := s.app.sharing.RecordReservation(ctx, referral.ReservationInput{BrandID: brand.ID, ViewerID: viewer.ID,
		Code: ids["code"], NoticeID: "iso-b-notice", State: 6, ClientIP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	ids["reservation"] = res.ID

	key := s.do("POST", "/admin/v1/api-keys", bTok, map[string]any{"name": "B isolation key"})
	expect(t, key, 201, "")
	ids["api_key"] = key.str("key.id")
	if ids["api_key"] == "" {
		ids["api_key"] = key.str("id")
	}
	order := s.do("POST", "/open/v1/orders", key.str("api_key"), map[string]any{
		"external_id": "iso-b-order-Qz7", "buyer": map[string]any{"openid": "iso-b-openid-viewer"}, "ship_city": "北京",
		"paid_at": time.Now().Format(time.RFC3339), "live_id": ids["live"],
		"lines": []map[string]any{{"line_id": "1", "product_id": "p1", "sku_id": "s1", "product_type": "classic", "quantity": 1, "paid_fen": 9900}}})
	expect(t, order, 200, "")
	ids["order"], ids["external_order"] = order.str("order.id"), "iso-b-order-Qz7"

	robot := s.do("POST", "/admin/v1/wecom-robots", bTok, map[string]any{"name": "B isolation robot", "webhook_key": "5c4e3d2b-bbbb-4bc4-97a0-0ec2e2e2e2e2"})
	expect(t, robot, 201, "")
	ids["robot"] = robot.str("robot.id")
	sc := s.do("POST", "/admin/v1/lives/"+ids["live"]+"/push-schedules", bTok, map[string]any{"robot_ids": []string{ids["robot"]},
		"format": "markdown", "phases": []any{map[string]any{"from_minutes": 0, "to_minutes": 20, "every_minutes": 5}}})
	expect(t, sc, 201, "")
	ids["schedule"] = sc.str("schedule.id")
	share := s.do("POST", "/admin/v1/lives/"+ids["live"]+"/leaderboard/share", bTok, map[string]any{})
	expect(t, share, 201, "")
	ids["share"] = share.str("token")

	poll(t, "brand B's webhook delivery", func() bool {
		for _, d := range s.deliveries(bTok, ids["webhook"], "") {
			ids["delivery"], _ = d.(map[string]any)["id"].(string)
		}
		return ids["delivery"] != ""
	})

	f := isolationFixture{token: bTok, ids: ids, secrets: []string{"iso-bqz", "Qz7", "iso-b-openid", "B isolation"}}
	for k, v := range ids {
		if v == "" {
			t.Fatalf("brand B's %s was not created", k)
		}
		f.secrets = append(f.secrets, v)
	}
	return f
}
