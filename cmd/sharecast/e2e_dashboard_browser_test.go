package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/server/console/browsertest"
	"github.com/sharecast/sharecast/store/storetest"
)

// dashboardBrowser starts the service with the demo live seeded (SQLite; the HTTP-level
// stats test covers both engines) and a headless chromium, and answers the demo live's id
// and an owner token for the JSON API.
func dashboardBrowser(t *testing.T) (*svc, *browsertest.Browser, string, string) {
	t.Helper()
	s := start(t, storetest.Engines(t)[0], storetest.RedisEngines(t)[0], withDemoLive)
	owner := s.adminLogin("admin", s.password)
	return s, browsertest.New(t, s.base), s.demoLiveID(owner, demo.LiveTitle), owner
}

// addAdmin gives the demo brand an admin of role.
func (s *svc) addAdmin(username, role string) string {
	s.t.Helper()
	pass := username + "-pass-123"
	if _, err := s.app.brands.CreateAdmin(context.Background(), brands.CLIActor, mustBrandID(s.t, s, "demo"),
		brands.NewAdminInput{Username: username, Password: pass, Role: role}); err != nil {
		s.t.Fatal(err)
	}
	return pass
}

// kpiValue reads a headline number's raw value from the dashboard.
func kpiValue(t *testing.T, b *browsertest.Browser, id string) int64 {
	t.Helper()
	v := b.Attrs("#"+id, "data-value")
	if len(v) != 1 {
		t.Fatalf("%s: no data-value (%v)", id, v)
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		t.Fatalf("%s = %q", id, v[0])
	}
	return n
}

// The owner opens the demo live's dashboard from the lives list: every headline number is
// the stats API's, the charts are there (240 inflow bars, the first 20 highlighted), the
// export links too.
func TestDashboardBrowserNumbersEqualTheAPI(t *testing.T) {
	s, b, liveID, owner := dashboardBrowser(t)
	st, r := s.liveStats(owner, liveID, "")
	expect(t, r, 200, "")
	b.Login("demo", "admin", s.password)
	if code := b.Open("/admin/lives"); code != 200 {
		t.Fatalf("lives answered %d", code)
	}
	if code := b.Submit(`#lives tr[data-live="` + liveID + `"] a.dashboard-link`); code != 200 {
		t.Fatalf("dashboard answered %d", code)
	}
	if loc := b.Location(); loc != "/admin/lives/"+liveID {
		t.Fatalf("dashboard link led to %s", loc)
	}
	want := map[string]int64{
		"k-res-total": st.Reservations.Total, "k-res-counted": st.Reservations.Counted, "k-res-flagged": st.Reservations.Flagged,
		"k-res-target": st.Reservations.Target, "k-res-organic": st.Reservations.Organic,
		"k-first20": st.Inflow.FirstMinutesVisitors, "k-visitors": st.Inflow.Visitors,
		"k-gmv-net": st.GMV.NetFen, "k-gmv-refunded": st.GMV.RefundedFen,
		"k-out-share": st.OutOfCity.OrdersShareBP, "k-out-gmv-share": st.OutOfCity.GMVShareBP, "k-no-city": st.OutOfCity.NoCityOrders,
		"k-incremental": st.Incremental.IncrementalFen, "k-commission": st.Commission.NetFen,
		"k-commission-ratio": *st.Commission.GMVPerCommissionX100,
	}
	for id, v := range want {
		if got := kpiValue(t, b, id); got != v {
			t.Errorf("%s shows %d, the API says %d", id, got, v)
		}
	}
	if got, w := b.Text("#k-gmv-net"), "¥"+yuanText(st.GMV.NetFen); got != w {
		t.Errorf("GMV shown as %q, want %q", got, w)
	}
	for _, id := range []string{"chart-curve", "chart-inflow", "chart-channels", "chart-types", "chart-city", "chart-incremental"} {
		if b.Count("#"+id+" svg") != 1 {
			t.Errorf("chart %s missing", id)
		}
	}
	if n, hl := b.Count("#chart-inflow rect.bar"), b.Count("#chart-inflow rect.bar.hl"); n != 240 || hl != analytics.FirstMinutes {
		t.Errorf("inflow chart: %d bars, %d highlighted", n, hl)
	}
	if n := b.Count("#inviters tbody tr[data-member]"); n != len(st.Reservations.ByInviter) || n == 0 {
		t.Errorf("inviters table has %d rows, API %d", n, len(st.Reservations.ByInviter))
	}
	if links := b.Attrs("#exports a", "href"); len(links) != len(analytics.ExportKinds) || links[1] != "/admin/v1/exports/orders.csv?live_id="+liveID {
		t.Errorf("export links %v", links)
	}
	if b.Count("#dashboard[data-refresh]") != 0 {
		t.Error("an ended live's dashboard keeps refreshing")
	}
	b.Screenshot("dashboard-owner")
}

