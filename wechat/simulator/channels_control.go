package simulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharecast/sharecast/wechat/channels"
)

// Control bodies of the Channels shop (documented in API.md's simulator section).

type identityBody struct {
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`
}

type orderLineBody struct {
	ProductID string `json:"product_id"`
	SKUID     string `json:"sku_id"`
	Title     string `json:"title"`
	PriceFen  int64  `json:"price_fen"` // per unit (sale_price)
	Quantity  int64  `json:"quantity"`
	// PaidFen is what the buyer paid for the whole line after discounts (real_price);
	// absent → price_fen × quantity.
	PaidFen *int64 `json:"paid_fen"`
}

type sharerBody struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SharerType int    `json:"sharer_type"` // 0 ordinary, 1 shop sharer
	ShareScene int    `json:"share_scene"` // 1 live room (default), 2 showcase, 3 short video, …
}

type orderBody struct {
	OrderID string          `json:"order_id"` // absent → a new 19-digit id
	Buyer   identityBody    `json:"buyer"`    // openid absent → a new buyer
	Lines   []orderLineBody `json:"lines"`
	City    string          `json:"city"`
	Sharer  *sharerBody     `json:"sharer"`
	PayTime string          `json:"pay_time"` // RFC 3339; absent → now
	// Unpaid creates the order waiting for payment (status 10) and pushes nothing; pay it with
	// POST …/orders/{order_id}/pay.
	Unpaid bool `json:"unpaid"`
}

type orderActionBody struct {
	ConfirmType int    `json:"confirm_type"` // confirm: 1 buyer (default), 2 automatic
	CancelType  int    `json:"cancel_type"`  // cancel: 1 buyer, 2 timeout, 3 all refunded, 4 merchant
	At          string `json:"at"`           // RFC 3339; absent → now
}

type afterSaleLineBody struct {
	SKUID    string `json:"sku_id"`
	Quantity int64  `json:"quantity"` // absent → every unit not yet in an after-sale
	// RefundFen absent → the line's paid amount × quantity / line quantity.
	RefundFen *int64 `json:"refund_fen"`
}

type afterSaleBody struct {
	OrderID string              `json:"order_id"`
	Lines   []afterSaleLineBody `json:"lines"`  // one after-sale per line, as WeChat does
	Type    string              `json:"type"`   // REFUND (default) or RETURN
	Status  string              `json:"status"` // absent → MERCHANT_PROCESSING
	At      string              `json:"at"`
}

type afterSaleUpdateBody struct {
	Status    string `json:"status"`
	RefundFen *int64 `json:"refund_fen"`
	At        string `json:"at"`
}

type shopBody struct {
	AppID          string `json:"appid"`
	Secret         string `json:"secret"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	PushURL        string `json:"push_url"`
}

// Views answered by the control endpoints.

type lineView struct {
	ProductID     string `json:"product_id"`
	SKUID         string `json:"sku_id"`
	Quantity      int64  `json:"quantity"`
	PriceFen      int64  `json:"price_fen"`
	PaidFen       int64  `json:"paid_fen"`
	OnAfterSale   int64  `json:"on_aftersale_quantity"`
	RefundedCount int64  `json:"refunded_quantity"`
	RefundedFen   int64  `json:"refunded_fen"`
}

type orderView struct {
	BrandID    string       `json:"brand_id"`
	ShopAppID  string       `json:"shop_appid"`
	OrderID    string       `json:"order_id"`
	Status     int          `json:"status"`
	Buyer      identityBody `json:"buyer"`
	Lines      []lineView   `json:"lines"`
	City       string       `json:"city"`
	PayTime    int64        `json:"pay_time"`
	Sharer     *sharerBody  `json:"sharer,omitempty"`
	AfterSales []string     `json:"aftersale_order_ids"`
}

type afterSaleView struct {
	AfterSaleOrderID string `json:"after_sale_order_id"`
	OrderID          string `json:"order_id"`
	SKUID            string `json:"sku_id"`
	Quantity         int64  `json:"quantity"`
	RefundFen        int64  `json:"refund_fen"`
	Status           string `json:"status"`
	Type             string `json:"type"`
}

