package store_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// statsWorld seeds one live with every kind of number §3.7 needs and answers its id, the
// live window's start and end.
func statsWorld(t *testing.T, w *world) (liveID string, start, end time.Time) {
	w.setPlan(testPlan())
	a := w.member("A")
	b, c, d, e, f, g := w.member("B"), w.member("C"), w.member("D"), w.member("E"), w.member("F"), w.member("G")
	x, y, z, v, wb, x2 := w.member("X"), w.member("Y"), w.member("Z"), w.member("V"), w.member("W"), w.member("X2")
	liveID = w.live()
	start, end = w0.Add(2*time.Hour), w0.Add(4*time.Hour)
	storetest.SetLiveStatus(t, w.st, w.brand.ID, liveID, "ended", &start, &end)

	// Reservations: 6 rows, 2 counted (one at 08:10 the other at 09:20 UTC), 1 flagged, 1
	// organic, 1 cancelled, 1 void.
	at := func(h, m int) *time.Time { x := time.Date(2026, 11, 2, h, m, 0, 0, time.UTC); return &x }
	for _, r := range []storetest.Reservation{
		{ViewerID: b.ID, InviterID: a.ID, Channel: "group", Status: "reserved", Counted: true, CountedAt: at(8, 10)},
		{ViewerID: c.ID, InviterID: a.ID, Channel: "moments", Status: "reserved", Counted: true, CountedAt: at(9, 20)},
		{ViewerID: d.ID, InviterID: a.ID, Channel: "group", Status: "reserved", Risk: "review"},
		{ViewerID: e.ID, Status: "reserved"},
		{ViewerID: f.ID, InviterID: a.ID, Channel: "group", Status: "cancelled"},
		{ViewerID: g.ID, InviterID: a.ID, Channel: "poster", Status: "void", Risk: "review"},
	} {
		r.LiveID, r.CreatedAt = liveID, *at(8, 0)
		storetest.SeedReservation(t, w.st, w.brand.ID, r)
	}

	// Touches: minute 0 has B twice and C once (2 visitors), minute 25 has B; one before the
	// window and one at its end do not count.
	for i, tc := range []struct {
		visitor string
		at      time.Time
	}{
		{b.ID, start.Add(30 * time.Second)}, {b.ID, start.Add(50 * time.Second)}, {c.ID, start.Add(40 * time.Second)},
		{b.ID, start.Add(25 * time.Minute)}, {d.ID, start.Add(-time.Minute)}, {e.ID, end},
	} {
		storetest.SeedTouchAt(t, w.st, w.brand.ID, liveID, a.ID, tc.visitor, "tt"+string(rune('a'+i)), tc.at)
	}

	payAt := func(ts time.Time, o referral.PaidOrder) referral.Order {
		w.clk.Advance(ts.Sub(w.clk.Now()))
		o.PaidAt = ts
		return w.pay(o)
	}
	code := w.link(liveID, a)
	withLive := func(o referral.PaidOrder, city, share string) referral.PaidOrder {
		o.LiveID, o.ShipCity, o.ShareCode = liveID, city, share
		return o
	}
	// Baseline: a sharer-attributed order of no live, an hour before the start.
	o6 := w.order("o6", v, line("L1", referral.ProductFlashSale, 1, 5000))
	o6.ShareCode, o6.ShipCity = w.link(w.live(), a), "上海" // a code of an earlier live
	payAt(w0.Add(time.Hour), o6)
	payAt(start.Add(30*time.Minute), withLive(w.order("o1", b, line("L1", referral.ProductFlashSale, 1, 10000),
		line("L2", referral.ProductProfit, 1, 20000)), "上海市", code))
	payAt(start.Add(40*time.Minute), withLive(w.order("o2", x, line("L1", referral.ProductClassic, 2, 5000)), "北京", ""))
	payAt(start.Add(60*time.Minute), withLive(w.order("o3", y, line("L1", referral.ProductExclusive, 1, 8000)), "杭州市", code))
	payAt(start.Add(70*time.Minute), withLive(w.order("o4", z, line("L1", referral.ProductFlashSale, 1, 4000)), "", code))
	payAt(start.Add(80*time.Minute), withLive(w.order("o5", wb, line("L1", referral.ProductProfit, 1, 6000)), "北京市", code))
	payAt(end.Add(30*time.Minute), withLive(w.order("o8", x2, line("L1", referral.ProductClassic, 1, 1000)), "上海", ""))
	w.refund("o3", "r1", referral.RefundLine{LineID: "L1", RefundFen: 3000})
	w.refund("o5", "r2", referral.RefundLine{LineID: "L1", RefundFen: 6000})
	return liveID, start, end
}

