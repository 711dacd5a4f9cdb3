package channels

import (
	"context"

	"github.com/sharecast/sharecast/apperr"
)

// SharerInvite is the answer of sharer/bind: a QR code the invited WeChat user scans to
// become the shop's ordinary sharer (valid 15 days).
type SharerInvite struct {
	QRCodeImgBase64 string
}

// BindSharer invites an ordinary sharer (POST /channels/ec/sharer/bind {username}). username
// is the member's WeChat ID; "" makes a code many people can scan.
//
// Errors: 10070000 bad WeChat ID and 10070006 bad parameters are Invalid; 10070001 already a
// sharer and 10070005 already a shop sharer are Conflict SHARER_ALREADY_BOUND; 10070002 (the
// sharer limit), 10070007 (shop staff) and 10080002 (the shop sells as a 达人 account) are Rule
// SHARER_REFUSED; the rest Unavailable.
func (c *Client) BindSharer(ctx context.Context, username string) (SharerInvite, error) {
	if len(username) > 64 {
		return SharerInvite{}, apperr.InvalidArgument("username must be ≤ 64 bytes")
	}
	in := map[string]string{}
	if username != "" {
		in["username"] = username
	}
	var out struct {
		QRCodeImgBase64 string `json:"qrcode_img_base64"`
	}
	if err := c.post(ctx, PathSharerBind, in, &out); err != nil {
		switch errCode(err) {
		case 10070000:
			return SharerInvite{}, apperr.Wrap(err, apperr.Invalid, "SHARER_USERNAME_INVALID", "WeChat does not know this WeChat ID")
		case 10070006:
			return SharerInvite{}, apperr.Wrap(err, apperr.Invalid, "INVALID_ARGUMENT", "WeChat refused the sharer invitation's parameters")
		case 10070001, 10070005:
			return SharerInvite{}, apperr.Wrap(err, apperr.Conflict, "SHARER_ALREADY_BOUND", "this WeChat user is already a sharer of the shop")
		case 10070002, 10070007, 10080002:
			return SharerInvite{}, apperr.Wrap(err, apperr.Rule, "SHARER_REFUSED", "WeChat refused to bind this sharer (limit reached, shop staff, or the shop sells as a 达人 account)")
		}
		return SharerInvite{}, err
	}
	return SharerInvite{QRCodeImgBase64: out.QRCodeImgBase64}, nil
}

// SharerOrderQuery filters get_sharer_order_list. Zero fields are left out.
type SharerOrderQuery struct {
	OpenID     string // the sharer
	ShareScene int
	Page       int // from 1; 0 → 1
	PageSize   int // ≤ 100; 0 → 100
	StartTime  int64
	EndTime    int64
}

// maxSharerOrderPage is WeChat's page size limit.
const maxSharerOrderPage = 100

// SharerOrder is one order a sharer brought.
type SharerOrder struct {
	OrderID      string
	ShareScene   int
	SharerOpenID string
	SharerType   int
	SKUID        string
	ProductID    string
	FromWeCom    bool
	// Finder scene: set only for orders made in Channels scenes (showcase, live, profile,
	// short video).
	PromoterID     string
	FinderNickname string
	LiveExportID   string
	VideoExportID  string
	VideoTitle     string
}

// SharerOrders lists orders by sharer (POST /channels/ec/sharer/get_sharer_order_list): the
// fallback when order/get carries no sharer_info. Errors are Unavailable.
func (c *Client) SharerOrders(ctx context.Context, q SharerOrderQuery) ([]SharerOrder, error) {
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.PageSize <= 0 || q.PageSize > maxSharerOrderPage {
		q.PageSize = maxSharerOrderPage
	}
	in := map[string]any{"page": q.Page, "page_size": q.PageSize}
	if q.OpenID != "" {
		in["openid"] = q.OpenID
	}
	if q.ShareScene != 0 {
		in["share_scene"] = q.ShareScene
	}
	if q.StartTime != 0 {
		in["start_time"] = q.StartTime
	}
	if q.EndTime != 0 {
		in["end_time"] = q.EndTime
	}
	var out struct {
		OrderList []struct {
			OrderID      ID     `json:"order_id"`
			ShareScene   Int    `json:"share_scene"`
			SharerScene  Int    `json:"sharer_scene"` // the field table's spelling
			SharerOpenID string `json:"sharer_openid"`
			SharerType   Int    `json:"sharer_type"`
			SKUID        ID     `json:"sku_id"`
			ProductID    ID     `json:"product_id"`
			FromWeCom    bool   `json:"from_wecom"`
			Finder       struct {
				PromoterID     string `json:"promoter_id"`
				FinderNickname string `json:"finder_nickname"`
				LiveExportID   string `json:"live_export_id"`
				VideoExportID  string `json:"video_export_id"`
				VideoTitle     string `json:"video_title"`
			} `json:"finder_scene_info"`
		} `json:"order_list"`
	}
	if err := c.post(ctx, PathSharerOrderList, in, &out); err != nil {
		return nil, err
	}
	orders := make([]SharerOrder, 0, len(out.OrderList))
	for _, o := range out.OrderList {
		scene := o.ShareScene
		if scene == 0 {
			scene = o.SharerScene
		}
		orders = append(orders, SharerOrder{OrderID: string(o.OrderID), ShareScene: int(scene), SharerOpenID: o.SharerOpenID,
			SharerType: int(o.SharerType), SKUID: string(o.SKUID), ProductID: string(o.ProductID), FromWeCom: o.FromWeCom,
			PromoterID: o.Finder.PromoterID, FinderNickname: o.Finder.FinderNickname, LiveExportID: o.Finder.LiveExportID,
			VideoExportID: o.Finder.VideoExportID, VideoTitle: o.Finder.VideoTitle})
	}
	return orders, nil
}
