package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sharecast/sharecast/wechat/channels"
)

// The simulated Channels shop (微信小店): orders and after-sales made through the control
// endpoints, the signed and encrypted pushes of their events to sharecast's
// /webhooks/channels/{brand_id}, and the read APIs (order/get, the after-sale detail, sharer
// bind and order list, live notices) answered with WeChat's errcodes.
//
// Each brand has one shop. A brand nobody registered (PUT /_sim/control/channels/{brand_id}/shop)
// gets the demo shop: appid DemoShopAppID with ChannelsShopSecret, the push token and
// EncodingAESKey of merchant.json, and pushes to Options.ServiceURL. So the demo brand, which
// is configured with those, works end to end with no set-up.

// DemoShopAppID is the demo Channels shop's appid (the push's receiveid).
const DemoShopAppID = "wx0000000000000002"

// ChannelsShopSecret is the demo shop's AppSecret. It is derived from the mini-program's secret
// so merchant.json keeps its documented fields and old key directories stay valid.
func (k *Keys) ChannelsShopSecret() string {
	sum := sha256.Sum256([]byte("sharecast simulator channels shop secret\x00" + k.AppSecret))
	return hex.EncodeToString(sum[:16])
}

// Caps on the shop's state (see the Simulator's limits).
const (
	maxShopOrders     = 100_000
	maxShopAfterSales = 100_000
	maxShopSharers    = 10_000
	maxShopNotices    = 200 // per shop
	maxShops          = 1_000
	maxPushLog        = 2_000
	maxOrderLines     = 50
	maxDuplicates     = 50
	// pushTimeout is how long WeChat waits for the answer to a push.
	pushTimeout = 5 * time.Second
)