func yuanText(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	// thousands separators as console.FormatYuan writes them
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	c := fen % 100
	return string(out) + "." + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
}

// An operator voids a flagged reservation and clears another from the review queue; the
// dashboard and the API agree on the new counts; a void form without its CSRF token is 403.
func TestDashboardBrowserReviewFlaggedReservations(t *testing.T) {
	s, b, liveID, owner := dashboardBrowser(t)
	before, _ := s.liveStats(owner, liveID, "")
	if before.Reservations.Flagged < 3 {
		t.Fatalf("the demo live has %d flagged reservations, want at least 3", before.Reservations.Flagged)
	}
	b.Login("demo", "olive", s.addAdmin("olive", brands.RoleOperator))
	if code := b.Open("/admin/lives/" + liveID); code != 200 {
		t.Fatalf("dashboard answered %d", code)
	}
	if code := b.Submit("#review-link"); code != 200 {
		t.Fatalf("review queue answered %d", code)
	}
	ids := b.Attrs(`#reservations tbody tr[data-risk="review"]`, "data-reservation")
	if int64(len(ids)) != before.Reservations.Flagged {
		t.Fatalf("queue shows %d flagged, API %d", len(ids), before.Reservations.Flagged)
	}
	if who := b.Texts(`#reservations tr[data-reservation="` + ids[0] + `"] td`); len(who) < 3 || !strings.HasPrefix(who[1], "观众") {
		t.Fatalf("the queue names the viewer: %q", who)
	}
	b.Screenshot("review-queue")

	// Void the first: the confirmation is accepted.
	b.Eval(`window.confirm = function () { return true; }`)
	if code := b.Submit(`#reservations tr[data-reservation="` + ids[0] + `"] button.void`); code != 200 {
		t.Fatalf("void answered %d", code)
	}
	if got := b.Text("#flash"); got != "已作废。" {
		t.Fatalf("flash %q", got)
	}
	if n := b.Count(`#reservations tr[data-reservation="` + ids[0] + `"]`); n != 0 {
		t.Fatal("the voided reservation is still in the queue")
	}
	b.Screenshot("review-voided")
	// Clear the second.
	if code := b.Submit(`#reservations tr[data-reservation="` + ids[1] + `"] button.clear`); code != 200 {
		t.Fatalf("clear answered %d", code)
	}
	if got := b.Text("#flash"); got != "已通过，该预约重新计入。" {
		t.Fatalf("flash %q", got)
	}

	// A void form whose CSRF token was removed is refused and changes nothing.
	b.Eval(`window.confirm = function () { return true; }`)
	b.Eval(`document.querySelector('#reservations tr[data-reservation="` + ids[2] + `"] form[action$="/void"] input[name="csrf_token"]').remove()`)
	if code := b.Submit(`#reservations tr[data-reservation="` + ids[2] + `"] button.void`); code != 403 {
		t.Fatalf("void without CSRF answered %d", code)
	}
	b.Screenshot("void-without-csrf-403")

	after, _ := s.liveStats(owner, liveID, "")
	if after.Reservations.Flagged != before.Reservations.Flagged-2 || after.Reservations.Voided != before.Reservations.Voided+1 ||
		after.Reservations.Counted != before.Reservations.Counted+1 {
		t.Fatalf("after void+clear: %+v, before %+v", after.Reservations.ReservationCounts, before.Reservations.ReservationCounts)
	}
	if code := b.Open("/admin/lives/" + liveID); code != 200 {
		t.Fatalf("dashboard answered %d", code)
	}
	if got := kpiValue(t, b, "k-res-flagged"); got != after.Reservations.Flagged {
		t.Fatalf("dashboard flagged %d, API %d", got, after.Reservations.Flagged)
	}
	if got := kpiValue(t, b, "k-res-counted"); got != after.Reservations.Counted {
		t.Fatalf("dashboard counted %d, API %d", got, after.Reservations.Counted)
	}
}

