package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// An ended live becomes settled once every commission of its orders is final.
func TestLiveSettlesWhenItsCommissionsAreFinal(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.setPlan(testPlan())
		a, b := w.member("A"), w.member("B")
		live := w.live()
		o := w.order("s-1", b, line("L1", referral.ProductFlashSale, 1, 10_000))
		o.LiveID = live
		o.ShareCode = w.link(live, a)
		w.pay(o)
		start, end := w.clk.Now().Add(-2*time.Hour), w.clk.Now()
		storetest.SetLiveStatus(t, w.st, w.brand.ID, live, "ended", &start, &end)
		w.clk.Advance(2 * day)
		w.tick()
		if status := liveStatus(t, w, live); status != "ended" {
			t.Fatalf("live %s with a pending commission", status)
		}
		w.clk.Advance(21 * day)
		w.tick()
		if status := liveStatus(t, w, live); status != "settled" {
			t.Fatalf("live %s after every commission became available", status)
		}
	})
}

func liveStatus(t *testing.T, w *world, id string) string {
	t.Helper()
	var s string
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT status FROM lives WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Another brand's orders, members and share codes are invisible.
func TestOrdersTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w1, w2 := newWorld(t, st, "one"), newWorld(t, st, "two")
		w1.setPlan(testPlan())
		w2.setPlan(testPlan())
		a1, b1 := w1.member("A"), w1.member("B")
		a2, b2 := w2.member("A"), w2.member("B")
		o := w1.order("same-id", b1, line("L1", referral.ProductProfit, 1, 10_000))
		o.ShareCode = w1.link(w1.live(), a1)
		got := w1.pay(o)
		// Brand two uses brand one's share code and the same external id: its own order, and
		// the foreign code attributes nothing.
		o2 := w2.order("same-id", b2, line("L1", referral.ProductProfit, 1, 10_000))
		o2.ShareCode = o.ShareCode
		got2 := w2.pay(o2)
		if got2.ID == got.ID || got2.Attribution.MemberID != "" || !strings.Contains(got2.Attribution.Reason, "unknown share code") {
			t.Fatalf("brand two's order %+v", got2.Attribution)
		}
		if _, err := w2.orders.Order(w2.ctx, w2.brand.ID, got.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("brand two reads brand one's order: %v", err)
		}
		admin := brands.Actor{Type: "admin", ID: "x"}
		if _, err := w2.orders.Reassign(w2.ctx, admin, w2.brand.ID, got.ID, a2.ID, "mine"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("brand two reassigns brand one's order: %v", err)
		}
		if _, err := w1.orders.Reassign(w1.ctx, admin, w1.brand.ID, got.ID, a2.ID, "theirs"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("brand one gives an order to brand two's member: %v", err)
		}
		if _, _, err := w2.book.Adjust(w2.ctx, admin, brands.RoleOwner, w2.brand.ID, payouts.AdjustInput{MemberID: a1.ID,
			Kind: payouts.AdjustPrize, AmountFen: 1, Reason: "x"}); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("brand two pays brand one's member: %v", err)
		}
		w1.wantBalances(a1, bal(1500, 0, 0))
		if b, _ := w2.ledger.MemberBalances(w2.ctx, w2.brand.ID, a1.ID); b != (payouts.Balances{}) {
			t.Fatalf("brand two sees brand one's balances: %+v", b)
		}
		w1.verify()
		w2.verify()
	})
}

