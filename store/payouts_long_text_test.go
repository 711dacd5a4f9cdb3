package store_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// refusingTransfers refuses every create with a message of its own (WeChat's refusals carry
// free Chinese text).
type refusingTransfers struct {
	payouts.Transfers
	code, message string
}

func (r refusingTransfers) Create(context.Context, payouts.TransferOrder) (payouts.Bill, error) {
	return payouts.Bill{}, &payouts.RefusedError{Code: r.code, Message: r.message}
}

// wantStoredText: s fits a MaxLen(256) column (bytes), is valid UTF-8 and starts with prefix.
func wantStoredText(t *testing.T, what, s, prefix string) {
	t.Helper()
	if len(s) > 256 || !utf8.ValidString(s) || !strings.HasPrefix(s, prefix) || len(s) < 200 {
		t.Fatalf("%s stored as %d bytes (valid UTF-8 %v): %q; want ≤ 256 bytes starting %q", what, len(s), utf8.ValidString(s), s, prefix)
	}
}

// Long Chinese text goes into MaxLen columns cut by bytes on a rune boundary: a 300-character
// WeChat refusal fails the payout and releases the hold (it used to fail the finishing
// transaction for ever), and a 200-character reject note or adjustment reason is accepted.
func TestPayoutLongChineseText(t *testing.T) {
	eachPayWorld(t, func(t *testing.T, w *payWorld) {
		a := w.member("A")
		w.fund(a, 30_000)
		refusal := strings.Repeat("商户余额不足", 50) // 300 characters, 900 bytes
		w.svc.Transfers = refusingTransfers{Transfers: w.wx, code: "NOT_ENOUGH", message: refusal}
		p := w.request(a, 1_000, "long-refusal").Payout
		if err := w.advance(p.ID); err != nil {
			t.Fatalf("advance with a long refusal: %v", err)
		}
		got := w.payout(p.ID)
		if got.Status != payouts.PayoutFailed {
			t.Fatalf("payout %s after a refusal, want failed", got.Status)
		}
		wantStoredText(t, "fail_reason", got.FailReason, "NOT_ENOUGH: 商户余额不足")
		attempts, err := w.svc.Store.ListAttempts(w.ctx, w.brand.ID, p.ID)
		if err != nil || len(attempts) != 1 {
			t.Fatalf("attempts %+v %v", attempts, err)
		}
		wantStoredText(t, "attempt message", attempts[0].Message, "商户余额不足")
		w.wantMoney(a, 30_000, 0, 0)

		// Reject with the longest note the API takes (200 characters, 600 bytes).
		finance := w.admin("fin", brands.RoleFinance)
		big := w.request(a, 6_000, "to-reject").Payout // above the auto-approve threshold
		if big.Status != payouts.PayoutRequested {
			t.Fatalf("payout %s, want requested", big.Status)
		}
		note := strings.Repeat("金额异常请核实", 28) + "谢谢谢谢" // 200 characters
		rejected, err := w.svc.Reject(w.ctx, actor(finance), brands.RoleFinance, w.brand.ID, big.ID, note)
		if err != nil {
			t.Fatalf("reject with a long Chinese note: %v", err)
		}
		wantStoredText(t, "reject fail_reason", rejected.FailReason, "rejected: 金额异常请核实")
		approvals, err := w.svc.Approvals(w.ctx, w.brand.ID, big.ID)
		if err != nil || len(approvals) != 1 {
			t.Fatalf("approvals %+v %v", approvals, err)
		}
		wantStoredText(t, "approval note", approvals[0].Note, "金额异常请核实")
		w.wantMoney(a, 30_000, 0, 0)

		// An adjustment with a 200-character Chinese reason.
		if _, _, err := w.book.Adjust(w.ctx, brands.CLIActor, brands.RoleOwner, w.brand.ID,
			payouts.AdjustInput{MemberID: a.ID, Kind: payouts.AdjustPrize, AmountFen: 100, Reason: note}); err != nil {
			t.Fatalf("adjustment with a long Chinese reason: %v", err)
		}
		w.wantMoney(a, 30_100, 0, 0)
		w.verify()
		t.Logf("refusal of %d bytes stored as %d; reject note of %d bytes stored as %d", len(refusal), len(got.FailReason), len(note), len(approvals[0].Note))
	})
}