// Roles on the dashboard: an operator sees no money actions (no exports; the export route
// itself is 403 with the operator's session); finance sees exports but cannot review
// reservations; another brand's session gets 404 for the live.
func TestDashboardBrowserRoles(t *testing.T) {
	s, b, liveID, _ := dashboardBrowser(t)
	b.Login("demo", "olive", s.addAdmin("olive", brands.RoleOperator))
	if code := b.Open("/admin/lives/" + liveID); code != 200 {
		t.Fatalf("operator dashboard answered %d", code)
	}
	if n := b.Count("#exports a"); n != 0 {
		t.Fatalf("operator sees %d export links", n)
	}
	if n := b.Count("#review-link"); n != 1 {
		t.Fatal("operator has no review link")
	}
	b.Screenshot("dashboard-operator")
	if code := b.Open("/admin/v1/exports/orders.csv?live_id=" + liveID); code != 403 {
		t.Fatalf("operator's export answered %d", code)
	}

	f := browsertest.New(t, s.base)
	f.Login("demo", "fiona", s.addAdmin("fiona", brands.RoleFinance))
	if code := f.Open("/admin/lives/" + liveID); code != 200 {
		t.Fatalf("finance dashboard answered %d", code)
	}
	if n := f.Count("#exports a"); n != len(analytics.ExportKinds) {
		t.Fatalf("finance sees %d export links", n)
	}
	if n := f.Count("#review-link"); n != 0 {
		t.Fatal("finance sees the review link")
	}
	f.Screenshot("dashboard-finance")
	if code := f.Open("/admin/lives/" + liveID + "/reservations"); code != 403 {
		t.Fatalf("finance opened the review queue: %d", code)
	}

	s.otherBrand("rival", "rival-owner-pass")
	o := browsertest.New(t, s.base)
	o.Login("rival", "admin", "rival-owner-pass")
	if code := o.Open("/admin/lives/" + liveID); code != 404 {
		t.Fatalf("another brand's dashboard answered %d", code)
	}
	if code := o.Open("/admin/lives/" + liveID + "/reservations"); code != 404 {
		t.Fatalf("another brand's review queue answered %d", code)
	}
	o.Screenshot("dashboard-other-brand-404")
}

// During a live the dashboard refreshes itself in place: a reservation made after the page
// loaded shows up without a reload (the page's own script fetches it again and swaps the
// numbers; the 10 s cache and the 15 s refresh bound the wait).
func TestDashboardBrowserRefreshesDuringTheLive(t *testing.T) {
	s, b, _, owner := dashboardBrowser(t)
	live := s.demoLiveID(owner, "Demo upcoming live 新品首发直播")
	expect(t, s.do("POST", "/admin/v1/lives/"+live+"/start", owner, nil), 200, "")
	before, _ := s.liveStats(owner, live, "")
	b.Login("demo", "admin", s.password)
	if code := b.Open("/admin/lives/" + live); code != 200 {
		t.Fatalf("dashboard answered %d", code)
	}
	if got := b.Attrs("#dashboard", "data-refresh"); len(got) != 1 || got[0] != "15" {
		t.Fatalf("a live on air refreshes every 15 s: %v", got)
	}
	if got := kpiValue(t, b, "k-res-total"); got != before.Reservations.Total {
		t.Fatalf("total %d, API %d", got, before.Reservations.Total)
	}
	b.Eval(`window.__notReloaded = "yes"; document.body.dataset.marker = "kept"`)
	viewer, err := s.app.store.CreateMember(context.Background(), referral.Member{BrandID: mustBrandID(t, s, "demo"),
		OpenID: "refresh-viewer", Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	storetest.SeedReservation(t, s.app.store, viewer.BrandID, storetest.Reservation{LiveID: live, ViewerID: viewer.ID,
		Status: "reserved", CreatedAt: time.Now()})
	deadline := time.Now().Add(45 * time.Second)
	for kpiValue(t, b, "k-res-total") == before.Reservations.Total {
		if time.Now().After(deadline) {
			b.Screenshot("dashboard-not-refreshed")
			t.Fatal("the dashboard did not refresh within 45 s")
		}
		time.Sleep(time.Second) // waiting for the page's own refresh, with a deadline
	}
	if got := kpiValue(t, b, "k-res-total"); got != before.Reservations.Total+1 {
		t.Fatalf("refreshed total %d, want %d", got, before.Reservations.Total+1)
	}
	if got := b.Attrs("body", "data-marker"); len(got) != 1 || got[0] != "kept" {
		t.Fatal("the page was reloaded instead of refreshed in place")
	}
	b.Screenshot("dashboard-refreshed-on-air")
}
