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

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server"
	"github.com/sharecast/sharecast/server/console"
)

// The tenant isolation sweep (issue 10 item 2, DESIGN.md §4 "A test walks every route"): every
// route the router holds is called with brand A's credentials (member JWT, admin session,
// console cookie + CSRF, API key, as its prefix needs) against brand B's real resources. A
// route with a brand-scoped path parameter must answer 404 (A is an owner, so no role check
// answers first); every other route acts on A's own brand and must still show nothing of B. A route
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
	// WeChat Pay's transfer callback carries no brand credential: it is authenticated by the
	// signature of the brand's WeChat Pay key and the brand's APIv3 key. Isolation there (a
	// callback signed for brand A's merchant, sent to B's path, is refused and changes nothing)
	// is tested on its own in TestWeChatPayCallbackTenantIsolation.
	"POST /webhooks/wechatpay/:brand_id/transfer": "WeChat Pay's signed callback; tested in TestWeChatPayCallbackTenantIsolation",
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
var isolationCollections = map[string]string{
	"lives": "live", "members": "member", "orders": "order", "reservations": "reservation",
	"api-keys": "api_key", "webhooks": "webhook", "deliveries": "delivery", "wecom-robots": "robot",
	"push-schedules": "schedule", "leaderboard-shares": "share", "admins": "admin",
	"payouts": "payout", "webhook-deliveries": "delivery",
}

// isolationParams maps parameter names that identify their resource on their own.
var isolationParams = map[string]string{
	"live_id": "live", "external_id": "external_order", "token": "share",
}

// isolationBodies are valid bodies for the mapped routes that take one, so a refusal is the
// ownership check and not the validation in front of it. "{a_member}" and "{a_robot}" stand
// for resources of brand A.
var isolationBodies = map[string]string{
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
	"POST /admin/v1/payouts/:id/approve":            `{}`,
	"POST /admin/v1/payouts/:id/reject":             `{"reason":"isolation sweep"}`,
	"POST /mp/v1/payouts/:id/cancel":                `{}`,
}

