package channels

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Events sharecast handles (reference/WECOM-CHANNELS.md §3). Others (order_new, deliver,
// sharer_change, …) parse fine and are ignored by the caller.
const (
	EventOrderPay        = "channels_ec_order_pay"
	EventOrderConfirm    = "channels_ec_order_confirm"
	EventOrderCancel     = "channels_ec_order_cancel"
	EventOrderSettle     = "channels_ec_order_settle"
	EventAfterSaleUpdate = "channels_ec_aftersale_update"
)

// Cancel types of channels_ec_order_cancel.
const (
	CancelByUser     = 1 // the buyer cancelled before paying
	CancelTimeout    = 2 // payment timed out
	CancelAllRefunds = 3 // every item was refunded, so the order is cancelled
	CancelByMerchant = 4 // the merchant cancelled an oversold order (WxJava; uncertain)
)

// Confirm types of channels_ec_order_confirm.
const (
	ConfirmByBuyer = 1
	ConfirmAuto    = 2
)

// ErrEvent: the decrypted message is not a well-formed event.
var ErrEvent = errors.New("channels: malformed event")

// maxIDLen bounds order and after-sale ids: WeChat's are 19 digits; the bound keeps the
// inbox's index columns small.
const maxIDLen = 64

// ID is an order or after-sale id as a string. WeChat sends order ids as JSON numbers above
// 2^53 in order events and as strings elsewhere; a float64 would change the last digits, so
// both forms are read into the exact digits.
type ID string

// UnmarshalJSON accepts a JSON string or an integer literal.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	default:
		s = string(b)
		if !isDigits(s) {
			return fmt.Errorf("id %q is neither a string nor a whole number", truncate(s))
		}
	}
	if len(s) > maxIDLen || !validID(s) {
		return fmt.Errorf("id %q: want 1-%d letters, digits, '_' or '-'", truncate(s), maxIDLen)
	}
	*id = ID(s)
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validID accepts "" (absent) or ids of [A-Za-z0-9_-]: every real id is digits, and anything
// else is kept out of logs and indexes.
func validID(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Int is a whole number that WeChat may send as a JSON number or as a string of digits.
type Int int64

// UnmarshalJSON accepts 123, "123", null and "".
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", truncate(s))
	}
	*n = Int(v)
	return nil
}

// Event is one decrypted push. Exactly one of Order and AfterSale is set for the events
// sharecast handles.
type Event struct {
	ToUserName   string `json:"ToUserName"`
	FromUserName string `json:"FromUserName"`
	CreateTime   Int    `json:"CreateTime"`
	MsgType      string `json:"MsgType"`
	Event        string `json:"Event"`
	// Order is order_info of the order events.
	Order *OrderEvent `json:"order_info,omitempty"`
	// AfterSale is finder_shop_aftersale_status_update of channels_ec_aftersale_update.
	AfterSale *AfterSaleEvent `json:"finder_shop_aftersale_status_update,omitempty"`
}

// OrderEvent is order_info. Which of the fields is set depends on the event.
type OrderEvent struct {
	OrderID     ID  `json:"order_id"`
	PayTime     Int `json:"pay_time,omitempty"`
	CancelType  Int `json:"cancel_type,omitempty"`
	ConfirmType Int `json:"confirm_type,omitempty"`
	SettleTime  Int `json:"settle_time,omitempty"`
}

// AfterSaleEvent is finder_shop_aftersale_status_update.
type AfterSaleEvent struct {
	Status           string `json:"status"`
	AfterSaleOrderID ID     `json:"after_sale_order_id"`
	OrderID          ID     `json:"order_id"`
}

// ParseEvent reads a decrypted message. The events sharecast handles must carry their object
// and order id; other events only need a name. Errors wrap ErrEvent.
func ParseEvent(msg []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(msg, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrEvent, err)
	}
	if e.Event == "" || len(e.Event) > 64 {
		return Event{}, fmt.Errorf("%w: no Event name", ErrEvent)
	}
	switch e.Event {
	case EventOrderPay, EventOrderConfirm, EventOrderCancel, EventOrderSettle:
		if e.Order == nil || e.Order.OrderID == "" {
			return Event{}, fmt.Errorf("%w: %s without order_info.order_id", ErrEvent, e.Event)
		}
	case EventAfterSaleUpdate:
		a := e.AfterSale
		if a == nil || a.OrderID == "" || a.AfterSaleOrderID == "" || a.Status == "" {
			return Event{}, fmt.Errorf("%w: %s without order_id, after_sale_order_id and status", ErrEvent, e.Event)
		}
		if len(a.Status) > 64 || !validID(a.Status) {
			return Event{}, fmt.Errorf("%w: after-sale status %q", ErrEvent, truncate(a.Status))
		}
	}
	return e, nil
}

// Handled reports whether sharecast acts on the event.
func (e Event) Handled() bool {
	switch e.Event {
	case EventOrderPay, EventOrderConfirm, EventOrderCancel, EventOrderSettle, EventAfterSaleUpdate:
		return true
	}
	return false
}

// OrderID is the order the event is about ("" for events without one).
func (e Event) OrderID() string {
	switch {
	case e.Order != nil:
		return string(e.Order.OrderID)
	case e.AfterSale != nil:
		return string(e.AfterSale.OrderID)
	}
	return ""
}

// DedupeKey is what tells two pushes of one event apart, beside the event name and the order
// id (pushes carry no event id, and WeChat resends the same message up to 10 times): the
// event's own field. Two pushes with equal (Event, OrderID, DedupeKey) are the same event.
func (e Event) DedupeKey() string {
	switch {
	case e.AfterSale != nil:
		// One order can have several after-sales, each going through several statuses.
		return string(e.AfterSale.AfterSaleOrderID) + ":" + e.AfterSale.Status
	case e.Order == nil:
		return strconv.FormatInt(int64(e.CreateTime), 10)
	}
	o := e.Order
	switch e.Event {
	case EventOrderPay:
		return "pay_time:" + strconv.FormatInt(int64(o.PayTime), 10)
	case EventOrderCancel:
		return "cancel_type:" + strconv.FormatInt(int64(o.CancelType), 10)
	case EventOrderConfirm:
		return "confirm_type:" + strconv.FormatInt(int64(o.ConfirmType), 10)
	case EventOrderSettle:
		return "settle_time:" + strconv.FormatInt(int64(o.SettleTime), 10)
	}
	return strings.TrimPrefix(e.Event, "channels_ec_")
}

// ParseEnvelope reads a push body {ToUserName, Encrypt}.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Envelope{}, fmt.Errorf("%w: body is not JSON {ToUserName, Encrypt}: %v", ErrEvent, err)
	}
	if env.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: body has no Encrypt", ErrEvent)
	}
	return env, nil
}
