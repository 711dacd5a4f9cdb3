package channels

import (
	"errors"
	"testing"
)

func TestParseEventKeepsLargeOrderIDs(t *testing.T) {
	tests := []struct {
		name, msg, wantOrder, wantKey string
	}{
		{"pay, id as a number above 2^53",
			`{"ToUserName":"gh_1","FromUserName":"OPENID","CreateTime":1662480000,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{"order_id":3705115058471208928,"pay_time":1658509200}}`,
			"3705115058471208928", "pay_time:1658509200"},
		{"pay, id as a string", `{"Event":"channels_ec_order_pay","order_info":{"order_id":"3705115058471208928","pay_time":"1658509200"}}`,
			"3705115058471208928", "pay_time:1658509200"},
		{"cancel", `{"Event":"channels_ec_order_cancel","order_info":{"order_id":18446744073709551615999,"cancel_type":3}}`,
			"18446744073709551615999", "cancel_type:3"},
		{"confirm", `{"Event":"channels_ec_order_confirm","order_info":{"order_id":1,"confirm_type":2}}`, "1", "confirm_type:2"},
		{"settle", `{"Event":"channels_ec_order_settle","order_info":{"order_id":2,"settle_time":1700000000}}`, "2", "settle_time:1700000000"},
		{"after-sale", `{"Event":"channels_ec_aftersale_update","FromUserName":"fixed","finder_shop_aftersale_status_update":{"status":"USER_CANCELD","after_sale_order_id":"4000000000000000001","order_id":"3705115058471208928"},"wxa_vip_discounted_price":0}`,
			"3705115058471208928", "4000000000000000001:USER_CANCELD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseEvent([]byte(tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			if !e.Handled() || e.OrderID() != tt.wantOrder || e.DedupeKey() != tt.wantKey {
				t.Fatalf("got handled=%v order=%q key=%q", e.Handled(), e.OrderID(), e.DedupeKey())
			}
		})
	}
}

func TestParseEventRefusesMalformed(t *testing.T) {
	for _, msg := range []string{
		``, `[]`, `{}`, `{"Event":""}`,
		`{"Event":"channels_ec_order_pay"}`,
		`{"Event":"channels_ec_order_pay","order_info":{}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":1.5}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":-7}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":"12 OR 1=1"}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":1,"pay_time":"soon"}}`,
		`{"Event":"channels_ec_aftersale_update","finder_shop_aftersale_status_update":{"status":"","after_sale_order_id":"1","order_id":"2"}}`,
		`{"Event":"channels_ec_aftersale_update","finder_shop_aftersale_status_update":{"status":"X","order_id":"2"}}`,
	} {
		if _, err := ParseEvent([]byte(msg)); !errors.Is(err, ErrEvent) {
			t.Errorf("%s: got %v, want ErrEvent", msg, err)
		}
	}
}

func TestUnhandledEventsParse(t *testing.T) {
	e, err := ParseEvent([]byte(`{"Event":"channels_ec_order_deliver","order_info":{"order_id":5,"finish_delivery":1}}`))
	if err != nil || e.Handled() || e.OrderID() != "5" {
		t.Fatalf("%+v %v", e, err)
	}
}

func TestStatusOutcome(t *testing.T) {
	for status, want := range map[string]string{
		AfterSaleRefundSuccess: OutcomeRefunded, AfterSaleReturnSuccess: OutcomeRefunded,
		AfterSaleUserCancelled: OutcomeClosed, AfterSaleMerchantRejectRefund: OutcomeClosed,
		AfterSaleMerchantRejectReturn: OutcomeClosed, AfterSaleReturnClosed: OutcomeClosed,
		AfterSaleRefundRetryFail: OutcomeClosed, AfterSaleMerchantFail: OutcomeClosed, AfterSaleExchangeSuccess: OutcomeClosed,
		AfterSaleMerchantProcessing: OutcomeOpen, AfterSaleUserWaitReturn: OutcomeOpen, AfterSaleMerchantWaitReceipt: OutcomeOpen,
		AfterSalePlatformRefunding: OutcomeOpen, AfterSalePlatformRefundFail: OutcomeOpen, "SOMETHING_NEW": OutcomeOpen,
	} {
		if got := StatusOutcome(status); got != want {
			t.Errorf("%s: %s, want %s", status, got, want)
		}
	}
}

func TestParseEnvelope(t *testing.T) {
	env, err := ParseEnvelope([]byte(`{"ToUserName":"gh_97417a04a28d","Encrypt":"abc"}`))
	if err != nil || env.Encrypt != "abc" || env.ToUserName != "gh_97417a04a28d" {
		t.Fatalf("%+v %v", env, err)
	}
	for _, b := range []string{``, `{}`, `{"Encrypt":""}`, `<xml/>`} {
		if _, err := ParseEnvelope([]byte(b)); !errors.Is(err, ErrEvent) {
			t.Errorf("%q: %v", b, err)
		}
	}
}
