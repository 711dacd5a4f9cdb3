package channels

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/wechat"
)

// API paths under api.weixin.qq.com. The after-sale detail is getaftersaleorder
// (developers.weixin.qq.com/doc/channels/API/aftersale/getaftersaleorder.html, also under
// /doc/store/…): body {after_sale_order_id}, answer {after_sale_order{…}}.
const (
	PathOrderGet         = "/channels/ec/order/get"
	PathAfterSaleGet     = "/channels/ec/aftersale/getaftersaleorder"
	PathSharerBind       = "/channels/ec/sharer/bind"
	PathSharerOrderList  = "/channels/ec/sharer/get_sharer_order_list"
	PathLiveNoticeRecord = "/channels/ec/finderlive/getfinderlivenoticerecordlist"
)

// Client reads one shop through WeChat's API. It shares the transport and the access-token
// cache of the *wechat.Client it wraps (tokens keyed by the shop's appid, from stable_token, so
// replicas never invalidate each other's). Cheap to build per call; safe for concurrent use.
type Client struct {
	wx     *wechat.Client
	appID  string
	secret string
}

// NewClient is a client for the shop appID with its AppSecret.
func NewClient(wx *wechat.Client, appID, secret string) *Client {
	return &Client{wx: wx, appID: appID, secret: secret}
}

// AppID is the shop's appid.
func (c *Client) AppID() string { return c.appID }

func (c *Client) post(ctx context.Context, path string, in, out any) error {
	if c.appID == "" || c.secret == "" {
		return apperr.New(apperr.Unavailable, "CHANNELS_NOT_CONFIGURED", "the brand's Channels shop appid or secret is not set")
	}
	return c.wx.PostJSON(ctx, c.appID, c.secret, path, in, out)
}

// errCode is WeChat's errcode inside err, or 0.
func errCode(err error) int {
	var e *wechat.APIError
	if errors.As(err, &e) {
		return e.ErrCode
	}
	return 0
}