func viewOrder(o *shopOrder) orderView {
	v := orderView{BrandID: o.brandID, ShopAppID: o.appID, OrderID: o.id, Status: o.status,
		Buyer: identityBody{o.openID, o.unionID}, City: o.city, PayTime: o.payTime, AfterSales: append([]string{}, o.afterSales...)}
	for _, l := range o.lines {
		v.Lines = append(v.Lines, lineView{ProductID: l.productID, SKUID: l.skuID, Quantity: l.count, PriceFen: l.salePrice,
			PaidFen: l.realPrice, OnAfterSale: l.onAfterSale, RefundedCount: l.finishAfterSale, RefundedFen: l.refundedFen})
	}
	if o.sharer != nil {
		v.Sharer = &sharerBody{OpenID: o.sharer.openID, UnionID: o.sharer.unionID, SharerType: o.sharer.sharerType, ShareScene: o.sharer.shareScene}
	}
	return v
}

func viewAfterSale(a *shopAfterSale) afterSaleView {
	return afterSaleView{AfterSaleOrderID: a.id, OrderID: a.orderID, SKUID: a.line.skuID, Quantity: a.count,
		RefundFen: a.refundFen, Status: a.status, Type: a.kind}
}

// controlError is a control endpoint's refusal.
type controlError struct {
	status        int
	code, message string
}

func badRequest(format string, a ...any) *controlError {
	return &controlError{http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(format, a...)}
}

func (e *controlError) write(w http.ResponseWriter) {
	writeControlError(w, e.status, e.code, e.message)
}

// brandParam reads and checks {brand_id}.
func brandParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	b := r.PathValue("brand_id")
	if !validBrandID(b) {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "brand_id must be 1-64 letters, digits, '_' or '-'")
		return "", false
	}
	return b, true
}

// validShopID accepts product, SKU and order ids: 1-64 of [A-Za-z0-9_-].
func validShopID(id string) bool { return validIdent(id) }

// controlShopPut is PUT /_sim/control/channels/{brand_id}/shop {appid, secret, token,
// encoding_aes_key, push_url?}: the brand's shop from now on (its appid is registered with
// the secret, so stable_token checks it).
func (c *channelsShop) controlShopPut(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b shopBody
	if err := decodeJSON(w, r, &b); err != nil {
		badRequest("body must be JSON {appid, secret, token, encoding_aes_key, push_url?}: %v", err).write(w)
		return
	}
	sh := shopConfig{AppID: b.AppID, Secret: b.Secret, Token: b.Token, EncodingAESKey: b.EncodingAESKey,
		UserName: userNameFor(b.AppID), PushURL: b.PushURL}
	switch {
	case !validIdent(b.AppID):
		badRequest("appid must be 1-64 letters, digits, '_' or '-'").write(w)
		return
	case b.Secret == "" || b.Token == "" || len(b.Secret) > 128 || len(b.Token) > 128:
		badRequest("secret and token are required (≤ 128 bytes)").write(w)
		return
	case b.PushURL != "" && !httpURL(b.PushURL):
		badRequest("push_url must be an http(s) URL").write(w)
		return
	}
	if _, err := sh.crypt(); err != nil {
		badRequest("encoding_aes_key: %v", err).write(w)
		return
	}
	c.mu.Lock()
	if _, exists := c.shops[brandID]; !exists && len(c.shops) >= maxShops {
		c.mu.Unlock()
		writeControlError(w, http.StatusConflict, "LIMIT", "too many shops registered")
		return
	}
	c.shops[brandID] = sh
	view := c.shopFor(brandID)
	c.mu.Unlock()
	c.sim.RegisterApp(sh.AppID, sh.Secret)
	writeJSON(w, http.StatusOK, view)
}

// controlShopGet is GET /_sim/control/channels/{brand_id}/shop: the brand's shop (the demo shop
// unless registered), secrets included: this is test tooling.
func (c *channelsShop) controlShopGet(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	c.mu.Lock()
	sh := c.shopFor(brandID)
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, sh)
}

func httpURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// controlOrders is POST /_sim/control/channels/{brand_id}/orders: the buyer places (and,
// unless unpaid, pays) an order in the brand's shop; the pay event is pushed to sharecast.
// Answers {order, pushes}.
func (c *channelsShop) controlOrders(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b orderBody
	if err := decodeJSON(w, r, &b); err != nil {
		badRequest("body must be JSON {order_id?, buyer: {openid?, unionid?}, lines: [{product_id, sku_id, price_fen, quantity, paid_fen?}], city, sharer?, pay_time?, unpaid?}: %v", err).write(w)
		return
	}
	o, push, cerr := c.createOrder(brandID, b)
	if cerr != nil {
		cerr.write(w)
		return
	}
	var pushes []pushResult
	if push != nil {
		pushes = c.deliver(r.Context(), []*pendingPush{push})
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": o, "pushes": nonNil(pushes)})
}

func nonNil(p []pushResult) []pushResult {
	if p == nil {
		return []pushResult{}
	}
	return p
}

func (c *channelsShop) createOrder(brandID string, b orderBody) (orderView, *pendingPush, *controlError) {
	payAt, err := c.parseAt(b.PayTime)
	if err != nil {
		return orderView{}, nil, badRequest("pay_time: %v", err)
	}
	switch {
	case b.OrderID != "" && !validShopID(b.OrderID):
		return orderView{}, nil, badRequest("order_id must be 1-64 letters, digits, '_' or '-'")
	case b.Buyer.OpenID != "" && !validIdent(b.Buyer.OpenID), b.Buyer.UnionID != "" && !validIdent(b.Buyer.UnionID):
		return orderView{}, nil, badRequest("buyer openid and unionid must be 1-64 letters, digits, '_' or '-'")
	case len(b.Lines) == 0 || len(b.Lines) > maxOrderLines:
		return orderView{}, nil, badRequest("lines: 1 to %d lines", maxOrderLines)
	case len(b.City) > 64:
		return orderView{}, nil, badRequest("city must be ≤ 64 bytes")
	}
	if b.Sharer != nil {
		switch {
		case b.Sharer.OpenID == "" && b.Sharer.UnionID == "":
			return orderView{}, nil, badRequest("sharer needs an openid or a unionid")
		case b.Sharer.OpenID != "" && !validIdent(b.Sharer.OpenID), b.Sharer.UnionID != "" && !validIdent(b.Sharer.UnionID):
			return orderView{}, nil, badRequest("sharer openid and unionid must be 1-64 letters, digits, '_' or '-'")
		}
	}
	now := c.sim.clock.Now()
	o := &shopOrder{brandID: brandID, id: b.OrderID, status: channels.OrderToShip, openID: b.Buyer.OpenID, unionID: b.Buyer.UnionID,
		createTime: unix(now), updateTime: unix(now), payTime: unix(payAt), city: b.City}
	if o.id == "" {
		o.id = newOrderID()
	}
	if o.openID == "" {
		o.openID = newWeChatID()
	}
	if b.Unpaid {
		o.status, o.payTime = channels.OrderUnpaid, 0
	}
	seen := map[string]bool{}
	for i, l := range b.Lines {
		switch {
		case !validShopID(l.ProductID) || !validShopID(l.SKUID):
			return orderView{}, nil, badRequest("lines[%d]: product_id and sku_id must be 1-64 letters, digits, '_' or '-'", i)
		case seen[l.SKUID]:
			return orderView{}, nil, badRequest("lines[%d]: sku_id %s appears twice", i, l.SKUID)
		case l.Quantity < 1 || l.Quantity > 10_000:
			return orderView{}, nil, badRequest("lines[%d]: quantity must be 1-10000", i)
		case l.PriceFen < 0 || l.PriceFen > 100_000_000:
			return orderView{}, nil, badRequest("lines[%d]: price_fen must be 0-100000000", i)
		case l.PaidFen != nil && (*l.PaidFen < 0 || *l.PaidFen > l.PriceFen*l.Quantity):
			return orderView{}, nil, badRequest("lines[%d]: paid_fen must be between 0 and price_fen × quantity", i)
		case len(l.Title) > 128:
			return orderView{}, nil, badRequest("lines[%d]: title must be ≤ 128 bytes", i)
		}
		seen[l.SKUID] = true
		paid := l.PriceFen * l.Quantity
		if l.PaidFen != nil {
			paid = *l.PaidFen
		}
		title := l.Title
		if title == "" {
			title = "商品 " + l.ProductID
		}
		o.lines = append(o.lines, &shopLine{productID: l.ProductID, skuID: l.SKUID, title: title, count: l.Quantity,
			salePrice: l.PriceFen, realPrice: paid})
	}
	if b.Sharer != nil {
		scene := b.Sharer.ShareScene
		if scene == 0 {
			scene = 1 // live room
		}
		o.sharer = &shopSharer{openID: b.Sharer.OpenID, unionID: b.Sharer.UnionID, sharerType: b.Sharer.SharerType, shareScene: scene}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	sh := c.shopFor(brandID)
	o.appID = sh.AppID
	if _, exists := c.orders[orderKey(sh.AppID, o.id)]; exists {
		return orderView{}, nil, &controlError{http.StatusConflict, "CONFLICT", "the shop already has order " + o.id}
	}
	if len(c.orders) >= maxShopOrders {
		return orderView{}, nil, &controlError{http.StatusConflict, "LIMIT", "the simulator holds too many orders; restart it"}
	}
	c.orders[orderKey(sh.AppID, o.id)] = o
	var push *pendingPush
	if !b.Unpaid {
		push = &pendingPush{brandID: brandID, event: channels.EventOrderPay, orderID: o.id, shop: sh,
			msg: orderEventMsg(sh, o, channels.EventOrderPay, map[string]any{"pay_time": o.payTime}, now)}
	}
	return viewOrder(o), push, nil
}

// controlOrderAction is POST /_sim/control/channels/{brand_id}/orders/{order_id}/{action}
// with action pay, confirm, cancel or settle and an optional body {confirm_type?,
// cancel_type?, at?}: the order moves as WeChat's would and the event is pushed.
func (c *channelsShop) controlOrderAction(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b orderActionBody
	if err := decodeOptionalJSON(w, r, &b); err != nil {
		badRequest("body must be empty or JSON {confirm_type?, cancel_type?, at?}: %v", err).write(w)
		return
	}
	at, err := c.parseAt(b.At)
	if err != nil {
		badRequest("at: %v", err).write(w)
		return
	}
	c.mu.Lock()
	o, push, cerr := c.orderAction(brandID, r.PathValue("order_id"), r.PathValue("action"), b, at)
	var view orderView
	if o != nil {
		view = viewOrder(o)
	}
	c.mu.Unlock()
	if cerr != nil {
		cerr.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": view, "pushes": nonNil(c.deliver(r.Context(), []*pendingPush{push}))})
}

// orderAction applies one action; callers hold c.mu.
func (c *channelsShop) orderAction(brandID, orderID, action string, b orderActionBody, at time.Time) (*shopOrder, *pendingPush, *controlError) {
	sh := c.shopFor(brandID)
	o := c.orders[orderKey(sh.AppID, orderID)]
	if o == nil || o.brandID != brandID {
		return nil, nil, &controlError{http.StatusNotFound, "NOT_FOUND", "the brand's shop has no order " + orderID}
	}
	conflict := func(msg string) (*shopOrder, *pendingPush, *controlError) {
		return nil, nil, &controlError{http.StatusConflict, "CONFLICT", msg + " (order status " + strconv.Itoa(o.status) + ")"}
	}
	closed := o.status == channels.OrderCancelled || o.status == channels.OrderAllRefunded || o.status == channels.OrderMerchantCancelled
	var event string
	info := map[string]any{}
	switch action {
	case "pay":
		if o.status != channels.OrderUnpaid {
			return conflict("only an unpaid order can be paid")
		}
		o.status, o.payTime = channels.OrderToShip, unix(at)
		event, info["pay_time"] = channels.EventOrderPay, o.payTime
	case "confirm":
		if o.payTime == 0 || closed || o.status == channels.OrderDone {
			return conflict("only a paid, open, unconfirmed order can be confirmed")
		}
		t := b.ConfirmType
		if t == 0 {
			t = channels.ConfirmByBuyer
		}
		if t != channels.ConfirmByBuyer && t != channels.ConfirmAuto {
			return nil, nil, badRequest("confirm_type is 1 (buyer) or 2 (automatic)")
		}
		o.status = channels.OrderDone
		event, info["confirm_type"] = channels.EventOrderConfirm, t
	case "cancel":
		if closed {
			return conflict("the order is already cancelled")
		}
		t := b.CancelType
		switch {
		case t == 0 && o.payTime == 0:
			t = channels.CancelByUser
		case t == 0:
			t = channels.CancelByMerchant
		case t < 1 || t > 4:
			return nil, nil, badRequest("cancel_type is 1 (buyer), 2 (timeout), 3 (all refunded) or 4 (merchant)")
		case (t == channels.CancelByUser || t == channels.CancelTimeout) && o.payTime != 0:
			return conflict("a paid order is not cancelled by the buyer or by timeout")
		case (t == channels.CancelAllRefunds || t == channels.CancelByMerchant) && o.payTime == 0:
			return conflict("an unpaid order has nothing to refund")
		}
		switch t {
		case channels.CancelAllRefunds:
			o.status = channels.OrderAllRefunded
		case channels.CancelByMerchant:
			o.status = channels.OrderMerchantCancelled
		default:
			o.status = channels.OrderCancelled
		}
		event, info["cancel_type"] = channels.EventOrderCancel, t
	case "settle":
		if o.payTime == 0 {
			return conflict("an unpaid order cannot be settled")
		}
		event, info["settle_time"] = channels.EventOrderSettle, unix(at)
	default:
		return nil, nil, &controlError{http.StatusNotFound, "NOT_FOUND", "action is pay, confirm, cancel or settle"}
	}
	o.updateTime = unix(at)
	return o, &pendingPush{brandID: brandID, event: event, orderID: o.id, shop: sh, msg: orderEventMsg(sh, o, event, info, at)}, nil
}

// controlAfterSales is POST /_sim/control/channels/{brand_id}/aftersales {order_id, lines:
// [{sku_id, quantity?, refund_fen?}], type?, status?, at?}: the buyer asks for a refund,
// one after-sale per line as WeChat does, each pushed. A status that refunds (e.g.
// MERCHANT_REFUND_SUCCESS) completes it at once; when every unit is then refunded the order is
// cancelled with cancel_type 3 and that is pushed too.
func (c *channelsShop) controlAfterSales(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b afterSaleBody
	if err := decodeJSON(w, r, &b); err != nil {
		badRequest("body must be JSON {order_id, lines: [{sku_id, quantity?, refund_fen?}], type?, status?, at?}: %v", err).write(w)
		return
	}
	at, err := c.parseAt(b.At)
	if err != nil {
		badRequest("at: %v", err).write(w)
		return
	}
	if b.Status == "" {
		b.Status = channels.AfterSaleMerchantProcessing
	}
	if b.Type == "" {
		b.Type = "REFUND"
	}
	if b.Type != "REFUND" && b.Type != "RETURN" {
		badRequest("type is REFUND or RETURN").write(w)
		return
	}
	if !validIdent(b.Status) {
		badRequest("status must be an after-sale status such as MERCHANT_PROCESSING or MERCHANT_REFUND_SUCCESS").write(w)
		return
	}
	if len(b.Lines) == 0 || len(b.Lines) > maxOrderLines {
		badRequest("lines: 1 to %d lines", maxOrderLines).write(w)
		return
	}
	c.mu.Lock()
	views, pushes, cerr := c.createAfterSales(brandID, b, at)
	c.mu.Unlock()
	if cerr != nil {
		cerr.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"aftersales": views, "pushes": nonNil(c.deliver(r.Context(), pushes))})
}

// createAfterSales checks every line before changing anything; callers hold c.mu.
func (c *channelsShop) createAfterSales(brandID string, b afterSaleBody, at time.Time) ([]afterSaleView, []*pendingPush, *controlError) {
	sh := c.shopFor(brandID)
	o := c.orders[orderKey(sh.AppID, b.OrderID)]
	if o == nil || o.brandID != brandID {
		return nil, nil, &controlError{http.StatusNotFound, "NOT_FOUND", "the brand's shop has no order " + b.OrderID}
	}
	if o.payTime == 0 {
		return nil, nil, &controlError{http.StatusConflict, "CONFLICT", "an unpaid order has no after-sale"}
	}
	if len(c.afterSales)+len(b.Lines) > maxShopAfterSales {
		return nil, nil, &controlError{http.StatusConflict, "LIMIT", "the simulator holds too many after-sales; restart it"}
	}
	type planned struct {
		line     *shopLine
		qty, fen int64
	}
	var plan []planned
	used := map[*shopLine]bool{}
	for i, l := range b.Lines {
		var line *shopLine
		for _, ol := range o.lines {
			if ol.skuID == l.SKUID {
				line = ol
			}
		}
		if line == nil {
			return nil, nil, badRequest("lines[%d]: the order has no sku_id %q", i, l.SKUID)
		}
		if used[line] {
			return nil, nil, badRequest("lines[%d]: sku_id %s appears twice", i, l.SKUID)
		}
		used[line] = true
		free := line.count - line.onAfterSale - line.finishAfterSale
		qty := l.Quantity
		if qty == 0 {
			qty = free
		}
		if qty < 1 || qty > free {
			return nil, nil, &controlError{http.StatusConflict, "CONFLICT", fmt.Sprintf("lines[%d]: %d unit(s) of sku %s can still go into an after-sale", i, free, l.SKUID)}
		}
		fen := line.realPrice * qty / line.count
		if l.RefundFen != nil {
			fen = *l.RefundFen
		}
		if fen < 0 || fen > line.realPrice-line.refundedFen {
			return nil, nil, badRequest("lines[%d]: refund_fen must be between 0 and what is left of the line (%d)", i, line.realPrice-line.refundedFen)
		}
		plan = append(plan, planned{line, qty, fen})
	}
	var views []afterSaleView
	var pushes []*pendingPush
	for _, p := range plan {
		a := &shopAfterSale{appID: sh.AppID, id: newAfterSaleID(), orderID: o.id, status: "", kind: b.Type, line: p.line,
			count: p.qty, refundFen: p.fen, createTime: unix(at)}
		c.afterSales[orderKey(sh.AppID, a.id)] = a
		o.afterSales = append(o.afterSales, a.id)
		p.line.onAfterSale += p.qty // open until setStatus says otherwise
		a.status = channels.AfterSaleMerchantProcessing
		pushes = append(pushes, c.setAfterSaleStatus(brandID, sh, o, a, b.Status, at)...)
		views = append(views, viewAfterSale(a))
	}
	return views, pushes, nil
}

// setAfterSaleStatus moves an open after-sale to status, keeps the order's counts, and
// answers the pushes: the update, then the order's cancel (type 3) when nothing is left
// unrefunded. Callers hold c.mu.
func (c *channelsShop) setAfterSaleStatus(brandID string, sh shopConfig, o *shopOrder, a *shopAfterSale, status string, at time.Time) []*pendingPush {
	a.status, a.updateTime = status, unix(at)
	switch channels.StatusOutcome(status) {
	case channels.OutcomeRefunded:
		a.line.onAfterSale -= a.count
		a.line.finishAfterSale += a.count
		a.line.refundedFen += a.refundFen
	case channels.OutcomeClosed:
		a.line.onAfterSale -= a.count
	}
	o.updateTime = unix(at)
	pushes := []*pendingPush{{brandID: brandID, event: channels.EventAfterSaleUpdate, orderID: o.id, shop: sh, msg: afterSaleEventMsg(sh, a, at)}}
	all := true
	for _, l := range o.lines {
		all = all && l.finishAfterSale == l.count
	}
	if all && o.status != channels.OrderAllRefunded {
		o.status = channels.OrderAllRefunded
		pushes = append(pushes, &pendingPush{brandID: brandID, event: channels.EventOrderCancel, orderID: o.id, shop: sh,
			msg: orderEventMsg(sh, o, channels.EventOrderCancel, map[string]any{"cancel_type": channels.CancelAllRefunds}, at)})
	}
	return pushes
}

// controlAfterSaleUpdate is POST /_sim/control/channels/{brand_id}/aftersales/{id} {status,
// refund_fen?, at?}: the merchant (or the platform) moves an open after-sale; the update is
// pushed. A finished after-sale (refunded or closed) cannot move again.
func (c *channelsShop) controlAfterSaleUpdate(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b afterSaleUpdateBody
	if err := decodeJSON(w, r, &b); err != nil || !validIdent(b.Status) {
		badRequest("body must be JSON {status, refund_fen?, at?} with an after-sale status").write(w)
		return
	}
	at, err := c.parseAt(b.At)
	if err != nil {
		badRequest("at: %v", err).write(w)
		return
	}
	c.mu.Lock()
	sh := c.shopFor(brandID)
	a := c.afterSales[orderKey(sh.AppID, r.PathValue("after_sale_order_id"))]
	var o *shopOrder
	if a != nil {
		o = c.orders[orderKey(sh.AppID, a.orderID)]
	}
	var cerr *controlError
	switch {
	case a == nil || o == nil || o.brandID != brandID:
		cerr = &controlError{http.StatusNotFound, "NOT_FOUND", "the brand's shop has no such after-sale"}
	case channels.StatusOutcome(a.status) != channels.OutcomeOpen:
		cerr = &controlError{http.StatusConflict, "CONFLICT", "the after-sale is finished (" + a.status + ")"}
	case b.RefundFen != nil && (*b.RefundFen < 0 || *b.RefundFen > a.line.realPrice-a.line.refundedFen):
		cerr = badRequest("refund_fen must be between 0 and what is left of the line (%d)", a.line.realPrice-a.line.refundedFen)
	}
	var pushes []*pendingPush
	var view afterSaleView
	if cerr == nil {
		if b.RefundFen != nil {
			a.refundFen = *b.RefundFen
		}
		pushes = c.setAfterSaleStatus(brandID, sh, o, a, b.Status, at)
		view = viewAfterSale(a)
	}
	c.mu.Unlock()
	if cerr != nil {
		cerr.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"aftersale": view, "pushes": nonNil(c.deliver(r.Context(), pushes))})
}

// controlPushes is GET /_sim/control/channels/{brand_id}/pushes: every request the shop sent
// to sharecast for the brand (the last 2,000 of all brands are kept), oldest first.
func (c *channelsShop) controlPushes(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	c.mu.Lock()
	out := []pushResult{}
	for _, p := range c.pushLog {
		if p.BrandID == brandID {
			out = append(out, p)
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"pushes": out})
}

// controlSharers is POST /_sim/control/channels/{brand_id}/sharers {username?, openid?,
// unionid?, nickname?}: a WeChat user scans the sharer invitation and becomes the shop's
// ordinary sharer. Answers {openid, unionid, username}.
func (c *channelsShop) controlSharers(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b struct {
		Username string `json:"username"`
		OpenID   string `json:"openid"`
		UnionID  string `json:"unionid"`
		Nickname string `json:"nickname"`
	}
	if err := decodeJSON(w, r, &b); err != nil {
		badRequest("body must be JSON {username?, openid?, unionid?, nickname?}: %v", err).write(w)
		return
	}
	if (b.OpenID != "" && !validIdent(b.OpenID)) || (b.UnionID != "" && !validIdent(b.UnionID)) || len(b.Username) > 64 || len(b.Nickname) > 64 {
		badRequest("openid and unionid are 1-64 letters, digits, '_' or '-'; username and nickname ≤ 64 bytes").write(w)
		return
	}
	if b.OpenID == "" {
		b.OpenID = newWeChatID()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sh := c.shopFor(brandID)
	total := 0
	for _, m := range c.sharers {
		total += len(m)
	}
	if total >= maxShopSharers {
		writeControlError(w, http.StatusConflict, "LIMIT", "too many sharers")
		return
	}
	m := c.sharers[sh.AppID]
	if m == nil {
		m = map[string]*boundSharer{}
		c.sharers[sh.AppID] = m
	}
	m[b.OpenID] = &boundSharer{openID: b.OpenID, unionID: b.UnionID, username: b.Username, nickname: b.Nickname, bindTime: unix(c.sim.clock.Now())}
	writeJSON(w, http.StatusOK, map[string]string{"openid": b.OpenID, "unionid": b.UnionID, "username": b.Username})
}

// controlNotices is POST /_sim/control/channels/{brand_id}/notices {notice_id?, start_time,
// description?, status?}: creates (or, with a known notice_id, changes) a live notice of the
// brand's Channels account, as listed by getfinderlivenoticerecordlist. Answers the notice.
func (c *channelsShop) controlNotices(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	var b struct {
		NoticeID    string `json:"notice_id"`
		StartTime   string `json:"start_time"`
		Description string `json:"description"`
		Status      int    `json:"status"` // 0 available, 1 cancelled, 2 used
	}
	if err := decodeJSON(w, r, &b); err != nil {
		badRequest("body must be JSON {notice_id?, start_time, description?, status?}: %v", err).write(w)
		return
	}
	start, err := time.Parse(time.RFC3339, b.StartTime)
	if err != nil {
		badRequest("start_time must be RFC 3339").write(w)
		return
	}
	if (b.NoticeID != "" && !validIdent(b.NoticeID)) || b.Status < 0 || b.Status > 2 || len(b.Description) > 256 {
		badRequest("notice_id is 1-64 letters, digits, '_' or '-'; status 0, 1 or 2; description ≤ 256 bytes").write(w)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sh := c.shopFor(brandID)
	list := c.notices[sh.AppID]
	var n *shopNotice
	for _, x := range list {
		if b.NoticeID != "" && x.id == b.NoticeID {
			n = x
		}
	}
	if n == nil {
		if len(list) >= maxShopNotices {
			writeControlError(w, http.StatusConflict, "LIMIT", "too many notices for this shop")
			return
		}
		n = &shopNotice{id: b.NoticeID}
		if n.id == "" {
			n.id = "finderlivenotice-" + randomString(lowerHex, 24)
		}
		c.notices[sh.AppID] = append(list, n)
	}
	n.startTime, n.description, n.status = unix(start), b.Description, b.Status
	writeJSON(w, http.StatusOK, noticeJSON(n))
}

// controlVerifyURL is POST /_sim/control/channels/{brand_id}/verify-url: WeChat checks the push
// URL the way the shop's admin page does (GET with signature, timestamp, nonce, echostr) and
// answers {status, echoed}, echoed being whether sharecast answered the echostr unchanged.
func (c *channelsShop) controlVerifyURL(w http.ResponseWriter, r *http.Request) {
	brandID, ok := brandParam(w, r)
	if !ok {
		return
	}
	c.mu.Lock()
	sh := c.shopFor(brandID)
	c.mu.Unlock()
	if sh.PushURL == "" {
		writeControlError(w, http.StatusConflict, "NO_PUSH_URL", "the simulator does not know the service's URL")
		return
	}
	ts := strconv.FormatInt(unix(c.sim.clock.Now()), 10)
	nonce, echo := randomString(digits, 10), randomString(digits, 19)
	q := url.Values{"signature": {channels.URLSignature(sh.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}
	ctx, cancel := context.WithTimeout(r.Context(), pushTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sh.PushURL+"?"+q.Encode(), nil)
	if err != nil {
		writeControlError(w, http.StatusConflict, "NO_PUSH_URL", err.Error())
		return
	}
	resp, err := c.http.Do(req)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": 0, "echoed": false, "error": err.Error()})
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	writeJSON(w, http.StatusOK, map[string]any{"status": resp.StatusCode, "echoed": resp.StatusCode == http.StatusOK && string(body) == echo})
}

// channelsFaultSection is the shop's part of POST /_sim/control/faults: {"channels":
// {duplicate_pushes?, reorder_pushes?, forged_probes?}} replaces every switch (absent → off).
type channelsFaultSection struct{ c *channelsShop }

func (f channelsFaultSection) prepare(raw json.RawMessage) (func(context.Context), error) {
	var next channelsFaults
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return nil, fmt.Errorf("channels: want {duplicate_pushes?, reorder_pushes?, forged_probes?}: %v", err)
	}
	if next.DuplicatePushes < 0 || next.DuplicatePushes > maxDuplicates {
		return nil, fmt.Errorf("channels: duplicate_pushes must be 0-%d", maxDuplicates)
	}
	return func(ctx context.Context) {
		f.c.mu.Lock()
		f.c.faults = next
		f.c.mu.Unlock()
		if !next.ReorderPushes {
			f.c.flushHeld(ctx)
		}
	}, nil
}

func (f channelsFaultSection) current() any {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return f.c.faults
}