func statsService(w *world) *analytics.Service {
	return &analytics.Service{Source: w.st.LiveStats(), Brands: w.brands, Clock: w.clk}
}

func i64(v int64) *int64 { return &v }

func TestLiveStatsEveryNumber(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		liveID, start, end := statsWorld(t, w)
		got, err := statsService(w).Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: liveID})
		if err != nil {
			t.Fatal(err)
		}
		wantRes := analytics.ReservationCounts{Total: 6, Reserved: 4, Counted: 2, Flagged: 1, Cancelled: 1, Voided: 1, Organic: 1}
		if got.Reservations.ReservationCounts != wantRes {
			t.Errorf("reservations %+v, want %+v", got.Reservations.ReservationCounts, wantRes)
		}
		wantCh := []analytics.ChannelCount{{Channel: "", Total: 1, Counted: 0}, {Channel: "group", Total: 3, Counted: 1}, {Channel: "moments", Total: 1, Counted: 1}, {Channel: "poster", Total: 1, Counted: 0}}
		if !reflect.DeepEqual(got.Reservations.ByChannel, wantCh) {
			t.Errorf("by channel %+v, want %+v", got.Reservations.ByChannel, wantCh)
		}
		if inv := got.Reservations.ByInviter; len(inv) != 1 || inv[0].Nickname != "A" || inv[0].Total != 5 || inv[0].Counted != 2 || inv[0].Flagged != 1 {
			t.Errorf("by inviter %+v", inv)
		}
		wantCurve := []analytics.CurvePoint{{At: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), Cumulative: 1},
			{At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Cumulative: 2}}
		if !reflect.DeepEqual(got.Reservations.Curve, wantCurve) {
			t.Errorf("curve %+v, want %+v", got.Reservations.Curve, wantCurve)
		}

		if got.Window == nil || !got.Window.From.Equal(start) || !got.Window.To.Equal(end) || got.Window.Open || got.Window.Minutes != 120 {
			t.Fatalf("window %+v", got.Window)
		}
		in := got.Inflow
		if in == nil || len(in.PerMinute) != 120 || in.PerMinute[0].Visitors != 2 || !in.PerMinute[0].First ||
			in.PerMinute[25].Visitors != 1 || in.PerMinute[25].First || in.FirstMinutesVisitors != 2 || in.Visitors != 2 {
			t.Fatalf("inflow %+v", in)
		}
		var sum int64
		for _, m := range in.PerMinute {
			sum += m.Visitors
		}
		if sum != 3 {
			t.Errorf("inflow minutes add up to %d, want 3", sum)
		}

		wantTypes := []analytics.TypeGMV{{ProductType: "classic", PaidFen: 6000, RefundedFen: 0, NetFen: 6000}, {ProductType: "exclusive", PaidFen: 8000, RefundedFen: 3000, NetFen: 5000},
			{ProductType: "flash_sale", PaidFen: 14000, RefundedFen: 0, NetFen: 14000}, {ProductType: "profit", PaidFen: 26000, RefundedFen: 6000, NetFen: 20000}}
		if !reflect.DeepEqual(got.GMV.ByType, wantTypes) || got.GMV.PaidFen != 54000 || got.GMV.RefundedFen != 9000 || got.GMV.NetFen != 45000 {
			t.Errorf("gmv %+v", got.GMV)
		}
		if s := got.GMV.BySharer; len(s) != 2 || s[0].Nickname != "A" || s[0].Orders != 4 || s[0].NetFen != 39000 ||
			s[1].MemberID != "" || s[1].Orders != 2 || s[1].NetFen != 6000 {
			t.Errorf("by sharer %+v", s)
		}

		wantCity := analytics.OutOfCityStats{BrandCity: "上海", Orders: 4, OutOrders: 2, OrdersShareBP: 5000, NetFen: 41000,
			OutNetFen: 10000, GMVShareBP: 2439, NoCityOrders: 1, NoCityNetFen: 4000}
		if got.OutOfCity == nil || *got.OutOfCity != wantCity {
			t.Errorf("out of city %+v, want %+v", got.OutOfCity, wantCity)
		}

		wantInc := analytics.IncrementalStats{SharerFen: 39000, LiveOtherFen: 5000, BaselineFrom: w0, BaselineTo: start,
			BaselineSharerFen: 5000, IncrementalFen: 39000}
		if got.Incremental == nil || *got.Incremental != wantInc {
			t.Errorf("incremental %+v, want %+v", got.Incremental, wantInc)
		}
		wantCom := analytics.CommissionStats{AccruedFen: 5400, NetFen: 4200, GMVPerCommissionX100: i64(1071)}
		if !reflect.DeepEqual(got.Commission, wantCom) {
			t.Errorf("commission %+v (ratio %v), want %+v", got.Commission, *got.Commission.GMVPerCommissionX100, wantCom)
		}

		// A baseline window given as a parameter: nothing attributed in its half hour.
		bf, bt := w0, w0.Add(30*time.Minute)
		got, err = statsService(w).Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: liveID, BaselineFrom: &bf, BaselineTo: &bt})
		if err != nil {
			t.Fatal(err)
		}
		if got.Incremental.BaselineSharerFen != 0 || got.Incremental.IncrementalFen != 44000 || !got.Incremental.BaselineFrom.Equal(bf) {
			t.Errorf("incremental with a baseline parameter %+v", got.Incremental)
		}
		if _, err := statsService(w).Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: liveID, BaselineFrom: &bt, BaselineTo: &bf}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("reversed baseline: %v, want invalid", err)
		}
		if _, err := statsService(w).Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: liveID, BaselineFrom: &bf}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("half a baseline: %v, want invalid", err)
		}

		// Another brand's id reads as not found.
		other := newWorld(t, w.st, "other")
		if _, err := statsService(other).Live(w.ctx, analytics.Query{BrandID: other.brand.ID, LiveID: liveID}); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("another brand's live: %v, want not found", err)
		}
	})
}

