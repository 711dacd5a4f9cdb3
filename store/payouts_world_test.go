package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// fakeWeChat is an in-memory WeChat Pay transfer API: one bill per out_bill_no (a repeated
// create answers the bill it has, like WeChat), with faults for the crash-point tests.
type fakeWeChat struct {
	mu    sync.Mutex
	bills map[string]*payouts.Bill
	// creates counts create calls that reached "WeChat"; made counts bills made.
	creates, made int
	// loseAnswer: the next n creates make the bill but the answer is lost (a timeout).
	loseAnswer int
	// refuse: the next create is refused with this code, making no bill.
	refuse string
	// queryDown: queries fail with an unknown error.
	queryDown bool
	// params are each bill's create parameters: a repeat with others is refused, like WeChat.
	params map[string]payouts.CreateParams
	// sent lists the parameters of every create that reached "WeChat"; cancels counts cancels.
	sent    []payouts.CreateParams
	cancels int
	// duringQuery, when set, runs (unlocked) inside the next query: something that happens
	// while a job is working.
	duringQuery func()
}

func newFakeWeChat() *fakeWeChat {
	return &fakeWeChat{bills: map[string]*payouts.Bill{}, params: map[string]payouts.CreateParams{}}
}

var errTimeout = errors.New("fake wechat: timeout")

func (f *fakeWeChat) Create(_ context.Context, o payouts.TransferOrder) (payouts.Bill, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if f.refuse != "" {
		code := f.refuse
		f.refuse = ""
		return payouts.Bill{}, &payouts.RefusedError{Code: code, Message: "refused by the fake"}
	}
	f.sent = append(f.sent, o.Params)
	b, ok := f.bills[o.OutBillNo]
	if ok && f.params[o.OutBillNo] != o.Params {
		return payouts.Bill{}, &payouts.RefusedError{Code: "INVALID_REQUEST", Message: "商户单号重复，且与原单参数不一致", BillExists: true}
	}
	if !ok {
		f.params[o.OutBillNo] = o.Params
		f.made++
		b = &payouts.Bill{OutBillNo: o.OutBillNo, TransferBillNo: fmt.Sprintf("TB%06d", f.made), State: payouts.BillWaitUserConfirm,
			AmountFen: o.AmountFen, PackageInfo: "pkg-" + o.OutBillNo}
		f.bills[o.OutBillNo] = b
	}
	if f.loseAnswer > 0 {
		f.loseAnswer--
		return payouts.Bill{}, errTimeout
	}
	out := *b
	out.AmountFen = 0 // a create answer carries no amount
	return out, nil
}

func (f *fakeWeChat) Query(_ context.Context, _, outBillNo string) (payouts.Bill, error) {
	f.mu.Lock()
	if during := f.duringQuery; during != nil {
		f.duringQuery = nil
		f.mu.Unlock()
		during()
		f.mu.Lock()
	}
	defer f.mu.Unlock()
	if f.queryDown {
		return payouts.Bill{}, errTimeout
	}
	b, ok := f.bills[outBillNo]
	if !ok {
		return payouts.Bill{}, &payouts.RefusedError{Code: "NOT_FOUND", Message: "no bill", NotFound: true}
	}
	out := *b
	out.PackageInfo = ""
	return out, nil
}

func (f *fakeWeChat) Cancel(_ context.Context, _, outBillNo string) (payouts.Bill, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels++
	b, ok := f.bills[outBillNo]
	if !ok {
		return payouts.Bill{}, &payouts.RefusedError{Code: "NOT_FOUND", NotFound: true}
	}
	if payouts.BillFinal(b.State) || b.State == payouts.BillTransfering {
		return payouts.Bill{}, &payouts.RefusedError{Code: "INVALID_REQUEST", Message: "cannot cancel now"}
	}
	b.State = payouts.BillCancelled
	return payouts.Bill{OutBillNo: outBillNo, TransferBillNo: b.TransferBillNo, State: payouts.BillCanceling}, nil
}

// settle ends a bill at WeChat (the member confirmed, or it expired) and answers the bill a
// callback would carry.
func (f *fakeWeChat) settle(outBillNo, state string) payouts.Bill {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bills[outBillNo]
	b.State = state
	out := *b
	out.PackageInfo = ""
	return out
}

func (f *fakeWeChat) billCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bills)
}

// recQueue records enqueued advances; tests run them by hand (the worker).
type recQueue struct {
	mu   sync.Mutex
	jobs []string
}

