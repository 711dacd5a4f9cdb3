package simulator

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"regexp"
	"sort"

	"github.com/sharecast/sharecast/wechat/channels"
)

// The shop APIs under /_sim/api/channels/ec/…, answered like WeChat: HTTP 200, errcode and
// errmsg, the same field names.

// shopApp checks ?access_token= and answers the appid it belongs to, or writes WeChat's error.
func (c *channelsShop) shopApp(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		writeWXError(w, 41001, "access_token missing")
		return "", false
	}
	appID, ok := c.sim.tokenApp(tok)
	if !ok {
		writeWXError(w, 40001, "invalid credential, access_token is invalid or not latest")
		return "", false
	}
	return appID, true
}

type wxOK struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

var ok0 = wxOK{0, "ok"}

// apiOrderGet is POST /channels/ec/order/get {order_id}.
func (c *channelsShop) apiOrderGet(w http.ResponseWriter, r *http.Request) {
	appID, ok := c.shopApp(w, r)
	if !ok {
		return
	}
	var req struct {
		OrderID channels.ID `json:"order_id"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orders[orderKey(appID, string(req.OrderID))]
	if o == nil {
		writeWXError(w, 100002, "order not exist")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		wxOK
		Order map[string]any `json:"order"`
	}{ok0, c.orderJSON(o)})
}

// orderJSON is order/get's order object; callers hold c.mu.
func (c *channelsShop) orderJSON(o *shopOrder) map[string]any {
	products := []map[string]any{}
	var productPrice, orderPrice int64
	for _, l := range o.lines {
		products = append(products, map[string]any{"product_id": l.productID, "sku_id": l.skuID, "title": l.title,
			"thumb_img": "", "sku_cnt": l.count, "sale_price": l.salePrice, "market_price": l.salePrice,
			"real_price": l.realPrice, "estimate_price": l.realPrice, "on_aftersale_sku_cnt": l.onAfterSale,
			"finish_aftersale_sku_cnt": l.finishAfterSale, "sku_attrs": []any{}, "out_product_id": "", "out_sku_id": ""})
		productPrice += l.salePrice * l.count
		orderPrice += l.realPrice
	}
	detail := map[string]any{
		"product_infos": products,
		"price_info": map[string]any{"product_price": productPrice, "order_price": orderPrice, "freight": 0,
			"discounted_price": productPrice - orderPrice, "is_discounted": productPrice != orderPrice},
		"pay_info":      map[string]any{"pay_time": o.payTime, "prepay_time": o.createTime, "transaction_id": ""},
		"delivery_info": map[string]any{"address_info": map[string]any{"city_name": o.city, "province_name": "", "county_name": "", "user_name": "", "tel_number": "", "detail_info": ""}},
		"ext_info":      map[string]any{"customer_notes": "", "merchant_notes": ""},
	}
	if o.payTime == 0 {
		detail["pay_info"] = map[string]any{}
	}
	if s := o.sharer; s != nil {
		detail["sharer_info"] = map[string]any{"sharer_openid": s.openID, "sharer_unionid": s.unionID,
			"sharer_type": s.sharerType, "share_scene": s.shareScene, "handling_progress": 1}
		var per []map[string]any
		for _, l := range o.lines {
			per = append(per, map[string]any{"sharer_openid": s.openID, "sharer_unionid": s.unionID, "sharer_type": s.sharerType,
				"share_scene": s.shareScene, "sku_id": l.skuID, "from_wecom": false})
		}
		detail["sku_sharer_infos"] = per
	}
	refs := make([]map[string]any, 0, len(o.afterSales))
	for _, id := range o.afterSales {
		if a := c.afterSales[orderKey(o.appID, id)]; a != nil {
			refs = append(refs, map[string]any{"aftersale_order_id": id, "status": a.status})
		}
	}
	return map[string]any{
		"order_id": o.id, "status": o.status, "openid": o.openID, "unionid": o.unionID,
		"create_time": o.createTime, "update_time": o.updateTime, "order_detail": detail,
		"aftersale_detail": map[string]any{"aftersale_order_list": refs, "on_aftersale_order_cnt": openAfterSales(o)},
	}
}

func openAfterSales(o *shopOrder) int {
	n := 0
	for _, l := range o.lines {
		if l.onAfterSale > 0 {
			n++
		}
	}
	return n
}

// apiAfterSaleGet is POST /channels/ec/aftersale/getaftersaleorder {after_sale_order_id}.
func (c *channelsShop) apiAfterSaleGet(w http.ResponseWriter, r *http.Request) {
	appID, ok := c.shopApp(w, r)
	if !ok {
		return
	}
	var req struct {
		ID channels.ID `json:"after_sale_order_id"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	if req.ID == "" {
		writeWXError(w, 10020000, "invalid after_sale_order_id")
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.afterSales[orderKey(appID, string(req.ID))]
	if a == nil {
		writeWXError(w, 10021050, "aftersale order not exist")
		return
	}
	o := c.orders[orderKey(appID, a.orderID)]
	writeJSON(w, http.StatusOK, struct {
		wxOK
		AfterSale map[string]any `json:"after_sale_order"`
	}{ok0, map[string]any{
		"after_sale_order_id": a.id, "status": a.status, "openid": o.openID, "unionid": o.unionID,
		"product_info": map[string]any{"product_id": a.line.productID, "sku_id": a.line.skuID, "count": a.count, "fast_refund": false},
		"refund_info":  map[string]any{"amount": a.refundFen, "refund_reason": 1},
		"create_time":  a.createTime, "update_time": a.updateTime, "reason": "10000014", "reason_text": "双方协商一致退款",
		"type": a.kind, "order_id": a.orderID, "deadline": 0,
	}})
}

// wechatIDRe is what WeChat accepts as a WeChat ID (微信号): a letter, then 5-19 letters,
// digits, '_' or '-'.
var wechatIDRe = regexp.MustCompile(`^[A-Za-z][-_A-Za-z0-9]{5,19}$`)

// apiSharerBind is POST /channels/ec/sharer/bind {username?}: an invitation QR code (a real,
// decodable PNG is not needed by anyone; a small valid one is answered).
func (c *channelsShop) apiSharerBind(w http.ResponseWriter, r *http.Request) {
	appID, ok := c.shopApp(w, r)
	if !ok {
		return
	}
	var req struct {
		Username string `json:"username"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 10070006, "invalid param")
		return
	}
	if req.Username != "" && !wechatIDRe.MatchString(req.Username) {
		writeWXError(w, 10070000, "invalid username")
		return
	}
	c.mu.Lock()
	for _, s := range c.sharers[appID] {
		if req.Username != "" && s.username == req.Username {
			c.mu.Unlock()
			writeWXError(w, 10070001, "already sharer")
			return
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		wxOK
		QRCodeImg       string `json:"qrcode_img"`
		QRCodeImgBase64 string `json:"qrcode_img_base64"`
	}{ok0, "", invitePNG()})
}

// invitePNG is a small valid PNG standing in for the invitation QR code.
func invitePNG() string {
	img := image.NewGray(image.Rect(0, 0, 21, 21))
	for y := 0; y < 21; y++ {
		for x := 0; x < 21; x++ {
			if (x+y)%2 == 0 {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// apiSharerOrders is POST /channels/ec/sharer/get_sharer_order_list {openid?, share_scene?,
// page, page_size ≤ 100, start_time?, end_time?}: one entry per SKU line of the orders with a
// sharer, oldest first.
func (c *channelsShop) apiSharerOrders(w http.ResponseWriter, r *http.Request) {
	appID, ok := c.shopApp(w, r)
	if !ok {
		return
	}
	var req struct {
		OpenID     string       `json:"openid"`
		ShareScene channels.Int `json:"share_scene"`
		Page       channels.Int `json:"page"`
		PageSize   channels.Int `json:"page_size"`
		StartTime  channels.Int `json:"start_time"`
		EndTime    channels.Int `json:"end_time"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	if req.Page < 1 || req.PageSize < 0 || req.PageSize > 100 {
		writeWXError(w, 40097, "invalid args: page ≥ 1, page_size ≤ 100")
		return
	}
	size := int(req.PageSize)
	if size == 0 {
		size = 100
	}
	c.mu.Lock()
	var all []map[string]any
	for _, o := range c.sortedOrders(appID) {
		s := o.sharer
		switch {
		case s == nil, o.payTime == 0,
			req.OpenID != "" && s.openID != req.OpenID,
			req.ShareScene != 0 && int(req.ShareScene) != s.shareScene,
			req.StartTime != 0 && o.createTime < int64(req.StartTime),
			req.EndTime != 0 && o.createTime > int64(req.EndTime):
			continue
		}
		for _, l := range o.lines {
			entry := map[string]any{"order_id": o.id, "share_scene": s.shareScene, "sharer_openid": s.openID,
				"sharer_type": s.sharerType, "sku_id": l.skuID, "product_id": l.productID, "from_wecom": false}
			if s.shareScene == 1 {
				entry["finder_scene_info"] = map[string]any{"promoter_id": "sph_sim_" + appID, "finder_nickname": "sharecast 模拟视频号",
					"live_export_id": "export/live-" + o.id, "video_export_id": "", "video_title": ""}
			}
			all = append(all, entry)
		}
	}
	c.mu.Unlock()
	from := (int(req.Page) - 1) * size
	page := []map[string]any{}
	if from < len(all) {
		page = all[from:min(from+size, len(all))]
	}
	writeJSON(w, http.StatusOK, struct {
		wxOK
		OrderList []map[string]any `json:"order_list"`
	}{ok0, page})
}

// apiLiveNotices is POST /channels/ec/finderlive/getfinderlivenoticerecordlist (empty body):
// the account's notices, earliest start first.
func (c *channelsShop) apiLiveNotices(w http.ResponseWriter, r *http.Request) {
	appID, ok := c.shopApp(w, r)
	if !ok {
		return
	}
	var req struct{}
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	c.mu.Lock()
	list := append([]*shopNotice{}, c.notices[appID]...)
	c.mu.Unlock()
	sort.SliceStable(list, func(i, j int) bool { return list[i].startTime < list[j].startTime })
	out := make([]map[string]any, 0, len(list))
	for _, n := range list {
		out = append(out, noticeJSON(n))
	}
	writeJSON(w, http.StatusOK, struct {
		wxOK
		List []map[string]any `json:"live_notice_list"`
	}{ok0, out})
}

var noticeWording = map[int]string{0: "可预约", 1: "已取消", 2: "已使用"}

func noticeJSON(n *shopNotice) map[string]any {
	return map[string]any{"notice_id": n.id, "status": n.status, "status_wording": noticeWording[n.status],
		"start_time": n.startTime, "description": n.description, "nickname": "sharecast 模拟视频号", "head_url": ""}
}
