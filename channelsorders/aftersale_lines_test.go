package channelsorders

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat/channels"
)

// fixtureShop answers order/get and getaftersaleorder from fixed values.
type fixtureShop struct {
	order     channels.Order
	afterSale channels.AfterSale
	orderGets int
}

func (f *fixtureShop) Order(context.Context, string) (channels.Order, error) {
	f.orderGets++
	return f.order, nil
}

func (f *fixtureShop) AfterSale(context.Context, string) (channels.AfterSale, error) {
	return f.afterSale, nil
}

// validatingIntake keeps the after-sale update and refuses it as the real intake would.
type validatingIntake struct {
	referral.OrderIntake
	got []referral.AfterSaleUpdate
}

func (v *validatingIntake) AfterSale(_ context.Context, _ string, u referral.AfterSaleUpdate) error {
	if err := u.Validate(); err != nil {
		return err
	}
	v.got = append(v.got, u)
	return nil
}

// fixtureOrder: product p1 has two SKUs (s1a 6000 fen, s1b 3000 fen), product p2 one (s2,
// 1000 fen, on two entries).
var fixtureOrder = channels.Order{OrderID: "3705115058471208928", PayTime: 1700000000, Products: []channels.OrderProduct{
	{ProductID: "p1", SKUID: "s1a", Count: 1, RealPrice: 6000},
	{ProductID: "p1", SKUID: "s1b", Count: 1, RealPrice: 3000},
	{ProductID: "p2", SKUID: "s2", Count: 1, RealPrice: 400},
	{ProductID: "p2", SKUID: "s2", Count: 1, RealPrice: 600},
}}

// A refunded after-sale whose detail has no sku_id still reverses: by its product when the
// order has one SKU of it, else as a refund of the whole order spread over the lines by what
// each paid. One the intake still refuses is a loud, coded failure, not a silent cancel.
func TestAfterSaleWithoutSKU(t *testing.T) {
	ev := channels.Event{Event: channels.EventAfterSaleUpdate, CreateTime: 1700001000,
		AfterSale: &channels.AfterSaleEvent{OrderID: "3705115058471208928", AfterSaleOrderID: "as-1", Status: channels.AfterSaleRefundSuccess}}
	for _, tc := range []struct {
		name      string
		a         channels.AfterSale
		order     channels.Order
		want      []referral.RefundLine
		wantGets  int
		wantError bool
	}{
		{"sku given", channels.AfterSale{SKUID: "s1b", ProductID: "p1", RefundFen: 3000}, fixtureOrder,
			[]referral.RefundLine{{LineID: "s1b", RefundFen: 3000}}, 0, false},
		{"no sku, product with one sku", channels.AfterSale{ProductID: "p2", RefundFen: 700}, fixtureOrder,
			[]referral.RefundLine{{LineID: "s2", RefundFen: 700}}, 1, false},
		{"no sku, product with two skus: whole order", channels.AfterSale{ProductID: "p1", RefundFen: 5001}, fixtureOrder,
			[]referral.RefundLine{{LineID: "s1a", RefundFen: 3001}, {LineID: "s1b", RefundFen: 1500}, {LineID: "s2", RefundFen: 500}}, 1, false},
		{"no sku, no product: whole order", channels.AfterSale{RefundFen: 10_000}, fixtureOrder,
			[]referral.RefundLine{{LineID: "s1a", RefundFen: 6000}, {LineID: "s1b", RefundFen: 3000}, {LineID: "s2", RefundFen: 1000}}, 1, false},
		{"more than the order paid is capped at the order", channels.AfterSale{RefundFen: 99_999}, fixtureOrder,
			[]referral.RefundLine{{LineID: "s1a", RefundFen: 6000}, {LineID: "s1b", RefundFen: 3000}, {LineID: "s2", RefundFen: 1000}}, 1, false},
		{"no sku and an order without lines: refused loudly", channels.AfterSale{RefundFen: 500}, channels.Order{OrderID: "3705115058471208928"},
			nil, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.AfterSaleOrderID, tc.a.OrderID, tc.a.Status, tc.a.UpdateTime = "as-1", "3705115058471208928", channels.AfterSaleRefundSuccess, 1700001000
			shop := &fixtureShop{order: tc.order, afterSale: tc.a}
			in := &validatingIntake{}
			s := &Service{Intake: in, Clock: clock.NewFixed(time.Unix(1700002000, 0))}
			outcome, err := s.apply(context.Background(), "b1", shop, ev, 1)
			if shop.orderGets != tc.wantGets {
				t.Fatalf("order/get read %d times, want %d", shop.orderGets, tc.wantGets)
			}
			if tc.wantError {
				if apperr.CodeOf(err) != CodeAfterSaleUnapplied || !permanent(err) ||
					!strings.Contains(err.Error(), "as-1") || !strings.Contains(err.Error(), "500 fen") {
					t.Fatalf("err %v (code %q, permanent %v), want a permanent %s naming the after-sale and amount", err, apperr.CodeOf(err), permanent(err), CodeAfterSaleUnapplied)
				}
				return
			}
			if err != nil || outcome != OutcomeAfterSale || len(in.got) != 1 {
				t.Fatalf("outcome %q err %v, %d updates", outcome, err, len(in.got))
			}
			u := in.got[0]
			if u.State != referral.AfterSaleRefunded || u.ExternalID != "3705115058471208928" || u.AfterSaleID != "as-1" {
				t.Fatalf("update %+v", u)
			}
			var sum int64
			for _, l := range u.Lines {
				sum += l.RefundFen
			}
			if len(u.Lines) != len(tc.want) {
				t.Fatalf("lines %+v, want %+v", u.Lines, tc.want)
			}
			for i := range tc.want {
				if u.Lines[i] != tc.want[i] {
					t.Fatalf("lines %+v, want %+v", u.Lines, tc.want)
				}
			}
			if want := min(tc.a.RefundFen, int64(10_000)); tc.a.SKUID == "" && tc.a.ProductID != "p2" && sum != want {
				t.Fatalf("lines refund %d fen, want %d", sum, want)
			}
		})
	}
}
