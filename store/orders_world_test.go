package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// world is one brand with the orders domain wired onto a real store and a fixed clock.
type world struct {
	t      testing.TB
	ctx    context.Context
	st     *store.Store
	clk    *clock.Fixed
	brands *brands.Service
	orders *referral.Orders
	book   *payouts.Book
	ledger *payouts.Ledger
	events *recorder
	brand  brands.Brand
	n      int
}

var w0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// recorder keeps the business events emitted (in committed and rolled-back transactions alike).
type recorder struct {
	mu  sync.Mutex
	log []string
}

func (r *recorder) Emit(_ context.Context, _, typ string, _ any) error {
	r.mu.Lock()
	r.log = append(r.log, typ)
	r.mu.Unlock()
	return nil
}

func (r *recorder) count(typ string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.log {
		if e == typ {
			n++
		}
	}
	return n
}

func newWorld(t testing.TB, st *store.Store, slug string) *world {
	t.Helper()
	clk := clock.NewFixed(w0)
	bs := &brands.Service{Store: st, Clock: clk}
	b, err := bs.CreateBrand(context.Background(), brands.CLIActor, brands.NewBrandInput{Slug: slug, Name: "Brand " + slug, City: "上海"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ledger := &payouts.Ledger{Store: st.Ledger(), Clock: clk}
	book := &payouts.Book{Store: st.Ledger(), Adjustments: st.Ledger(), Ledger: ledger, Events: rec, Audit: st, Members: st.Ledger(), Clock: clk}
	orders := &referral.Orders{Store: st.Orders(), Book: book, Brands: bs, Audit: st, Events: rec, Clock: clk}
	return &world{t: t, ctx: context.Background(), st: st, clk: clk, brands: bs, orders: orders, book: book, ledger: ledger, events: rec, brand: b}
}

// testPlan: flash sale 5%, classic 3 yuan a unit, profit 15%, exclusive 10%; tier 2 3%; cap 30%.
func testPlan() referral.Plan {
	return referral.Plan{Types: map[string]referral.Rate{
		referral.ProductFlashSale: {BPS: 500}, referral.ProductClassic: {FixedFenPerUnit: 300},
		referral.ProductProfit: {BPS: 1500}, referral.ProductExclusive: {BPS: 1000}},
		Tier2: referral.Rate{BPS: 300}, LineCapBPS: 3000}
}

func (w *world) setPlan(p referral.Plan) {
	w.t.Helper()
	if _, err := w.orders.SetCommissionPlan(w.ctx, brands.CLIActor, w.brand.ID, p); err != nil {
		w.t.Fatal(err)
	}
	w.clk.Advance(time.Second) // the plan is in force from now: orders are paid after it
}

func (w *world) setBinding(r referral.BindingRules) {
	w.t.Helper()
	if _, err := w.orders.SetBindingRules(w.ctx, brands.CLIActor, w.brand.ID, r); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) member(name string, recruiter ...string) referral.Member {
	w.t.Helper()
	m := referral.Member{BrandID: w.brand.ID, OpenID: "o-" + name + "-" + w.brand.Slug, UnionID: "u-" + name + "-" + w.brand.Slug,
		Nickname: name, Status: referral.StatusActive, LeaderboardVisible: true}
	if len(recruiter) > 0 {
		m.RecruiterID = recruiter[0]
	}
	m, err := w.st.CreateMember(w.ctx, m)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

func (w *world) live() string {
	w.t.Helper()
	start := w.clk.Now().Add(-time.Hour)
	id, err := w.st.CreateLive(w.ctx, store.NewLive{BrandID: w.brand.ID, Title: "live", PlannedStartAt: start, ActualStartAt: &start, Status: "live"})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) link(liveID string, m referral.Member) string {
	w.t.Helper()
	w.n++
	code := fmt.Sprintf("c%s%d", w.brand.Slug, w.n)
	storetest.SeedShareLink(w.t, w.st, w.brand.ID, liveID, m.ID, code)
	return code
}

func (w *world) touch(liveID string, sharer, visitor referral.Member) {
	w.t.Helper()
	w.n++
	link := storetest.SeedShareLink(w.t, w.st, w.brand.ID, liveID, sharer.ID, fmt.Sprintf("t%s%d", w.brand.Slug, w.n))
	storetest.SeedTouch(w.t, w.st, w.brand.ID, liveID, link, sharer.ID, visitor.ID, w.clk.Now())
	w.clk.Advance(time.Second)
}

func line(id, typ string, qty, paid int64) referral.OrderLineInput {
	return referral.OrderLineInput{LineID: id, ProductID: "p-" + id, SKUID: "s-" + id, ProductType: typ, Quantity: qty, PaidFen: paid}
}

func (w *world) order(ext string, buyer referral.Member, lines ...referral.OrderLineInput) referral.PaidOrder {
	return referral.PaidOrder{Source: referral.SourceOpenAPI, ExternalID: ext, Buyer: referral.Identity{OpenID: buyer.OpenID},
		Lines: lines, ShipCity: "杭州市", PaidAt: w.clk.Now()}
}

func (w *world) pay(o referral.PaidOrder) referral.Order {
	w.t.Helper()
	got, _, err := w.orders.RecordPaid(w.ctx, w.brand.ID, o)
	if err != nil {
		w.t.Fatalf("pay %s: %v", o.ExternalID, err)
	}
	return got
}

func (w *world) refund(ext, id string, lines ...referral.RefundLine) {
	w.t.Helper()
	if _, err := w.orders.ApplyAfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: ext,
		AfterSaleID: id, State: referral.AfterSaleRefunded, Lines: lines, At: w.clk.Now()}); err != nil {
		w.t.Fatalf("refund %s %s: %v", ext, id, err)
	}
}

func (w *world) tick() int {
	w.t.Helper()
	n, err := w.book.Tick(w.ctx)
	if err != nil {
		w.t.Fatalf("tick: %v", err)
	}
	return n
}

func (w *world) balances(m referral.Member) payouts.Balances {
	w.t.Helper()
	b, err := w.ledger.MemberBalances(w.ctx, w.brand.ID, m.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) wantBalances(m referral.Member, want payouts.Balances) {
	w.t.Helper()
	if got := w.balances(m); got != want {
		w.t.Fatalf("%s balances %+v, want %+v", m.Nickname, got, want)
	}
}

func (w *world) commissions(orderID string) []payouts.Commission {
	w.t.Helper()
	cs, err := w.book.OrderCommissions(w.ctx, w.brand.ID, orderID)
	if err != nil {
		w.t.Fatal(err)
	}
	return cs
}

// verify asserts the ledger invariants (`ledger verify`).
func (w *world) verify() payouts.Report {
	w.t.Helper()
	r, err := w.ledger.Verify(w.ctx, w.brand.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	if !r.OK() {
		w.t.Fatalf("ledger of %s breaks its invariants: %v", w.brand.Slug, r.Problems)
	}
	return r
}

func bal(pending, available, debt int64) payouts.Balances {
	return payouts.Balances{PendingFen: pending, AvailableFen: available, DebtFen: debt}
}

func eachWorld(t *testing.T, fn func(t *testing.T, w *world)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) { fn(t, newWorld(t, st, "acme")) })
}