// shopConfig is one brand's shop as WeChat knows it.
type shopConfig struct {
	AppID          string `json:"appid"`
	Secret         string `json:"secret"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	UserName       string `json:"user_name"` // gh_…, the ToUserName of pushes
	PushURL        string `json:"push_url"`  // "" → <service URL>/webhooks/channels/{brand_id}
}

type shopLine struct {
	productID, skuID, title string
	count, salePrice        int64
	realPrice               int64
	onAfterSale             int64 // units in an open after-sale
	finishAfterSale         int64 // units refunded
	refundedFen             int64
}

type shopSharer struct {
	openID, unionID string
	sharerType      int
	shareScene      int
}

type shopOrder struct {
	brandID, appID, id string
	status             int
	openID, unionID    string
	createTime         int64
	updateTime         int64
	payTime            int64
	lines              []*shopLine
	city               string
	sharer             *shopSharer
	afterSales         []string
}

type shopAfterSale struct {
	appID, id, orderID string
	status, kind       string
	line               *shopLine
	count, refundFen   int64
	createTime         int64
	updateTime         int64
}

type shopNotice struct {
	id          string
	status      int
	startTime   int64
	description string
}

type boundSharer struct {
	openID, unionID, username, nickname string
	bindTime                            int64
}

// channelsFaults are the shop's switches in POST /_sim/control/faults {"channels": {…}}.
type channelsFaults struct {
	// DuplicatePushes sends every push this many extra times, at once (WeChat resends a message
	// it got no answer for, and two copies can race).
	DuplicatePushes int `json:"duplicate_pushes"`
	// ReorderPushes holds each push until the brand's next one and then delivers the newer
	// first; switching it off delivers whatever is held.
	ReorderPushes bool `json:"reorder_pushes"`
	// ForgedProbes sends, before every push, four forgeries of it that sharecast must refuse
	// with a 4xx: a wrong msg_signature, a message for another appid, a truncated ciphertext
	// and bad padding (the last three correctly signed).
	ForgedProbes bool `json:"forged_probes"`
}

// pushResult is one HTTP request the shop sent to sharecast, or a push held back.
type pushResult struct {
	BrandID   string `json:"brand_id"`
	Event     string `json:"event"`
	OrderID   string `json:"order_id"`
	Kind      string `json:"kind"` // push, duplicate, probe_bad_signature, probe_wrong_appid, probe_truncated, probe_bad_padding
	Held      bool   `json:"held,omitempty"`
	Status    int    `json:"status"` // sharecast's HTTP status; 0 when not sent
	Answer    string `json:"answer"`
	Delivered bool   `json:"delivered"` // HTTP 200 with "success" or an empty body
	Error     string `json:"error,omitempty"`
	At        string `json:"at"`
}

// pendingPush is one event ready to push.
type pendingPush struct {
	brandID, event, orderID string
	shop                    shopConfig
	msg                     []byte
}

// channelsShop holds the shops' state. Its own lock keeps pushes, which wait on sharecast,
// from holding up logins and tokens; HTTP calls are made with no lock held.
type channelsShop struct {
	sim        *Simulator
	serviceURL string
	http       *http.Client

	mu         sync.Mutex
	shops      map[string]shopConfig // brand_id → registered shop
	orders     map[string]*shopOrder // appid + "/" + order id
	afterSales map[string]*shopAfterSale
	sharers    map[string]map[string]*boundSharer // appid → openid → sharer
	notices    map[string][]*shopNotice           // appid → notices
	held       map[string]*pendingPush            // brand_id → push held by reorder_pushes
	pushLog    []pushResult
	faults     channelsFaults
}

func newChannelsShop(s *Simulator, serviceURL string) *channelsShop {
	return &channelsShop{
		sim:        s,
		serviceURL: strings.TrimRight(serviceURL, "/"),
		http:       &http.Client{Timeout: pushTimeout},
		shops:      map[string]shopConfig{},
		orders:     map[string]*shopOrder{},
		afterSales: map[string]*shopAfterSale{},
		sharers:    map[string]map[string]*boundSharer{},
		notices:    map[string][]*shopNotice{},
		held:       map[string]*pendingPush{},
	}
}

// shopFor is the brand's shop (the demo shop unless registered); callers hold c.mu.
func (c *channelsShop) shopFor(brandID string) shopConfig {
	if sh, ok := c.shops[brandID]; ok {
		if sh.PushURL == "" && c.serviceURL != "" {
			sh.PushURL = c.serviceURL + "/webhooks/channels/" + brandID
		}
		return sh
	}
	k := c.sim.keys
	sh := shopConfig{AppID: DemoShopAppID, Secret: k.ChannelsShopSecret(), Token: k.ChannelsToken,
		EncodingAESKey: k.ChannelsEncodingAESKey, UserName: userNameFor(DemoShopAppID)}
	if c.serviceURL != "" {
		sh.PushURL = c.serviceURL + "/webhooks/channels/" + brandID
	}
	return sh
}

// userNameFor makes a stable gh_ user name for a shop appid.
func userNameFor(appID string) string {
	sum := sha256.Sum256([]byte(appID))
	return "gh_" + hex.EncodeToString(sum[:6])
}

func orderKey(appID, id string) string { return appID + "/" + id }

// newOrderID makes a 19-digit id above 2^53, like WeChat's, so JSON numbers lose precision
// in any client that reads them as float64.
func newOrderID() string     { return "37" + randomString(digits, 17) }
func newAfterSaleID() string { return "40" + randomString(digits, 17) }

// unix is t in whole seconds.
func unix(t time.Time) int64 { return t.Unix() }

// parseAt reads an optional RFC 3339 time; "" is now.
func (c *channelsShop) parseAt(v string) (time.Time, error) {
	if v == "" {
		return c.sim.clock.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errors.New("times are RFC 3339, e.g. 2026-03-01T10:00:00+08:00")
	}
	return t, nil
}

// tokenApp is the appid a live access token belongs to.
func (s *Simulator) tokenApp(token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok || !s.clock.Now().Before(t.expiresAt) {
		return "", false
	}
	return t.appID, true
}

// decodeOptionalJSON is decodeJSON for bodies that may be empty.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	return json.Unmarshal(body, v)
}

// validBrandID accepts what sharecast's ids look like (UUIDs) and test names.
func validBrandID(id string) bool { return validIdent(id) }

// sortedOrders lists an app's orders by creation, oldest first; callers hold c.mu.
func (c *channelsShop) sortedOrders(appID string) []*shopOrder {
	var out []*shopOrder
	for _, o := range c.orders {
		if o.appID == appID {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].createTime != out[j].createTime {
			return out[i].createTime < out[j].createTime
		}
		return out[i].id < out[j].id
	})
	return out
}

// crypt is the shop's push crypt.
func (sh shopConfig) crypt() (*channels.MsgCrypt, error) {
	return channels.NewMsgCrypt(sh.Token, sh.EncodingAESKey, sh.AppID)
}