func (q *recQueue) EnqueuePayoutAdvance(_ context.Context, _, payoutID string, _ time.Duration) error {
	q.mu.Lock()
	q.jobs = append(q.jobs, payoutID)
	q.mu.Unlock()
	return nil
}

func (q *recQueue) count(id string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, j := range q.jobs {
		if j == id {
			n++
		}
	}
	return n
}

type reminded struct {
	mu  sync.Mutex
	ids []string
}

func (r *reminded) RemindPayoutConfirm(_ context.Context, p payouts.Payout) error {
	r.mu.Lock()
	r.ids = append(r.ids, p.ID)
	r.mu.Unlock()
	return nil
}

// payWorld is a world with the payout service on it.
type payWorld struct {
	*world
	svc    *payouts.Payouts
	wx     *fakeWeChat
	q      *recQueue
	remind *reminded
}

func newPayWorld(t testing.TB, w *world) *payWorld {
	wx, q, r := newFakeWeChat(), &recQueue{}, &reminded{}
	svc := &payouts.Payouts{Store: w.st.Payouts(nil), Ledger: w.ledger, Payees: w.st.Payouts(nil), Brands: w.brands, Audit: w.st,
		Events: w.events, Queue: q, Transfers: wx, Reminder: r, Clock: w.clk}
	return &payWorld{world: w, svc: svc, wx: wx, q: q, remind: r}
}

func eachPayWorld(t *testing.T, fn func(t *testing.T, w *payWorld)) {
	eachWorld(t, func(t *testing.T, w *world) { fn(t, newPayWorld(t, w)) })
}

// fund gives a member an available balance (a prize adjustment: commission_expense-like cost).
func (w *payWorld) fund(m referral.Member, fen int64) {
	w.t.Helper()
	if _, _, err := w.book.Adjust(w.ctx, brands.CLIActor, brands.RoleOwner, w.brand.ID,
		payouts.AdjustInput{MemberID: m.ID, Kind: payouts.AdjustPrize, AmountFen: fen, Reason: "test funds"}); err != nil {
		w.t.Fatal(err)
	}
}

// render is the edge's renderer in miniature: 201 + {payout id} or status + {code}.
func render(p payouts.Payout, err error) (int, []byte) {
	if err != nil {
		status := http.StatusUnprocessableEntity
		switch apperr.KindOf(err) {
		case apperr.Invalid:
			status = http.StatusBadRequest
		case apperr.NotFound:
			status = http.StatusNotFound
		case apperr.Conflict:
			status = http.StatusConflict
		}
		b, _ := json.Marshal(map[string]string{"code": apperr.CodeOf(err)})
		return status, b
	}
	b, _ := json.Marshal(map[string]any{"id": p.ID, "status": p.Status})
	return http.StatusCreated, b
}

func bodyHash(amount int64) string { return fmt.Sprintf("h-%d", amount) }

func (w *payWorld) request(m referral.Member, amount int64, key string) payouts.Answer {
	w.t.Helper()
	a, err := w.svc.Request(w.ctx, w.brand.ID, m.ID, amount, key, bodyHash(amount), render)
	if err != nil {
		w.t.Fatalf("request %d: %v", amount, err)
	}
	return a
}

func (w *payWorld) advance(id string) error { return w.svc.Advance(w.ctx, w.brand.ID, id) }

func (w *payWorld) payout(id string) payouts.Payout {
	w.t.Helper()
	p, err := w.svc.Get(w.ctx, w.brand.ID, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *payWorld) admin(name, role string) brands.Admin {
	w.t.Helper()
	a, err := w.st.CreateAdmin(w.ctx, brands.Admin{BrandID: w.brand.ID, Username: name, Role: role, PasswordHash: "x"})
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func actor(a brands.Admin) brands.Actor { return brands.Actor{Type: "admin", ID: a.ID} }

// full asserts member balances including in-flight and paid.
func (w *payWorld) wantMoney(m referral.Member, available, inFlight, paid int64) {
	w.t.Helper()
	b := w.balances(m)
	if b.AvailableFen != available || b.InFlightFen != inFlight || b.PaidFen != paid {
		w.t.Fatalf("%s: available %d in_flight %d paid %d; want %d %d %d", m.Nickname, b.AvailableFen, b.InFlightFen, b.PaidFen, available, inFlight, paid)
	}
}
