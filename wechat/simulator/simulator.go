// Package simulator is the built-in WeChat: an http.Handler that serves WeChat's own API
// contracts under /_sim/api/… (api.weixin.qq.com), plus control endpoints under
// /_sim/control/… that play the user's side (a wx.login, moving the clock). The embedded
// server mounts it on its own port; `sharecast simulator` serves it alone. Production clients
// talk to it unchanged, only their base URL differs.
//
// It owns its keys (under <data dir>/simulator/, see LoadOrCreateKeys) and in-memory state:
// login codes, users, access tokens. Every collection is capped. It must never be mounted in
// production: it hands out codes and tokens to anyone who asks.
package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// ClockAdvancer moves the service's clock forward (clock.Offset satisfies it) and returns the
// new total offset.
type ClockAdvancer interface {
	Advance(ctx context.Context, by time.Duration) (time.Duration, error)
}

// Options configure a Simulator. The zero value works: keys that live only in memory, the
// wall clock, no clock control, no logs.
type Options struct {
	// DataDir holds the keys under DataDir/simulator/. Empty: generate keys in memory only.
	DataDir string
	// Clock decides when codes and tokens expire. Nil: the wall clock.
	Clock clock.Clock
	// ClockAdvancer serves POST /_sim/control/clock. Nil: that endpoint answers 501.
	ClockAdvancer ClockAdvancer
	Logger        *slog.Logger

	// ServiceURL is sharecast's base URL (http://host:port), where the Channels shop pushes its
	// events (<ServiceURL>/webhooks/channels/{brand_id}). The mounted simulator gets the
	// service's own URL. Empty: pushes fail until a shop registers its push_url.
	ServiceURL string
}

// Limits on in-memory state, so a runaway test or a curious user cannot grow it without end.
const (
	maxCodes     = 100_000
	maxUsers     = 100_000
	maxTokens    = 10_000
	maxBodyBytes = 64 << 10
)

// Simulator holds the simulated WeChat's state. It is safe for concurrent use.
type Simulator struct {
	keys     *Keys
	clock    clock.Clock
	advancer ClockAdvancer
	log      *slog.Logger
	mux      *http.ServeMux

	mu   sync.Mutex
	apps map[string]string // appid → secret; unregistered appids accept any secret
	// codes are wx.login codes by value; codeOrder is their issue order, oldest first, so the
	// oldest (and so the expired) ones are dropped first.
	codes     map[string]*loginCode
	codeOrder []string
	users     map[string]*user      // by openid
	calls     map[string]*callCount // jscode2session calls per openid, for 45011
	tokens    map[string]*accessToken
	current   map[string]string // appid → the token stable_token hands out now

	// Each later area keeps its state in a type of its own file, hooked in with one field here
	// and one line in New and routes (keep the area comments: they keep merges apart).
	// links: wxacode + urllink
	links *linkSim

	// channels shop: orders, after-sales, pushes, sharers, notices
	channels *channelsShop
	// faults serves POST /_sim/control/faults; every area registers its section in New.
	faults *faultSwitches

	// wechat pay: transfer bills, callbacks, faults
	pay *payState

	// wecom robot
	wecom *wecomRobot

	// subscribe messages
	subscribe *subscribeState
}

// New loads or creates the keys and builds the simulator. The demo mini-program from the keys
// is registered with its secret.
func New(opts Options) (*Simulator, error) {
	var (
		keys *Keys
		err  error
	)
	if opts.DataDir == "" {
		keys, err = generateKeys()
	} else {
		keys, err = LoadOrCreateKeys(KeyDir(opts.DataDir))
	}
	if err != nil {
		return nil, err
	}
	s := &Simulator{
		keys:     keys,
		clock:    opts.Clock,
		advancer: opts.ClockAdvancer,
		log:      opts.Logger,
		apps:     map[string]string{},
		codes:    map[string]*loginCode{},
		users:    map[string]*user{},
		calls:    map[string]*callCount{},
		tokens:   map[string]*accessToken{},
		current:  map[string]string{},
	}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.RegisterApp(keys.AppID, keys.AppSecret)
	// links
	s.links = newLinkSim()

	// channels shop
	s.faults = newFaultSwitches()
	s.channels = newChannelsShop(s, opts.ServiceURL)
	s.faults.register("channels", channelsFaultSection{s.channels})
	s.RegisterApp(DemoShopAppID, keys.ChannelsShopSecret())

	// wechat pay
	s.pay = newPayState(s)
	s.advancer = s.pay.sweepAfterAdvance(s.advancer)
	s.faults.register("pay", funcSection{parse: s.pay.parseFaults, state: s.pay.faultState})

	// wecom robot
	s.wecom = newWecomRobot(s.clock)
	s.faults.register("wecom", wecomFaultSection{s.wecom})

	// subscribe messages
	s.subscribe = newSubscribeState()

	s.mux = s.routes()
	return s, nil
}

// Keys returns the simulator's key set.
func (s *Simulator) Keys() *Keys { return s.keys }

// Handler serves every simulator path; all of them begin with /_sim/.
func (s *Simulator) Handler() http.Handler { return s.mux }

// RegisterApp makes appid known with secret: from then on its calls must carry that secret.
func (s *Simulator) RegisterApp(appID, secret string) {
	s.mu.Lock()
	s.apps[appID] = secret
	s.mu.Unlock()
}