// isolationForms are valid console forms for the console POST routes that take brand B's id
// (the sweep adds the CSRF token), so a refusal is the ownership check and not the form's
// validation. "{a_robot}" stands for brand A's robot.
var isolationForms = map[string]url.Values{
	"POST /admin/admins/:id":                    {"disabled": {"1"}},
	"POST /admin/api-keys/:id/revoke":           {},
	"POST /admin/lives/:id/leaderboard/share":   {"window": {"live"}, "privacy": {"masked"}},
	"POST /admin/lives/:id/leaderboard/push":    {"robot_id": {"{a_robot}"}, "format": {"markdown"}, "privacy": {"masked"}},
	"POST /admin/lives/:id/ops":                 {"title": {"renamed by A"}, "planned_start_at": {"2030-01-02T12:00:00+08:00"}, "notice_id": {"iso-a-notice"}, "target_reservations": {"5"}, "acknowledge_risk": {"1"}},
	"POST /admin/members/:id/freeze":            {},
	"POST /admin/members/:id/unfreeze":          {},
	"POST /admin/payouts/:id/approve":           {},
	"POST /admin/payouts/:id/reject":            {"reason": {"isolation sweep"}},
	"POST /admin/reservations/:id/clear":        {},
	"POST /admin/reservations/:id/void":         {},
	"POST /admin/webhooks/:id/delete":           {},
	"POST /admin/wecom-robots/:id/delete":       {},
	"POST /admin/webhook-deliveries/:id/replay": {},
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
	// payoutBill is the out_bill_no of B's payout (WeChat Pay callbacks name it).
	payoutBill string
	// reservation is B's flagged reservation as created.
	reservation referral.Reservation
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
			isConsole := !strings.HasPrefix(r.Path, "/admin/v1/") &&
				(r.Path == console.Prefix || strings.HasPrefix(r.Path, console.Prefix+"/"))
			body := subst(isolationBodies[k])
			form, hasForm := isolationForms[k]
			switch {
			case !scoped || r.Method == http.MethodGet || r.Method == http.MethodDelete:
			case isConsole && !hasForm:
				t.Errorf("%s takes brand B's id but has no form in isolationForms", k)
				continue
			case !isConsole && body == "":
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
				case isConsole:
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
						f := url.Values{}
						for name, vs := range form {
							for _, v := range vs {
								f.Add(name, subst(v))
							}
						}
						p = c.post(path, f)
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
				// A's credentials are an owner's (every permission), so no role check answers
				// first and a 403 (a refused CSRF token, say) would hide the ownership check.
				case scoped && status != http.StatusNotFound:
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
		b.untouched(t, s)
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
	// A flagged reservation (the one the review queue clears or voids): B counts more than one
	// viewer per IP as suspect, and a second viewer reserves from the first one's IP.
	one := 1
	if _, err := s.app.brands.UpdateSettings(ctx, brands.CLIActor, brand.ID, brands.SettingsInput{Rules: &brands.RulesPatch{RiskIPViewers: &one}}); err != nil {
		t.Fatal(err)
	}
	viewer2, err := s.app.store.CreateMember(ctx, referral.Member{BrandID: brand.ID, OpenID: "iso-b-openid-viewer2", Nickname: "B观众二Qz7",
		Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.sharing.RecordTouch(ctx, brand.ID, viewer2.ID, ids["code"], "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	flagged, err := s.app.sharing.RecordReservation(ctx, referral.ReservationInput{BrandID: brand.ID, ViewerID: viewer2.ID,
		Code: ids["code"], NoticeID: "iso-b-notice", State: 6, ClientIP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if flagged.Risk != referral.RiskReview {
		t.Fatalf("brand B's second reservation from one IP is %q, want flagged for review (first: %s)", flagged.Risk, res.ID)
	}
	ids["reservation"] = flagged.ID

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

	// B's payout: the inviter gets a prize through B's admin API and requests a payout above
	// the auto-approve threshold, so it waits for review (approve, reject and cancel apply).
	expect(t, s.do("POST", "/admin/v1/adjustments", bTok, map[string]any{"member_id": inviter.ID, "kind": "prize",
		"amount_fen": 30_000, "reason": "B isolation prize"}), 201, "")
	s.giveMerchant(t, brand.ID, "wx00000000000000b1") // no merchant: 409 PAYOUTS_NOT_CONFIGURED
	ans, err := s.app.payouts.Request(ctx, brand.ID, inviter.ID, 10_000, "iso-b-payout", "iso-b-payout",
		func(p payouts.Payout, err error) (int, []byte) {
			if err != nil {
				return http.StatusUnprocessableEntity, []byte(err.Error())
			}
			return http.StatusCreated, []byte(`{}`)
		})
	if err != nil || ans.Status != http.StatusCreated || ans.Payout.Status != payouts.PayoutRequested {
		t.Fatalf("brand B's payout: %+v %s %v", ans.Payout, ans.Body, err)
	}
	ids["payout"] = ans.Payout.ID

	poll(t, "brand B's webhook delivery", func() bool {
		for _, d := range s.deliveries(bTok, ids["webhook"], "") {
			ids["delivery"], _ = d.(map[string]any)["id"].(string)
		}
		return ids["delivery"] != ""
	})

	f := isolationFixture{token: bTok, ids: ids, secrets: []string{"iso-bqz", "Qz7", "iso-b-openid", "B isolation"},
		payoutBill: ans.Payout.OutBillNo, reservation: *flagged}
	for k, v := range ids {
		if v == "" {
			t.Fatalf("brand B's %s was not created", k)
		}
		f.secrets = append(f.secrets, v)
	}
	return f
}

// untouched checks that brand B's payout, reservation, webhook endpoint, robot, API key and
// push schedule are as the fixture left them after everything brand A sent.
func (b isolationFixture) untouched(t *testing.T, s *svc) {
	t.Helper()
	ctx := context.Background()
	p := s.do("GET", "/admin/v1/payouts/"+b.ids["payout"], b.token, nil)
	expect(t, p, 200, "")
	if p.str("payout.status") != string(payouts.PayoutRequested) || strings.Contains(string(p.raw), "isolation sweep") {
		t.Fatalf("brand B's payout changed: %s", p.raw)
	}
	r, err := s.app.store.ReservationByID(ctx, b.ids["brand"], b.ids["reservation"])
	if err != nil || r.Status != b.reservation.Status || r.Risk != b.reservation.Risk || r.Counted != b.reservation.Counted {
		t.Fatalf("brand B's reservation changed: %+v %v", r, err)
	}
	for list, id := range map[string]string{"/admin/v1/webhooks": b.ids["webhook"], "/admin/v1/wecom-robots": b.ids["robot"],
		"/admin/v1/api-keys": b.ids["api_key"], "/admin/v1/lives/" + b.ids["live"] + "/push-schedules": b.ids["schedule"]} {
		res := s.do("GET", list, b.token, nil)
		expect(t, res, 200, "")
		if !strings.Contains(string(res.raw), id) {
			t.Fatalf("brand B's %s lost %s: %s", list, id, res.raw)
		}
	}
	keys := s.do("GET", "/admin/v1/api-keys", b.token, nil)
	if strings.Contains(string(keys.raw), `"revoked_at":"`) {
		t.Fatalf("brand B's API key was revoked: %s", keys.raw)
	}
	if strings.Contains(string(s.do("GET", "/admin/v1/webhooks", b.token, nil).raw), "renamed by A") {
		t.Fatal("brand B's webhook changed")
	}
}