// A live with nothing yet: zeros, and absent (not zero) where there is no window.
func TestLiveStatsEmptyLive(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		id, err := w.st.CreateLive(w.ctx, store.NewLive{BrandID: w.brand.ID, Title: "next", PlannedStartAt: w0.Add(48 * time.Hour), Status: "reservable"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := statsService(w).Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: id})
		if err != nil {
			t.Fatal(err)
		}
		if got.Reservations.ReservationCounts != (analytics.ReservationCounts{}) || len(got.Reservations.ByChannel) != 0 ||
			len(got.Reservations.Curve) != 0 || got.GMV.NetFen != 0 || len(got.GMV.ByType) != 0 || got.Commission.NetFen != 0 ||
			got.Commission.GMVPerCommissionX100 != nil {
			t.Errorf("empty live %+v", got)
		}
		if got.Window != nil || got.Inflow != nil || got.Incremental != nil {
			t.Errorf("a live that has not started has no window: %+v %+v %+v", got.Window, got.Inflow, got.Incremental)
		}
		if got.OutOfCity == nil || *got.OutOfCity != (analytics.OutOfCityStats{BrandCity: "上海"}) {
			t.Errorf("out of city %+v", got.OutOfCity)
		}
		b, _ := json.Marshal(got)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		for _, k := range []string{"inflow", "incremental_gmv", "window"} {
			if v, ok := m[k]; !ok || v != nil {
				t.Errorf("%s = %v, want null", k, v)
			}
		}
		if m["reservations"].(map[string]any)["by_channel"] == nil {
			t.Errorf("empty lists are [] not null: %s", b)
		}
	})
}

// While a live is on air its stats are cached briefly (the dashboard polls); an ended live's
// are computed each time.
func TestLiveStatsCachedDuringTheLive(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		svc := statsService(w)
		svc.Cache = storetest.Redis(t, "")
		a, b, c := w.member("A"), w.member("B"), w.member("C")
		liveID := w.live()
		seed := func(viewer string) {
			now := w.clk.Now()
			storetest.SeedReservation(t, w.st, w.brand.ID, storetest.Reservation{LiveID: liveID, ViewerID: viewer, InviterID: a.ID,
				Channel: "group", Status: "reserved", Counted: true, CountedAt: &now, CreatedAt: now})
		}
		counted := func() int64 {
			st, err := svc.Live(w.ctx, analytics.Query{BrandID: w.brand.ID, LiveID: liveID})
			if err != nil {
				t.Fatal(err)
			}
			return st.Reservations.Counted
		}
		seed(b.ID)
		if n := counted(); n != 1 {
			t.Fatalf("counted %d, want 1", n)
		}
		seed(c.ID)
		if n := counted(); n != 1 {
			t.Fatalf("on air the stats come from the cache: counted %d, want the cached 1", n)
		}
		start, end := w.clk.Now().Add(-time.Hour), w.clk.Now()
		storetest.SetLiveStatus(t, w.st, w.brand.ID, liveID, "ended", &start, &end)
		if n := counted(); n != 2 {
			t.Fatalf("an ended live's stats are fresh: counted %d, want 2", n)
		}
	})
}

