package channelsorders

import (
	"testing"
	"time"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat/channels"
)

func TestPaidOrderTranslation(t *testing.T) {
	ev := channels.Event{Event: channels.EventOrderPay, Order: &channels.OrderEvent{OrderID: "3705115058471208928", PayTime: 1700000000}}
	tests := []struct {
		name       string
		o          channels.Order
		wantLines  []referral.OrderLineInput
		wantSharer referral.Identity
		wantPaidAt time.Time
	}{
		{"one SKU on two entries is one line",
			channels.Order{PayTime: 1700000100, Products: []channels.OrderProduct{{ProductID: "p", SKUID: "s", Count: 1, RealPrice: 100}, {ProductID: "p", SKUID: "s", Count: 2, RealPrice: 150}}},
			[]referral.OrderLineInput{{LineID: "s", ProductID: "p", SKUID: "s", Quantity: 3, PaidFen: 250}}, referral.Identity{}, time.Unix(1700000100, 0)},
		{"per-SKU sharers that agree stand for the order",
			channels.Order{Products: []channels.OrderProduct{{SKUID: "a", Count: 1}, {SKUID: "b", Count: 1}},
				SKUSharers: []channels.SKUSharer{{Sharer: channels.Sharer{OpenID: "o1", UnionID: "u1"}, SKUID: "a"}, {Sharer: channels.Sharer{OpenID: "o1", UnionID: "u1"}, SKUID: "b"}}},
			[]referral.OrderLineInput{{LineID: "a", SKUID: "a", Quantity: 1}, {LineID: "b", SKUID: "b", Quantity: 1}},
			referral.Identity{OpenID: "o1", UnionID: "u1"}, time.Unix(1700000000, 0)},
		{"per-SKU sharers that differ name nobody",
			channels.Order{Products: []channels.OrderProduct{{SKUID: "a", Count: 1}},
				SKUSharers: []channels.SKUSharer{{Sharer: channels.Sharer{OpenID: "o1"}}, {Sharer: channels.Sharer{OpenID: "o2"}}}},
			[]referral.OrderLineInput{{LineID: "a", SKUID: "a", Quantity: 1}}, referral.Identity{}, time.Unix(1700000000, 0)},
		{"sharer_info wins",
			channels.Order{Products: []channels.OrderProduct{{SKUID: "a", Count: 1}}, Sharer: &channels.Sharer{UnionID: "u9"},
				SKUSharers: []channels.SKUSharer{{Sharer: channels.Sharer{OpenID: "o1"}}}},
			[]referral.OrderLineInput{{LineID: "a", SKUID: "a", Quantity: 1}}, referral.Identity{UnionID: "u9"}, time.Unix(1700000000, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := paidOrder(tt.o, ev)
			if p.ExternalID != "3705115058471208928" || p.Source != referral.SourceChannels || p.Sharer != tt.wantSharer || !p.PaidAt.Equal(tt.wantPaidAt) {
				t.Fatalf("got %+v", p)
			}
			if len(p.Lines) != len(tt.wantLines) {
				t.Fatalf("lines %+v", p.Lines)
			}
			for i := range p.Lines {
				if p.Lines[i] != tt.wantLines[i] {
					t.Fatalf("line %d: %+v, want %+v", i, p.Lines[i], tt.wantLines[i])
				}
			}
		})
	}
}

func TestAfterSaleTranslation(t *testing.T) {
	ev := channels.Event{Event: channels.EventAfterSaleUpdate, AfterSale: &channels.AfterSaleEvent{OrderID: "9", AfterSaleOrderID: "4", Status: "X"}}
	tests := []struct {
		a     channels.AfterSale
		state string
		lines int
	}{
		{channels.AfterSale{Status: channels.AfterSaleReturnSuccess, SKUID: "s", RefundFen: 10}, referral.AfterSaleRefunded, 1},
		{channels.AfterSale{Status: channels.AfterSaleRefundSuccess, SKUID: "s", RefundFen: 0}, referral.AfterSaleClosed, 0},
		{channels.AfterSale{Status: channels.AfterSaleUserCancelled}, referral.AfterSaleClosed, 0},
		{channels.AfterSale{Status: channels.AfterSalePlatformRefunding}, referral.AfterSaleOpen, 0},
	}
	for _, tt := range tests {
		u := afterSaleUpdate(tt.a, ev, nil)
		if u.State != tt.state || len(u.Lines) != tt.lines || u.ExternalID != "9" {
			t.Errorf("%s: %+v", tt.a.Status, u)
		}
	}
}
