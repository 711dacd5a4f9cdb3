package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// The money invariants under random sequences of the real operations, in the style of blnk's
// model/invariant_fuzz_test.go: pay (open API and Channels, with share codes, platform sharers
// and touches), partial and full refunds, after-sales opened and closed, cancel, confirm,
// settle, holding-period ticks after clock jumps, reassign, adjustments, payout holds, events
// delivered before their order and replays of earlier events. After every step:
//
//   - every brand's ledger verifies: Σ entries = 0, every transaction ≥ 2 entries summing
//     to 0, cached balances = entries, no member account below zero on its normal side,
//     commissions agree with their reversal rows (I1);
//   - at most one commission per line × beneficiary × tier × attribution version (I3);
//   - per member, pending + available + in_flight + paid − debt = what their commissions
//     still hold + prizes + credits + write-offs, and pending = the remaining of their pending
//     commissions (I2);
//   - a refused operation and a replayed event change nothing.
//
// Seeded and short in the normal run (both engines); SHARECAST_TEST_LONG=1 runs longer;
// `go test -fuzz FuzzMoneyInvariants ./store` explores with coverage guidance (on PostgreSQL
// when SHARECAST_TEST_POSTGRES_URL is set, else SQLite).
func TestMoneyInvariantsSeeded(t *testing.T) {
	seeds, steps := 3, 45
	if testing.Short() {
		seeds, steps = 1, 30
	}
	if os.Getenv("SHARECAST_TEST_LONG") == "1" {
		seeds, steps = 6, 250
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for seed := range seeds {
			r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
			ops := make([]byte, steps)
			for i := range ops {
				ops[i] = byte(r.UintN(256))
			}
			runMoneyModel(t, st, fmt.Sprintf("s%d", seed), uint64(seed), ops)
		}
	})
}

func FuzzMoneyInvariants(f *testing.F) {
	f.Add(uint64(1), []byte{0, 0, 1, 2, 3, 5, 9, 6, 7, 8, 10, 4, 11, 0, 2, 5, 9})
	f.Add(uint64(7), []byte{10, 0, 12, 13, 5, 5, 1, 1, 2, 6, 9, 9, 7})
	f.Add(uint64(42), []byte{11, 11, 0, 0, 0, 3, 5, 8, 2, 2, 7, 9, 13, 12, 4})
	// One migrated store for every input (each worker process has its own); each input runs
	// in a brand of its own, and every check is per brand. PostgreSQL when it is there: SQL
	// then runs outside the instrumented binary, where the transpiled SQLite engine is slowed
	// down many times by coverage counters.
	engines := storetest.Engines(f)
	st := storetest.Open(f, engines[len(engines)-1])
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, seed uint64, ops []byte) {
		if len(ops) > 120 {
			ops = ops[:120]
		}
		runMoneyModel(t, st, fmt.Sprintf("fz%d", n.Add(1)), seed, ops)
	})
}

// model is the state of one random run.
type model struct {
	w        *world
	r        *rand.Rand
	live     string
	sharers  []referral.Member
	buyers   []referral.Member
	everyone []referral.Member
	codes    map[string]string // member id → share code
	orders   []modelOrder
	replays  []func() error // events already applied once
	nextID   int
	log      []string
}

type modelOrder struct {
	paid  referral.PaidOrder
	id    string // "" until paid
	lines []referral.OrderLineInput
}