func (s *Simulator) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/api/sns/jscode2session", s.jscode2Session)
	mux.HandleFunc("POST /_sim/api/cgi-bin/stable_token", s.stableToken)
	// links (any method, so that a GET gets WeChat's 43002 instead of a 404)
	mux.HandleFunc("/_sim/api/wxa/getwxacodeunlimit", s.getWXACodeUnlimit)
	mux.HandleFunc("/_sim/api/wxa/generate_urllink", s.generateURLLink)
	mux.HandleFunc("GET /_sim/control/urllinks/{id}", s.controlURLLink)

	// channels shop
	mux.HandleFunc("POST /_sim/api/channels/ec/order/get", s.channels.apiOrderGet)
	mux.HandleFunc("POST /_sim/api/channels/ec/aftersale/getaftersaleorder", s.channels.apiAfterSaleGet)
	mux.HandleFunc("POST /_sim/api/channels/ec/sharer/bind", s.channels.apiSharerBind)
	mux.HandleFunc("POST /_sim/api/channels/ec/sharer/get_sharer_order_list", s.channels.apiSharerOrders)
	mux.HandleFunc("POST /_sim/api/channels/ec/finderlive/getfinderlivenoticerecordlist", s.channels.apiLiveNotices)
	mux.HandleFunc("PUT /_sim/control/channels/{brand_id}/shop", s.channels.controlShopPut)
	mux.HandleFunc("GET /_sim/control/channels/{brand_id}/shop", s.channels.controlShopGet)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/orders", s.channels.controlOrders)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/orders/{order_id}/{action}", s.channels.controlOrderAction)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/aftersales", s.channels.controlAfterSales)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/aftersales/{after_sale_order_id}", s.channels.controlAfterSaleUpdate)
	mux.HandleFunc("GET /_sim/control/channels/{brand_id}/pushes", s.channels.controlPushes)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/sharers", s.channels.controlSharers)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/notices", s.channels.controlNotices)
	mux.HandleFunc("POST /_sim/control/channels/{brand_id}/verify-url", s.channels.controlVerifyURL)
	// POST/GET /_sim/control/faults are shared: areas add sections, not routes.
	mux.HandleFunc("POST /_sim/control/faults", s.faults.controlFaultsSet)
	mux.HandleFunc("GET /_sim/control/faults", s.faults.controlFaultsGet)

	// wechat pay
	mux.HandleFunc("POST /_sim/mch/v3/fund-app/mch-transfer/transfer-bills", s.pay.createTransfer)
	mux.HandleFunc("GET /_sim/mch/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}", s.pay.queryByOutBillNo)
	mux.HandleFunc("GET /_sim/mch/v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{transfer_bill_no}", s.pay.queryByTransferBillNo)
	mux.HandleFunc("POST /_sim/mch/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}/cancel", s.pay.cancelTransfer)
	mux.HandleFunc("/_sim/mch/", s.pay.noSuchAPI)
	mux.HandleFunc("POST /_sim/control/transfers/{out_bill_no}/confirm", s.pay.controlConfirm)
	mux.HandleFunc("POST /_sim/control/transfers/{out_bill_no}/reject", s.pay.controlReject)
	mux.HandleFunc("GET /_sim/control/transfers/{out_bill_no}", s.pay.controlTransfer)
	mux.HandleFunc("GET /_sim/control/transfers", s.pay.controlTransfers)

	// wecom robot
	mux.HandleFunc("POST /_sim/qyapi/cgi-bin/webhook/send", s.wecomSend)
	mux.HandleFunc("GET /_sim/control/wecom/messages", s.controlWecomMessages)

	// subscribe messages
	mux.HandleFunc("POST /_sim/api/cgi-bin/message/subscribe/send", s.subscribeSend)
	mux.HandleFunc("POST /_sim/control/subscribe/grants", s.controlSubscribeGrants)
	mux.HandleFunc("GET /_sim/control/subscribe/messages", s.controlSubscribeMessages)
	mux.HandleFunc("GET /_sim/control/subscribe/credits", s.controlSubscribeCredits)

	mux.HandleFunc("/_sim/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, wxError{ErrCode: -1, ErrMsg: "simulator: no such API " + r.Method + " " + r.URL.Path})
	})

	mux.HandleFunc("POST /_sim/control/login", s.controlLogin)
	mux.HandleFunc("POST /_sim/control/clock", s.controlClock)
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		writeControlError(w, http.StatusNotFound, "NOT_FOUND", "no such simulator endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// validIdent accepts appids, openids and unionids: 1 to 64 characters of [A-Za-z0-9_-]. It is
// deliberately loose about appids, because tests create brands with made-up ones.
func validIdent(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// checkApp reports whether secret is acceptable for appID; callers hold s.mu.
func (s *Simulator) checkApp(appID, secret string) bool {
	if secret == "" {
		return false
	}
	want, registered := s.apps[appID]
	return !registered || want == secret
}

// wxError is WeChat's error body. WeChat answers errors with HTTP 200.
type wxError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// writeWXError answers like WeChat: HTTP 200 and an errmsg ending in a request id.
func writeWXError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, wxError{ErrCode: code, ErrMsg: msg + ", rid: " + randomString(lowerHex, 8) + "-" + randomString(lowerHex, 8)})
}

// writeControlError answers a control endpoint's error: {code, message}.
func writeControlError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]string{"code": code, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a bounded JSON body into v. Unknown fields are ignored, as WeChat does.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON body")
	}
	return nil
}
