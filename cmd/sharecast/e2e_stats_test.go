package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/demo"
)

// demoLiveID finds the demo brand's ended demo live through the admin API.
func (s *svc) demoLiveID(token, title string) string {
	s.t.Helper()
	r := s.do("GET", "/admin/v1/lives?limit=200", token, nil)
	expect(s.t, r, 200, "")
	for _, l := range r.body["lives"].([]any) {
		m := l.(map[string]any)
		if m["title"] == title {
			return m["id"].(string)
		}
	}
	s.t.Fatalf("no live %q in %s", title, r.raw)
	return ""
}

// liveStats reads GET /admin/v1/lives/{id}/stats (checked against the OpenAPI document).
func (s *svc) liveStats(token, liveID, query string) (analytics.Stats, resp) {
	s.t.Helper()
	r := s.do("GET", "/admin/v1/lives/"+liveID+"/stats"+query, token, nil)
	var out struct{ Stats analytics.Stats }
	if r.status == 200 {
		if err := json.Unmarshal(r.raw, &out); err != nil {
			s.t.Fatal(err)
		}
	}
	return out.Stats, r
}

// csvExport downloads an export and parses it (the byte order mark dropped).
func (s *svc) csvExport(token, path string) ([][]string, resp) {
	s.t.Helper()
	r := s.do("GET", path, token, nil)
	if r.status != 200 {
		return nil, r
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		s.t.Fatalf("%s: Content-Type %q", path, ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		s.t.Fatalf("%s: %v", path, err)
	}
	return rows, r
}

func col(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	for i, h := range rows[0] {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, rows[0])
	return -1
}

func sumCol(t *testing.T, rows [][]string, name string) int64 {
	t.Helper()
	i := col(t, rows, name)
	var n int64
	for _, r := range rows[1:] {
		v, err := strconv.ParseInt(r[i], 10, 64)
		if err != nil {
			t.Fatalf("%s %q: %v", name, r[i], err)
		}
		n += v
	}
	return n
}

// The demo live's stats agree with the raw rows of the exports (different queries over the
// same tables), the demo is as the README promises, every role reads stats, only owner and
// finance export, another brand's ids are 404 and bad parameters 400.
func TestLiveStatsAndExports(t *testing.T) {
	enginesWith(t, withDemoLive, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		liveID := s.demoLiveID(owner, demo.LiveTitle)
		st, r := s.liveStats(owner, liveID, "")
		expect(t, r, 200, "")

		// The demo live is realistic: hundreds of reservations through every channel, orders
		// from several cities, a refund, commissions.
		if st.Status != "ended" || st.Window == nil || st.Window.Minutes != 240 || st.Window.Open {
			t.Fatalf("demo live window %+v (status %s)", st.Window, st.Status)
		}
		if st.Reservations.Total < 300 || st.Reservations.Counted == 0 || st.Reservations.Flagged == 0 || len(st.Reservations.ByChannel) != 7 {
			t.Fatalf("demo reservations %+v", st.Reservations)
		}
		if st.Inflow == nil || st.Inflow.FirstMinutesVisitors == 0 || len(st.Inflow.PerMinute) != 240 {
			t.Fatalf("demo inflow %+v", st.Inflow)
		}
		if st.GMV.NetFen <= 0 || st.GMV.RefundedFen <= 0 || len(st.GMV.ByType) != 4 || st.OutOfCity == nil ||
			st.OutOfCity.OutOrders == 0 || st.OutOfCity.NoCityOrders == 0 || st.Commission.NetFen <= 0 {
			t.Fatalf("demo money %+v %+v %+v", st.GMV, st.OutOfCity, st.Commission)
		}
		if st.Incremental == nil || st.Incremental.BaselineSharerFen <= 0 ||
			st.Incremental.IncrementalFen != st.Incremental.SharerFen+st.Incremental.LiveOtherFen-st.Incremental.BaselineSharerFen {
			t.Fatalf("demo incremental %+v", st.Incremental)
		}

		// The exports' rows add up to the stats.
		q := "?live_id=" + liveID
		res, _ := s.csvExport(owner, "/admin/v1/exports/reservations.csv"+q)
		if int64(len(res)-1) != st.Reservations.Total {
			t.Errorf("reservations export has %d rows, stats say %d", len(res)-1, st.Reservations.Total)
		}
		counted := 0
		ci := col(t, res, "counted")
		for _, row := range res[1:] {
			if row[ci] == "true" {
				counted++
			}
		}
		if int64(counted) != st.Reservations.Counted {
			t.Errorf("reservations export counts %d, stats %d", counted, st.Reservations.Counted)
		}
		orders, _ := s.csvExport(owner, "/admin/v1/exports/orders.csv"+q)
		if got := sumCol(t, orders, "net_fen"); got != st.GMV.NetFen {
			t.Errorf("orders export net %d, stats GMV net %d", got, st.GMV.NetFen)
		}
		if got := sumCol(t, orders, "refunded_fen"); got != st.GMV.RefundedFen {
			t.Errorf("orders export refunded %d, stats %d", got, st.GMV.RefundedFen)
		}
		reasons := col(t, orders, "attribution_reason")
		for _, row := range orders[1:] {
			if row[reasons] == "" {
				t.Fatalf("order without its attribution reason: %q", row)
			}
		}
		com, _ := s.csvExport(owner, "/admin/v1/exports/commissions.csv"+q)
		if a, n := sumCol(t, com, "amount_fen"), sumCol(t, com, "net_fen"); a != st.Commission.AccruedFen || n != st.Commission.NetFen {
			t.Errorf("commissions export %d/%d, stats %d/%d", a, n, st.Commission.AccruedFen, st.Commission.NetFen)
		}
		// A date range instead of a live: the live's window holds its orders paid in it.
		from, to := st.Window.From.Format("2006-01-02T15:04:05Z07:00"), st.Window.To.Format("2006-01-02T15:04:05Z07:00")
		ranged, _ := s.csvExport(owner, "/admin/v1/exports/orders.csv?from="+from+"&to="+to)
		if len(ranged) < 2 {
			t.Errorf("orders by date range: %d rows", len(ranged))
		}

		// A baseline window as a parameter.
		b2, r := s.liveStats(owner, liveID, "?baseline_from=2020-01-01&baseline_to=2020-01-02")
		expect(t, r, 200, "")
		if b2.Incremental.BaselineSharerFen != 0 || b2.Incremental.IncrementalFen != st.Incremental.SharerFen+st.Incremental.LiveOtherFen {
			t.Errorf("empty baseline %+v", b2.Incremental)
		}
		_, r = s.liveStats(owner, liveID, "?baseline_from=yesterday&baseline_to=2020-01-02")
		expect(t, r, 400, "INVALID_ARGUMENT")
		_, r = s.liveStats(owner, liveID, "?baseline_from=2020-01-01")
		expect(t, r, 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/admin/v1/exports/orders.csv?from=2020-02-01&to=2020-01-01", owner, nil), 400, "INVALID_ARGUMENT")

		// The upcoming live has no orders and has not started: zeros and absent numbers.
		up := s.demoLiveID(owner, "Demo upcoming live 新品首发直播")
		empty, r := s.liveStats(owner, up, "")
		expect(t, r, 200, "")
		if empty.GMV.NetFen != 0 || empty.Commission.NetFen != 0 || empty.Inflow != nil || empty.Incremental != nil ||
			empty.Commission.GMVPerCommissionX100 != nil || empty.Reservations.Total == 0 {
			t.Errorf("upcoming live %+v", empty)
		}

		// Roles: every role reads stats; only owner and finance export.
		ctx := context.Background()
		demoID := mustBrandID(t, s, "demo")
		for _, a := range []struct{ user, role string }{{"olive", brands.RoleOperator}, {"fiona", brands.RoleFinance}} {
			if _, err := s.app.brands.CreateAdmin(ctx, brands.CLIActor, demoID, brands.NewAdminInput{Username: a.user,
				Password: a.user + "-pass-123", Role: a.role}); err != nil {
				t.Fatal(err)
			}
		}
		op, fin := s.adminLogin("olive", "olive-pass-123"), s.adminLogin("fiona", "fiona-pass-123")
		if got, r := s.liveStats(op, liveID, ""); r.status != 200 || got.GMV.NetFen != st.GMV.NetFen {
			t.Fatalf("operator stats: %d", r.status)
		}
		for _, kind := range analytics.ExportKinds {
			expect(t, s.do("GET", "/admin/v1/exports/"+kind+".csv"+q, op, nil), 403, "FORBIDDEN")
			if _, r := s.csvExport(fin, "/admin/v1/exports/"+kind+".csv"+q); r.status != 200 {
				t.Fatalf("finance export %s: %d", kind, r.status)
			}
		}
		expect(t, s.do("GET", "/admin/v1/lives/"+liveID+"/stats", "", nil), 401, "")

		// Another brand: the demo live is not there.
		s.otherBrand("rival", "rival-pass-123")
		rr := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "rival", "username": "admin", "password": "rival-pass-123"})
		expect(t, rr, 200, "")
		rival := rr.str("token")
		_, r = s.liveStats(rival, liveID, "")
		expect(t, r, 404, "LIVE_NOT_FOUND")
		expect(t, s.do("GET", "/admin/v1/exports/orders.csv"+q, rival, nil), 404, "LIVE_NOT_FOUND")
		rows, r := s.csvExport(rival, "/admin/v1/exports/orders.csv")
		if r.status != 200 || len(rows) != 1 {
			t.Fatalf("another brand's export of everything: %d rows", len(rows))
		}
		if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("export headers %v", r.header)
		}
	})
}