// Exports stream the live's rows with the attribution of each order, the same on both engines.
func TestExportsStreamRows(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		liveID, start, _ := statsWorld(t, w)
		evil := w.member("=HYPERLINK(1)")
		storetest.SeedReservation(t, w.st, w.brand.ID, storetest.Reservation{LiveID: liveID, ViewerID: evil.ID, Status: "reserved", CreatedAt: w0})
		collect := func(kind string, f analytics.ExportFilter) [][]string {
			var out [][]string
			err := w.st.LiveStats().Export(w.ctx, kind, w.brand.ID, f, func(r []string) error {
				out = append(out, append([]string(nil), r...))
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			return out
		}
		orders := collect(analytics.ExportOrders, analytics.ExportFilter{LiveID: liveID})
		if len(orders) != 7 || orders[0][2] != "external_id" {
			t.Fatalf("orders export: %d rows %v", len(orders), orders)
		}
		// o1 first (paid first), attributed to A by its share code, 30000 paid.
		if o := orders[1]; o[2] != "o1" || o[4] != start.Add(30*time.Minute).Format(time.RFC3339) || o[7] != "30000" ||
			o[9] != "30000" || o[12] != "A" || o[13] != "share_code" || o[15] == "" {
			t.Errorf("o1 row %q", o)
		}
		if o := orders[3]; o[2] != "o3" || o[8] != "3000" || o[9] != "5000" {
			t.Errorf("o3 row %q", o)
		}
		// A date range: only o1 and o2 were paid in the first 45 minutes.
		from, to := start, start.Add(45*time.Minute)
		if got := collect(analytics.ExportOrders, analytics.ExportFilter{From: &from, To: &to}); len(got) != 3 || got[2][2] != "o2" {
			t.Errorf("orders by date range: %q", got)
		}
		res := collect(analytics.ExportReservations, analytics.ExportFilter{LiveID: liveID})
		if len(res) != 8 {
			t.Fatalf("reservations export: %d rows", len(res))
		}
		var counted, formula int
		for _, r := range res[1:] {
			if r[10] == "true" {
				counted++
			}
			if r[3] == "'=HYPERLINK(1)" {
				formula++
			}
		}
		if counted != 2 || formula != 1 {
			t.Errorf("counted %d (want 2), escaped formula nicknames %d (want 1): %q", counted, formula, res)
		}
		com := collect(analytics.ExportCommissions, analytics.ExportFilter{LiveID: liveID})
		var acc, net int64
		for _, r := range com[1:] {
			a, _ := strconv.ParseInt(r[9], 10, 64)
			n, _ := strconv.ParseInt(r[11], 10, 64)
			acc, net = acc+a, net+n
		}
		if len(com) != 6 || acc != 5400 || net != 4200 {
			t.Errorf("commissions export: %d rows, accrued %d net %d (want 5 rows, 5400, 4200)", len(com)-1, acc, net)
		}
		// Another brand sees none of it.
		other := newWorld(t, w.st, "other")
		if got := collect(analytics.ExportOrders, analytics.ExportFilter{}); len(got) < 2 {
			t.Errorf("own brand's orders missing")
		}
		names, err := w.st.LiveStats().Nicknames(w.ctx, w.brand.ID, []string{evil.ID, "nope", ""})
		if err != nil || len(names) != 1 || names[evil.ID] != "=HYPERLINK(1)" {
			t.Errorf("nicknames %v %v", names, err)
		}
		if names, _ := w.st.LiveStats().Nicknames(w.ctx, other.brand.ID, []string{evil.ID}); len(names) != 0 {
			t.Errorf("another brand reads nicknames %v", names)
		}
		var n int
		_ = w.st.LiveStats().Export(w.ctx, analytics.ExportOrders, other.brand.ID, analytics.ExportFilter{}, func([]string) error { n++; return nil })
		if n != 1 {
			t.Errorf("another brand's export has %d rows, want the header only", n)
		}
	})
}