func runMoneyModel(t *testing.T, st *store.Store, slug string, seed uint64, ops []byte) {
	t.Helper()
	w := newWorld(t, st, slug)
	m := &model{w: w, r: rand.New(rand.NewPCG(seed, 0xfee)), codes: map[string]string{}}
	plan := testPlan()
	plan.SKUs = map[string]referral.SKUOverride{"s-sku7": {Tier1: referral.Rate{FixedFenPerUnit: 777}}}
	w.setPlan(plan)
	w.setBinding(referral.BindingRules{Mode: []string{referral.BindFirstTouch, referral.BindLastTouch, referral.BindWindow}[seed%3],
		WindowDays: map[uint64]int{2: 10}[seed%3], ProtectionDays: int(seed % 2)})
	rec := w.member("R")
	for i := range 3 {
		var s referral.Member
		if i < 2 {
			s = w.member(fmt.Sprintf("S%d", i), rec.ID)
		} else {
			s = w.member(fmt.Sprintf("S%d", i))
		}
		m.sharers = append(m.sharers, s)
	}
	for i := range 3 {
		m.buyers = append(m.buyers, w.member(fmt.Sprintf("B%d", i)))
	}
	m.everyone = append(append([]referral.Member{rec}, m.sharers...), m.buyers...)
	m.live = w.live()
	for _, s := range append([]referral.Member{rec}, m.sharers...) {
		m.codes[s.ID] = w.link(m.live, s)
	}
	defer func() {
		if t.Failed() {
			tail := m.log
			if len(tail) > 25 {
				tail = tail[len(tail)-25:]
			}
			t.Logf("seed %d, last operations:\n  %s", seed, strings.Join(tail, "\n  "))
		}
	}()
	before := m.check(-1, "start")
	for i, op := range ops {
		name, err := m.step(op)
		m.log = append(m.log, fmt.Sprintf("%d %s: %v", i, name, err))
		switch k := apperr.KindOf(err); {
		case err == nil:
		case k == apperr.Invalid || k == apperr.Rule || k == apperr.Conflict || k == apperr.NotFound || k == apperr.Forbidden:
			// A refused operation changes nothing.
			if after := m.snapshot(); !reflect.DeepEqual(before, after) {
				t.Fatalf("step %d (%s) was refused (%v) but changed the books", i, name, err)
			}
		default:
			t.Fatalf("step %d (%s): %v", i, name, err)
		}
		before = m.check(i, name)
	}
	snap := before
	refused := 0
	for _, l := range m.log {
		if !strings.HasSuffix(l, ": <nil>") {
			refused++
		}
	}
	if os.Getenv("MONEY_TRACE") != "" {
		t.Log(strings.Join(m.log, "\n"))
	}
	var reversals, intoDebt int
	if err := st.DB().QueryRowContext(w.ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN debt_fen > 0 THEN 1 ELSE 0 END), 0)
		FROM commission_reversals WHERE brand_id = $1`, w.brand.ID).Scan(&reversals, &intoDebt); err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d steps (%d refused), %d ledger transactions, %d commissions, %d reversals (%d into debt)", seed, len(ops),
		refused, snap.Transactions, len(snap.Commissions), reversals, intoDebt)
}

func (m *model) pick(n int) int { return m.r.IntN(n) }

func (m *model) newOrder(channels bool) modelOrder {
	m.nextID++
	buyer := m.buyers[m.pick(len(m.buyers))]
	var lines []referral.OrderLineInput
	types := referral.ProductTypes
	for i := range 1 + m.pick(3) {
		l := line(fmt.Sprintf("L%d", i), types[m.pick(len(types))], int64(1+m.pick(3)), int64(m.pick(50_000)))
		if m.pick(6) == 0 {
			l.SKUID = "s-sku7"
		}
		lines = append(lines, l)
	}
	o := m.w.order(fmt.Sprintf("ord-%d", m.nextID), buyer, lines...)
	if channels {
		o.Source, o.Buyer = referral.SourceChannels, referral.Identity{UnionID: buyer.UnionID}
		if m.pick(2) == 0 {
			o.Sharer = referral.Identity{UnionID: m.sharers[m.pick(len(m.sharers))].UnionID}
		}
	} else if m.pick(2) == 0 {
		o.ShareCode = m.codes[m.sharers[m.pick(len(m.sharers))].ID]
	}
	return modelOrder{paid: o, lines: lines}
}

// step runs one operation chosen by op and answers its name.
func (m *model) step(op byte) (string, error) {
	w, ctx, brandID := m.w, m.w.ctx, m.w.brand.ID
	paid := func() (*modelOrder, bool) {
		var ids []int
		for i, o := range m.orders {
			if o.id != "" {
				ids = append(ids, i)
			}
		}
		if len(ids) == 0 {
			return nil, false
		}
		return &m.orders[ids[m.pick(len(ids))]], true
	}
	anyOrder := func() (*modelOrder, bool) {
		if len(m.orders) == 0 {
			return nil, false
		}
		return &m.orders[m.pick(len(m.orders))], true
	}
	record := func(fn func() error) error {
		err := fn()
		if err == nil {
			m.replays = append(m.replays, fn)
		}
		return err
	}
	refundOf := func(o *modelOrder, full bool) (referral.AfterSaleUpdate, bool) {
		got, err := w.orders.OrderByExternal(ctx, brandID, o.paid.Source, o.paid.ExternalID)
		if err != nil {
			return referral.AfterSaleUpdate{}, false
		}
		l := got.Lines[m.pick(len(got.Lines))]
		left := l.PaidFen - l.RefundedFen
		if left <= 0 {
			return referral.AfterSaleUpdate{}, false
		}
		amt := left
		if !full && left > 1 {
			amt = 1 + int64(m.pick(int(left-1)))
		}
		m.nextID++
		return referral.AfterSaleUpdate{Source: o.paid.Source, ExternalID: o.paid.ExternalID, AfterSaleID: fmt.Sprintf("as-%d", m.nextID),
			State: referral.AfterSaleRefunded, Lines: []referral.RefundLine{{LineID: l.LineID, RefundFen: amt}}, At: w.clk.Now()}, true
	}
	// Pays weigh most (everything else needs orders), then ticks and holds (a refund after a
	// hold is what makes debt).
	kind := [...]int{0, 0, 1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13}[int(op)%18]
	switch kind {
	case 0, 1: // pay a new order (open API or Channels), or one whose events came first
		idx := -1
		for i, o := range m.orders {
			if o.id == "" && m.pick(2) == 0 {
				idx = i
				break
			}
		}
		if idx < 0 {
			o := m.newOrder(kind == 1)
			o.paid.PaidAt = w.clk.Now()
			m.orders = append(m.orders, o)
			idx = len(m.orders) - 1
		}
		o := m.orders[idx]
		return "pay " + o.paid.ExternalID, record(func() error {
			got, _, err := w.orders.RecordPaid(ctx, brandID, m.orders[idx].paid)
			if err == nil {
				m.orders[idx].id = got.ID
			}
			return err
		})
	case 2, 3: // partial or full refund
		for _, o := range m.orders {
			if o.id != "" || m.pick(3) != 0 {
				continue
			}
			// A refund for an order not received yet: parked, applied when it comes.
			l := o.lines[m.pick(len(o.lines))]
			if l.PaidFen == 0 {
				break
			}
			m.nextID++
			u := referral.AfterSaleUpdate{Source: o.paid.Source, ExternalID: o.paid.ExternalID, AfterSaleID: fmt.Sprintf("as-%d", m.nextID),
				State: referral.AfterSaleRefunded, Lines: []referral.RefundLine{{LineID: l.LineID, RefundFen: 1 + int64(m.pick(int(l.PaidFen)))}},
				At: w.clk.Now()}
			return fmt.Sprintf("early refund %s %s %d", u.ExternalID, l.LineID, u.Lines[0].RefundFen),
				record(func() error { _, err := w.orders.ApplyAfterSale(ctx, brandID, u); return err })
		}
		o, ok := paid()
		if !ok {
			return "refund (no order)", nil
		}
		u, ok := refundOf(o, kind == 3)
		if !ok {
			return "refund (nothing left)", nil
		}
		return fmt.Sprintf("refund %s %s %d", u.ExternalID, u.Lines[0].LineID, u.Lines[0].RefundFen),
			record(func() error { _, err := w.orders.ApplyAfterSale(ctx, brandID, u); return err })
	case 4: // confirm
		o, ok := anyOrder()
		if !ok {
			return "confirm (no order)", nil
		}
		at := w.clk.Now()
		return "confirm " + o.paid.ExternalID, record(func() error {
			return w.orders.Confirmed(ctx, brandID, o.paid.Source, o.paid.ExternalID, at)
		})
	case 5: // the clock jumps, the periodic job ticks
		if m.pick(2) == 0 {
			w.clk.Advance(time.Duration(1+m.pick(48)) * time.Hour)
		} else { // past a holding period
			w.clk.Advance(time.Duration(8+m.pick(18)) * day)
		}
		_, err := w.book.Tick(ctx)
		return "tick", err
	case 6: // an admin reassigns
		o, ok := paid()
		if !ok {
			return "reassign (no order)", nil
		}
		to := m.everyone[m.pick(len(m.everyone))]
		_, err := w.orders.Reassign(ctx, brands.Actor{Type: "admin", ID: "adm"}, brandID, o.id, to.ID, "fuzz")
		return "reassign " + o.paid.ExternalID + " → " + to.Nickname, err
	case 7: // an adjustment (prize, credit, write-off), some with a key that is replayed
		mem := m.everyone[m.pick(len(m.everyone))]
		kind := []string{payouts.AdjustPrize, payouts.AdjustCredit, payouts.AdjustDebtWriteOff}[m.pick(3)]
		amt := int64(1 + m.pick(3000))
		if kind == payouts.AdjustDebtWriteOff {
			if b := w.balances(mem); b.DebtFen > 0 {
				amt = 1 + int64(m.pick(int(b.DebtFen)))
			}
		}
		m.nextID++
		in := payouts.AdjustInput{MemberID: mem.ID, Kind: kind, AmountFen: amt, Reason: "fuzz", IdempotencyKey: fmt.Sprintf("k-%d", m.nextID)}
		return fmt.Sprintf("%s %d → %s", kind, amt, mem.Nickname), record(func() error {
			_, _, err := w.book.Adjust(ctx, brands.Actor{Type: "admin", ID: "owner"}, brands.RoleOwner, brandID, in)
			return err
		})
	case 8: // a payout holds part of a member's available balance (the payouts work's posting)
		mem := m.everyone[m.pick(len(m.everyone))]
		b := w.balances(mem)
		if b.AvailableFen <= 0 {
			return "hold (nothing available)", nil
		}
		amt := b.AvailableFen
		if m.pick(2) == 0 {
			amt = 1 + int64(m.pick(int(b.AvailableFen)))
		}
		m.nextID++
		ref := fmt.Sprintf("h-%d", m.nextID)
		err := w.st.WithTx(ctx, func(ctx context.Context) error {
			_, err := w.ledger.Post(ctx, brandID, payouts.Txn{Ref: "payout-hold:" + ref, Kind: "payout_hold", Entries: []payouts.Entry{
				payouts.DebitOf(payouts.MemberAccount(mem.ID, payouts.KindAvailable), amt),
				payouts.CreditOf(payouts.MemberAccount(mem.ID, payouts.KindInFlight), amt)}})
			return err
		})
		return fmt.Sprintf("hold %d of %s", amt, mem.Nickname), err
	case 9: // replay an earlier event: nothing may change
		if len(m.replays) == 0 {
			return "replay (none)", nil
		}
		before := m.snapshot()
		err := m.replays[m.pick(len(m.replays))]()
		if err == nil && !reflect.DeepEqual(before, m.snapshot()) {
			return "replay", errors.New("replaying an event changed the books")
		}
		return "replay", err
	case 10: // an event for an order not paid yet (out of order); the order comes later
		o := m.newOrder(m.pick(2) == 0)
		o.paid.PaidAt = w.clk.Now().Add(-time.Minute)
		m.orders = append(m.orders, o)
		at := w.clk.Now()
		return "early confirm " + o.paid.ExternalID, record(func() error {
			return w.orders.Confirmed(ctx, brandID, o.paid.Source, o.paid.ExternalID, at)
		})
	case 11: // a buyer opens a sharer's link
		s, b := m.sharers[m.pick(len(m.sharers))], m.buyers[m.pick(len(m.buyers))]
		w.touch(m.live, s, b)
		return "touch " + s.Nickname + " → " + b.Nickname, nil
	case 12: // Channels: settle, or cancel
		o, ok := anyOrder()
		if !ok || o.paid.Source != referral.SourceChannels {
			return "settle/cancel (no Channels order)", nil
		}
		at := w.clk.Now()
		if m.pick(3) == 0 {
			return "cancel " + o.paid.ExternalID, record(func() error {
				return w.orders.Cancelled(ctx, brandID, o.paid.Source, o.paid.ExternalID, at)
			})
		}
		return "settle " + o.paid.ExternalID, record(func() error {
			return w.orders.Settled(ctx, brandID, o.paid.Source, o.paid.ExternalID, at)
		})
	default: // Channels: an after-sale opens, later closes or refunds
		o, ok := anyOrder()
		if !ok || o.paid.Source != referral.SourceChannels {
			return "after-sale (no Channels order)", nil
		}
		m.nextID++
		id := fmt.Sprintf("cas-%d", m.nextID)
		open := referral.AfterSaleUpdate{Source: o.paid.Source, ExternalID: o.paid.ExternalID, AfterSaleID: id,
			State: referral.AfterSaleOpen, At: w.clk.Now()}
		if err := record(func() error { return w.orders.AfterSale(ctx, brandID, open) }); err != nil {
			return "after-sale open", err
		}
		end := open
		end.State = referral.AfterSaleClosed
		if u, ok := refundOf(o, m.pick(2) == 0); ok && m.pick(2) == 0 {
			end.State, end.Lines = referral.AfterSaleRefunded, u.Lines
		}
		return "after-sale " + end.State, record(func() error { return w.orders.AfterSale(ctx, brandID, end) })
	}
}

// snapshot is everything money: every account's entries and every commission's state.
type moneySnapshot struct {
	Transactions int
	Accounts     map[string]int64
	Commissions  map[string]string
}

type commissionRow struct {
	id, status, member string
	amount, reversed   int64
}

// read takes the brand's ledger facts and commissions in a handful of queries.
func (m *model) read() (payouts.LedgerFacts, []commissionRow, moneySnapshot) {
	w := m.w
	f, err := w.st.Ledger().LedgerFacts(w.ctx, w.brand.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	s := moneySnapshot{Transactions: f.Transactions, Accounts: map[string]int64{}, Commissions: map[string]string{}}
	for _, a := range f.Accounts {
		s.Accounts[a.Account.String()] = a.EntriesFen
	}
	rows, err := w.st.DB().QueryContext(w.ctx, `SELECT id, status, beneficiary_id, amount_fen, reversed_fen FROM commissions
		WHERE brand_id = $1`, w.brand.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var cs []commissionRow
	for rows.Next() {
		var c commissionRow
		if err := rows.Scan(&c.id, &c.status, &c.member, &c.amount, &c.reversed); err != nil {
			w.t.Fatal(err)
		}
		cs = append(cs, c)
		s.Commissions[c.id] = fmt.Sprintf("%s/%d", c.status, c.reversed)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return f, cs, s
}

func (m *model) snapshot() moneySnapshot {
	_, _, s := m.read()
	return s
}

// check asserts every invariant after a step and answers the snapshot of the books then.
func (m *model) check(step int, name string) moneySnapshot {
	w := m.w
	w.t.Helper()
	f, cs, snap := m.read()
	if r := payouts.Judge(w.brand.ID, f); !r.OK() {
		w.t.Fatalf("after step %d (%s) the ledger breaks: %v", step, name, r.Problems)
	}
	type key struct {
		line, member  string
		tier, version int
	}
	var dup int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM commissions WHERE brand_id = $1
		GROUP BY order_line_id, beneficiary_id, tier, attribution_version HAVING COUNT(*) > 1) d`, w.brand.ID).Scan(&dup); err != nil {
		w.t.Fatal(err)
	}
	if dup != 0 {
		w.t.Fatalf("after step %d (%s): %d duplicate commission keys", step, name, dup)
	}
	held, pending, adjusted := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, c := range cs {
		held[c.member] += c.amount - c.reversed
		if c.status == payouts.StatusPending {
			pending[c.member] += c.amount - c.reversed
		}
	}
	rows, err := w.st.DB().QueryContext(w.ctx, `SELECT member_id, SUM(amount_fen) FROM adjustments WHERE brand_id = $1 GROUP BY member_id`, w.brand.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var sum int64
		if err := rows.Scan(&id, &sum); err != nil {
			w.t.Fatal(err)
		}
		adjusted[id] = sum
	}
	rows.Close()
	balances := map[string]map[payouts.Kind]int64{}
	for _, a := range f.Accounts {
		if a.Account.Owner != payouts.OwnerMember {
			continue
		}
		if balances[a.Account.OwnerID] == nil {
			balances[a.Account.OwnerID] = map[payouts.Kind]int64{}
		}
		v := a.EntriesFen
		if a.Account.Kind.NormalSide() == payouts.Credit {
			v = -v
		}
		balances[a.Account.OwnerID][a.Account.Kind] = v
	}
	for _, mem := range m.everyone {
		b := balances[mem.ID]
		net := b[payouts.KindPending] + b[payouts.KindAvailable] + b[payouts.KindInFlight] + b[payouts.KindPaid] - b[payouts.KindDebt]
		if net != held[mem.ID]+adjusted[mem.ID] || b[payouts.KindPending] != pending[mem.ID] {
			w.t.Fatalf("after step %d (%s): %s has %v; commissions hold %d (pending %d), adjustments %d",
				step, name, mem.Nickname, b, held[mem.ID], pending[mem.ID], adjusted[mem.ID])
		}
		for k, v := range b {
			if v < 0 {
				w.t.Fatalf("after step %d (%s): %s's %s is %d", step, name, mem.Nickname, k, v)
			}
		}
	}
	return snap
}
