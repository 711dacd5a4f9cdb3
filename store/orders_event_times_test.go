package store_test

import (
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
)

// Open-API confirm and refund times more than 5 minutes before paid_at or in the future are
// 422 ORDER_EVENT_TIME_INVALID and change nothing (the holding period cannot be skipped); a
// parked or Channels confirm before the payment counts from the payment.
func TestOrderEventTimes(t *testing.T) {
	type step struct {
		kind   string // confirm or refund
		source string
		offset time.Duration // from the order's paid_at; now is paid_at + 1 h
		want   string        // "" or the error code
	}
	for _, tc := range []struct {
		name string
		step step
		// wantHoldFrom: the confirmation the hold counts from, as an offset from paid_at (nil:
		// unconfirmed).
		wantConfirm *time.Duration
	}{
		{"confirm after paid", step{"confirm", referral.SourceOpenAPI, 30 * time.Minute, ""}, dur(30 * time.Minute)},
		{"confirm at paid", step{"confirm", referral.SourceOpenAPI, 0, ""}, dur(0)},
		{"confirm just before paid counts from paid", step{"confirm", referral.SourceOpenAPI, -4 * time.Minute, ""}, dur(0)},
		{"confirm before paid beyond the clock skew", step{"confirm", referral.SourceOpenAPI, -6 * time.Minute, referral.CodeOrderTimeInvalid}, nil},
		{"confirm a day before paid", step{"confirm", referral.SourceOpenAPI, -24 * time.Hour, referral.CodeOrderTimeInvalid}, nil},
		{"confirm within the clock skew", step{"confirm", referral.SourceOpenAPI, time.Hour + 4*time.Minute, ""}, dur(time.Hour + 4*time.Minute)},
		{"confirm beyond the clock skew", step{"confirm", referral.SourceOpenAPI, time.Hour + 6*time.Minute, referral.CodeOrderTimeInvalid}, nil},
		{"channels confirm before paid counts from paid", step{"confirm", referral.SourceChannels, -time.Hour, ""}, dur(0)},
		{"refund after paid", step{"refund", referral.SourceOpenAPI, time.Minute, ""}, nil},
		{"refund just before paid (clock skew)", step{"refund", referral.SourceOpenAPI, -time.Minute, ""}, nil},
		{"refund before paid beyond the clock skew", step{"refund", referral.SourceOpenAPI, -6 * time.Minute, referral.CodeOrderTimeInvalid}, nil},
		{"refund beyond the clock skew", step{"refund", referral.SourceOpenAPI, 2 * time.Hour, referral.CodeOrderTimeInvalid}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachWorld(t, func(t *testing.T, w *world) {
				w.setPlan(testPlan())
				a := w.member("A")
				b := w.member("B")
				o := w.order("T-1", b, line("L1", referral.ProductProfit, 1, 10_000))
				o.Source = tc.step.source
				o.Buyer = referral.Identity{OpenID: b.OpenID, UnionID: b.UnionID}
				o.Sharer = referral.Identity{UnionID: a.UnionID}
				paid := w.pay(o)
				w.clk.Advance(time.Hour)
				at := paid.PaidAt.Add(tc.step.offset)
				var err error
				switch tc.step.kind {
				case "confirm":
					_, err = w.orders.Confirm(w.ctx, w.brand.ID, tc.step.source, "T-1", at)
				case "refund":
					_, err = w.orders.ApplyAfterSale(w.ctx, w.brand.ID, referral.AfterSaleUpdate{Source: tc.step.source, ExternalID: "T-1",
						AfterSaleID: "r1", State: referral.AfterSaleRefunded, Lines: []referral.RefundLine{{LineID: "L1", RefundFen: 10_000}}, At: at})
				}
				if got := apperr.CodeOf(err); got != tc.step.want || (tc.step.want == "" && err != nil) {
					t.Fatalf("err %v (code %q), want code %q", err, got, tc.step.want)
				}
				if tc.step.want != "" && apperr.KindOf(err) != apperr.Rule {
					t.Fatalf("kind %v, want a business rule (422)", apperr.KindOf(err))
				}
				got, err := w.orders.OrderByExternal(w.ctx, w.brand.ID, tc.step.source, "T-1")
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case tc.wantConfirm == nil && got.ConfirmedAt != nil:
					t.Fatalf("confirmed at %s, want unconfirmed", got.ConfirmedAt)
				case tc.wantConfirm != nil && (got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(paid.PaidAt.Add(*tc.wantConfirm))):
					t.Fatalf("confirmed at %v, want paid_at + %s", got.ConfirmedAt, *tc.wantConfirm)
				case tc.wantConfirm == nil && !got.HoldEndsAt.Equal(paid.HoldEndsAt):
					t.Fatalf("hold ends %s, want unchanged %s", got.HoldEndsAt, paid.HoldEndsAt)
				}
				wantRefunded := int64(0)
				if tc.step.kind == "refund" && tc.step.want == "" {
					wantRefunded = 10_000
				}
				if l, _ := got.Line("L1"); l.RefundedFen != wantRefunded {
					t.Fatalf("refunded %d fen, want %d", l.RefundedFen, wantRefunded)
				}
				w.verify()
			})
		})
	}
}

func dur(d time.Duration) *time.Duration { return &d }