// Adjustments with an Idempotency-Key: a replay answers the first, another body is 409, and
// concurrent replays make one adjustment.
func TestAdjustmentIdempotency(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		a := w.member("A")
		owner := brands.Actor{Type: "admin", ID: "owner"}
		in := payouts.AdjustInput{MemberID: a.ID, Kind: payouts.AdjustPrize, AmountFen: 888, Reason: "first place", IdempotencyKey: "k-1"}
		var wg sync.WaitGroup
		ids := make(chan string, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				adj, _, err := w.book.Adjust(w.ctx, owner, brands.RoleFinance, w.brand.ID, in)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- adj.ID
			}()
		}
		wg.Wait()
		close(ids)
		first := ""
		for id := range ids {
			if first != "" && id != first {
				t.Fatalf("two adjustments for one key: %s, %s", first, id)
			}
			first = id
		}
		w.wantBalances(a, bal(0, 888, 0))
		other := in
		other.AmountFen = 999
		if _, _, err := w.book.Adjust(w.ctx, owner, brands.RoleOwner, w.brand.ID, other); apperr.CodeOf(err) != "IDEMPOTENCY_KEY_REUSED" {
			t.Fatalf("key with another body: %v", err)
		}
		for name, bad := range map[string]payouts.AdjustInput{
			"kind":   {MemberID: a.ID, Kind: "bonus", AmountFen: 1, Reason: "r"},
			"amount": {MemberID: a.ID, Kind: payouts.AdjustCredit, AmountFen: 0, Reason: "r"},
			"huge":   {MemberID: a.ID, Kind: payouts.AdjustCredit, AmountFen: 10_000_001, Reason: "r"},
			"reason": {MemberID: a.ID, Kind: payouts.AdjustCredit, AmountFen: 1, Reason: " "},
		} {
			if _, _, err := w.book.Adjust(w.ctx, owner, brands.RoleOwner, w.brand.ID, bad); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, _, err := w.book.Adjust(w.ctx, owner, brands.RoleOperator, w.brand.ID, payouts.AdjustInput{MemberID: a.ID,
			Kind: payouts.AdjustCredit, AmountFen: 1, Reason: "r"}); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("operator adjusted: %v", err)
		}
		w.verify()
	})
}

func TestMembersFreezeAndList(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		a, _ := w.member("A"), w.member("B")
		svc := &referral.Members{Store: w.st.Orders(), Audit: w.st, Clock: w.clk}
		admin := brands.Actor{Type: "admin", ID: "adm"}
		for range 2 {
			m, err := svc.SetFrozen(w.ctx, admin, w.brand.ID, a.ID, true)
			if err != nil || m.Status != referral.StatusFrozen {
				t.Fatalf("freeze: %v %+v", err, m)
			}
		}
		frozen, next, err := svc.List(w.ctx, w.brand.ID, referral.StatusFrozen, referral.Page{})
		if err != nil || len(frozen) != 1 || frozen[0].ID != a.ID || next != "" {
			t.Fatalf("frozen list: %v %+v %q", err, frozen, next)
		}
		page, next, err := svc.List(w.ctx, w.brand.ID, "", referral.Page{Limit: 1})
		if err != nil || len(page) != 1 || next == "" {
			t.Fatalf("page 1: %v %d %q", err, len(page), next)
		}
		page2, next2, err := svc.List(w.ctx, w.brand.ID, "", referral.Page{Limit: 1, Cursor: next})
		if err != nil || len(page2) != 1 || page2[0].ID == page[0].ID || next2 != "" {
			t.Fatalf("page 2: %v %+v %q", err, page2, next2)
		}
		if m, err := svc.SetFrozen(w.ctx, admin, w.brand.ID, a.ID, false); err != nil || m.Status != referral.StatusActive {
			t.Fatalf("unfreeze: %v %+v", err, m)
		}
		if _, err := svc.SetFrozen(w.ctx, admin, w.brand.ID, "nobody", true); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("unknown member: %v", err)
		}
		if _, _, err := svc.List(w.ctx, w.brand.ID, "sleeping", referral.Page{}); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("bad status: %v", err)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		keys := &brands.APIKeys{Store: w.st.Orders(), Clock: w.clk}
		owner := brands.Actor{Type: "admin", ID: "owner"}
		k, token, err := keys.Create(w.ctx, owner, w.brand.ID, "erp")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "sck_") || strings.Contains(string(k.SecretHash), token) {
			t.Fatalf("token %q", token)
		}
		got, err := keys.Authenticate(w.ctx, token)
		if err != nil || got.BrandID != w.brand.ID {
			t.Fatalf("authenticate: %v %+v", err, got)
		}
		for _, bad := range []string{"", "sck_", token + "x", strings.TrimPrefix(token, "sck_"), "sck_" + k.ID + ".wrong"} {
			if _, err := keys.Authenticate(w.ctx, bad); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("key %q: %v", bad, err)
			}
		}
		other := newWorld(t, w.st, "other")
		if err := keys.Revoke(w.ctx, owner, other.brand.ID, k.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another brand revoked the key: %v", err)
		}
		w.clk.Advance(2 * time.Minute)
		if _, err := keys.Authenticate(w.ctx, token); err != nil {
			t.Fatal(err)
		}
		list, err := keys.List(w.ctx, w.brand.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("list: %v %+v", err, list)
		}
		for range 2 {
			if err := keys.Revoke(w.ctx, owner, w.brand.ID, k.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := keys.Authenticate(w.ctx, token); apperr.KindOf(err) != apperr.Unauthenticated {
			t.Fatalf("revoked key: %v", err)
		}
	})
}
