package simulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The simulated WeChat Pay (api.mch.weixin.qq.com under /_sim/mch): the merchant of the key set,
// its transfer bills (商家转账, user-confirm mode), its operating balance and its fault
// switches. Bills live in memory; amounts are fen.

const (
	// maxBills caps the bills kept; the oldest final ones go first.
	maxBills = 100_000
	// billTTL: WeChat closes a bill nobody confirmed after 24 hours (as FAIL).
	billTTL = 24 * time.Hour
	// minTransferFen is WeChat's fixed minimum (0.1 yuan); defaultSingleMaxFen its default
	// single maximum (200 yuan), which a merchant can raise.
	minTransferFen      = 10
	defaultSingleMaxFen = 20_000
	// realNameFromFen: from 2,000 yuan the payee's real name is required; below 0.3 yuan it
	// is not accepted.
	realNameFromFen    = 200_000
	realNameMinimumFen = 30
	// userDailyMaxFen is what one user may receive from the merchant per day (20,000 yuan).
	userDailyMaxFen = 2_000_000
	// defaultBalanceFen is the merchant's operating balance at start (1,000,000 yuan).
	defaultBalanceFen = 100_000_000
	// Calls per second WeChat allows a merchant, then FREQUENCY_LIMITED.
	createPerSecond = 100
	queryPerSecond  = 100
	cancelPerSecond = 20
)

// shanghai is WeChat Pay's time zone (fixed: no tzdata needed).
var shanghai = time.FixedZone("CST", 8*3600)

// transferScene is what WeChat requires with a scene: the two report rows and the
// user_recv_perception values it shows.
type transferScene struct {
	infoTypes   [2]string
	perceptions []string
}

// grantedScenes are the scenes the simulated merchant holds; any other answers "你尚未获取该转账场景".
var grantedScenes = map[string]transferScene{
	"1000": {infoTypes: [2]string{"活动名称", "奖励说明"}, perceptions: []string{"活动奖励", "现金奖励"}},
	"1005": {infoTypes: [2]string{"岗位类型", "报酬说明"}, perceptions: []string{"劳务报酬"}},
}

// transferBill is one bill. States move ACCEPTED → WAIT_USER_CONFIRM → SUCCESS | FAIL |
// CANCELLED (CANCELING in between for a cancel).
type transferBill struct {
	appID, outBillNo, transferBillNo, sceneID, openID string
	userName, remark, perception, notifyURL           string
	infos                                             []reportInfo
	amountFen                                         int64
	state, failReason, packageInfo                    string
	dayKey                                            string // openid + day, for the daily limit
	createdAt, updatedAt                              time.Time
	fundsLocked                                       bool
	callbacks                                         []deliveryRecord
}

type reportInfo struct {
	Type    string `json:"info_type"`
	Content string `json:"info_content"`
}

func (b *transferBill) final() bool {
	return b.state == "SUCCESS" || b.state == "FAIL" || b.state == "CANCELLED"
}

// payState is the simulated merchant. Its mutex guards everything but the callback HTTP
// client and the stop channel.
type payState struct {
	sim *Simulator

	mu         sync.Mutex
	bills      map[string]*transferBill // by out_bill_no
	byNo       map[string]*transferBill // by transfer_bill_no
	open       map[string]*transferBill // not final, for the 24 h sweep
	order      []string                 // out_bill_no in creation order, for the cap
	received   map[string]int64         // dayKey → fen received that day
	rate       map[string]*rateWindow
	balanceFen int64 // free operating balance; locked funds are already taken out
	singleMax  int64
	faults     payFaults
	held       []*callback // held back by reorder_callbacks
	flushing   bool
	stopped    bool

	httpc *http.Client
	done  chan struct{}
	wg    sync.WaitGroup
}

type rateWindow struct {
	second int64
	n      int
}

func newPayState(s *Simulator) *payState {
	return &payState{
		sim: s, bills: map[string]*transferBill{}, byNo: map[string]*transferBill{}, open: map[string]*transferBill{},
		received: map[string]int64{}, rate: map[string]*rateWindow{},
		balanceFen: defaultBalanceFen, singleMax: defaultSingleMaxFen,
		httpc: &http.Client{Timeout: callbackTimeout},
		done:  make(chan struct{}),
	}
}

// StopPay stops delivering WeChat Pay callbacks and waits for deliveries under way; tests call
// it when they end. The merchant API keeps answering.
func (s *Simulator) StopPay() {
	p := s.pay
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	close(p.done)
	p.mu.Unlock()
	p.wg.Wait()
}

// wxPayError is WeChat Pay's error body.
type wxPayError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// answer is a merchant API reply before it is signed.
type answer struct {
	status int
	body   any
	// hold: the call took effect, but its answer must never arrive (timeout_after_accept).
	hold bool
}

func ok(body any) answer { return answer{status: http.StatusOK, body: body} }
func payErr(status int, code, msg string) answer {
	return answer{status: status, body: wxPayError{Code: code, Message: msg}}
}

// serve runs one merchant API call: the merchant's signature, the fault switches, the rate
// limit, the 24 h sweep, then fn under the lock; then the signed answer.
func (p *payState) serve(w http.ResponseWriter, r *http.Request, op string, fn func(body []byte) answer) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		p.writeSigned(w, payErr(http.StatusBadRequest, "PARAM_ERROR", "请求体过大或无法读取"))
		return
	}
	if reason := p.authenticate(r, body); reason != "" {
		// Unsigned on purpose: WeChat signs answers only to requests it could authenticate.
		writeJSON(w, http.StatusUnauthorized, wxPayError{Code: "SIGN_ERROR", Message: "签名错误: " + reason})
		return
	}
	p.mu.Lock()
	now := p.sim.clock.Now()
	var a answer
	switch {
	case p.faults.ServerErrors > 0:
		p.faults.ServerErrors--
		a = payErr(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误，请使用原参数重试")
	case p.faults.FrequencyLimited > 0:
		p.faults.FrequencyLimited--
		a = payErr(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "请求频率超过限制，请降低频率后重试")
	case !p.allow(op, time.Now().Unix()):
		a = payErr(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "请求频率超过限制，请降低频率后重试")
	default:
		p.sweep(now)
		a = fn(body)
	}
	holdFor := time.Duration(p.faults.TimeoutHoldMs) * time.Millisecond
	p.mu.Unlock()
	if a.hold {
		p.holdAndDrop(r, holdFor)
		return
	}
	p.writeSigned(w, a)
}

// allow counts one call of op in wall-clock second sec; callers hold p.mu.
func (p *payState) allow(op string, sec int64) bool {
	limit := queryPerSecond
	switch op {
	case "create":
		limit = createPerSecond
	case "cancel":
		limit = cancelPerSecond
	}
	rw := p.rate[op]
	if rw == nil {
		rw = &rateWindow{}
		p.rate[op] = rw
	}
	if rw.second != sec {
		rw.second, rw.n = sec, 0
	}
	rw.n++
	return rw.n <= limit
}

// holdAndDrop plays a WeChat that made the bill but whose answer never arrives: it waits until
// the caller gives up (or hold passes) and then drops the connection without a byte.
func (p *payState) holdAndDrop(r *http.Request, hold time.Duration) {
	if hold <= 0 {
		hold = defaultTimeoutHold
	}
	t := time.NewTimer(hold)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	case <-p.done:
	}
	panic(http.ErrAbortHandler)
}

// createRequest is the body of POST /v3/fund-app/mch-transfer/transfer-bills.
type createRequest struct {
	AppID       string       `json:"appid"`
	OutBillNo   string       `json:"out_bill_no"`
	SceneID     string       `json:"transfer_scene_id"`
	OpenID      string       `json:"openid"`
	UserName    string       `json:"user_name"`
	Amount      *int64       `json:"transfer_amount"`
	Remark      string       `json:"transfer_remark"`
	NotifyURL   string       `json:"notify_url"`
	Perception  string       `json:"user_recv_perception"`
	ReportInfos []reportInfo `json:"transfer_scene_report_infos"`
}

type createAnswer struct {
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	CreateTime     string `json:"create_time"`
	State          string `json:"state"`
	FailReason     string `json:"fail_reason,omitempty"`
	PackageInfo    string `json:"package_info,omitempty"`
}

func (p *payState) createTransfer(w http.ResponseWriter, r *http.Request) {
	serial := r.Header.Get("Wechatpay-Serial")
	p.serve(w, r, "create", func(body []byte) answer { return p.create(body, serial) })
}

// create is the bill-making call with WeChat's checks, in WeChat's order as far as it is
// known; callers hold p.mu.
func (p *payState) create(body []byte, serial string) answer {
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return payErr(http.StatusBadRequest, "PARAM_ERROR", "请求体不是合法的JSON: "+err.Error())
	}
	if msg := req.shapeError(); msg != "" {
		return payErr(http.StatusBadRequest, "PARAM_ERROR", msg)
	}
	if p.faults.NoAuth {
		return payErr(http.StatusForbidden, "NO_AUTH", "商户号无此接口权限，请开通商家转账功能")
	}
	// The plain real name: the ciphertext differs on every send, so replays compare this.
	name := ""
	if req.UserName != "" {
		if serial != p.sim.keys.PublicKeyID {
			return payErr(http.StatusBadRequest, "PARAM_ERROR", "加密敏感信息时，Wechatpay-Serial 须为加密所用微信支付公钥的ID")
		}
		plain, err := p.decryptName(req.UserName)
		if err != nil {
			return payErr(http.StatusBadRequest, "PARAM_ERROR", "user_name 解密失败，请使用微信支付公钥加密")
		}
		name = plain
	}
	if b, exists := p.bills[req.OutBillNo]; exists {
		// A repeated out_bill_no is WeChat's retry: the same bill, never a second one.
		if !b.sameRequest(req, name) {
			return payErr(http.StatusBadRequest, "INVALID_REQUEST", "商户单号重复，且与原单参数不一致")
		}
		p.promote(b)
		return ok(b.createAnswer())
	}
	scene, granted := grantedScenes[req.SceneID]
	if !granted {
		return payErr(http.StatusBadRequest, "INVALID_REQUEST", "你尚未获取该转账场景")
	}
	if len(req.ReportInfos) != 2 || req.ReportInfos[0].Type != scene.infoTypes[0] || req.ReportInfos[1].Type != scene.infoTypes[1] {
		return payErr(http.StatusBadRequest, "PARAM_ERROR", "需传入转账场景报备信息: "+scene.infoTypes[0]+"、"+scene.infoTypes[1])
	}
	if req.Perception != "" && !contains(scene.perceptions, req.Perception) {
		return payErr(http.StatusBadRequest, "INVALID_REQUEST", "暂不支持展示当前传入的用户收款感知")
	}
	amount := *req.Amount
	if amount < minTransferFen || amount > p.singleMax {
		return payErr(http.StatusBadRequest, "INVALID_REQUEST", "超过单笔转账上下限")
	}
	switch {
	case amount >= realNameFromFen && name == "":
		return payErr(http.StatusBadRequest, "PARAM_ERROR", "转账金额大于等于2000元时，收款用户姓名必填")
	case name != "" && amount < realNameMinimumFen:
		return payErr(http.StatusBadRequest, "PARAM_ERROR", "转账金额小于0.3元时不支持传入收款用户姓名")
	}
	if req.NotifyURL != "" && !notifyURLAllowed(req.NotifyURL) {
		return payErr(http.StatusBadRequest, "PARAM_ERROR", "notify_url 须为不带参数的 HTTPS 地址（模拟器另接受本机或内网的 http://）")
	}
	now := p.sim.clock.Now()
	dayKey := req.OpenID + "|" + now.In(shanghai).Format("20060102")
	if p.received[dayKey]+amount > userDailyMaxFen {
		return payErr(http.StatusBadRequest, "INVALID_REQUEST", "超出用户单日收款额度")
	}
	if p.balanceFen < amount {
		return payErr(http.StatusForbidden, "NOT_ENOUGH", "商户运营账户资金不足")
	}

	p.makeRoom()
	b := &transferBill{appID: req.AppID, outBillNo: req.OutBillNo, transferBillNo: newTransferBillNo(now),
		sceneID: req.SceneID, openID: req.OpenID, userName: name, remark: req.Remark, perception: req.Perception,
		notifyURL: req.NotifyURL, infos: req.ReportInfos, amountFen: amount, state: "ACCEPTED", dayKey: dayKey,
		createdAt: now, updatedAt: now}
	p.bills[b.outBillNo] = b
	p.byNo[b.transferBillNo] = b
	p.open[b.outBillNo] = b
	p.order = append(p.order, b.outBillNo)
	p.received[dayKey] += amount
	// PROCESSING: the funds are locked at once.
	p.balanceFen -= amount
	b.fundsLocked = true
	if p.faults.AcceptOnly > 0 {
		// The answer says ACCEPTED (no package_info yet); the bill moves on at its next call.
		p.faults.AcceptOnly--
	} else {
		p.promote(b)
	}
	a := ok(b.createAnswer())
	if p.faults.TimeoutAfterAccept > 0 {
		p.faults.TimeoutAfterAccept--
		a.hold = true
	}
	p.sim.log.Info("simulator: transfer bill created", "out_bill_no", b.outBillNo, "amount_fen", amount, "state", b.state)
	return a
}

// shapeError checks required fields and formats; "" when the request is well formed.
func (req createRequest) shapeError() string {
	runes := utf8.RuneCountInString
	switch {
	case req.AppID == "" || !validIdent(req.AppID):
		return "appid 必填且须为合法的AppID"
	case !validBillNo(req.OutBillNo):
		return "out_bill_no 须为1-32位数字或大小写字母"
	case req.SceneID == "" || len(req.SceneID) > 36 || strings.Trim(req.SceneID, digits) != "":
		return "transfer_scene_id 必填"
	case req.OpenID == "" || !validIdent(req.OpenID):
		return "openid 必填"
	case req.Amount == nil || *req.Amount <= 0:
		return "transfer_amount 必填且须为正整数（单位：分）"
	case req.Remark == "" || runes(req.Remark) > 32:
		return "transfer_remark 必填，最多32个字符"
	case len(req.ReportInfos) == 0:
		return "需传入转账场景报备信息"
	case len(req.UserName) > 2048:
		return "user_name 过长"
	}
	for _, info := range req.ReportInfos {
		if n := runes(info.Type); n < 1 || n > 15 {
			return "info_type 须为1-15个字符"
		}
		if n := runes(info.Content); n < 1 || n > 32 {
			return "info_content 须为1-32个字符"
		}
	}
	return ""
}

func validBillNo(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (b *transferBill) sameRequest(req createRequest, name string) bool {
	if b.appID != req.AppID || b.sceneID != req.SceneID || b.openID != req.OpenID || b.amountFen != *req.Amount ||
		b.remark != req.Remark || b.perception != req.Perception || b.notifyURL != req.NotifyURL ||
		b.userName != name || len(b.infos) != len(req.ReportInfos) {
		return false
	}
	for i := range b.infos {
		if b.infos[i] != req.ReportInfos[i] {
			return false
		}
	}
	return true
}

// notifyURLAllowed: WeChat wants HTTPS without a query. The simulator also takes http:// to a
// host that cannot be on the internet: loopback (the embedded mode), a private address or a
// name without a dot (a container name, as in docker-compose.yml).
func notifyURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || len(raw) > 256 {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil {
			return ip.IsLoopback() || ip.IsPrivate()
		}
		return host != "" && !strings.Contains(host, ".")
	}
	return false
}

// decryptName opens a user_name sealed with RSA-OAEP (SHA-1) under the WeChat Pay key.
func (p *payState) decryptName(b64 string) (string, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", err
	}
	pt, err := rsa.DecryptOAEP(sha1.New(), nil, p.sim.keys.WechatPayPrivateKey, ct, nil)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// promote moves an ACCEPTED bill on to WAIT_USER_CONFIRM with its package_info; callers hold
// p.mu.
func (p *payState) promote(b *transferBill) {
	if b.state != "ACCEPTED" {
		return
	}
	b.state = "WAIT_USER_CONFIRM"
	b.packageInfo = newPackageInfo()
	b.updatedAt = p.sim.clock.Now()
}

// makeRoom drops the oldest final bills while at the cap (open bills are never dropped: their
// money is locked); callers hold p.mu.
func (p *payState) makeRoom() {
	if len(p.bills) < maxBills {
		return
	}
	kept := p.order[:0]
	for _, no := range p.order {
		b := p.bills[no]
		if len(p.bills) >= maxBills && b != nil && b.final() {
			delete(p.bills, no)
			delete(p.byNo, b.transferBillNo)
			continue
		}
		kept = append(kept, no)
	}
	p.order = kept
}

// sweep closes the bills nobody confirmed within 24 hours of the service clock, as WeChat
// does: FAIL, funds back, a callback; callers hold p.mu.
func (p *payState) sweep(now time.Time) {
	for _, b := range p.open {
		if !now.Before(b.createdAt.Add(billTTL)) && (b.state == "ACCEPTED" || b.state == "WAIT_USER_CONFIRM") {
			p.finish(b, "FAIL", "OVERDUE_CLOSE", now)
		}
	}
}

// finish moves a bill to a final state, settles its funds and sends the callback; callers hold
// p.mu.
func (p *payState) finish(b *transferBill, state, reason string, now time.Time) {
	b.state, b.failReason, b.updatedAt = state, reason, now
	delete(p.open, b.outBillNo)
	if b.fundsLocked {
		b.fundsLocked = false
		if state != "SUCCESS" {
			p.balanceFen += b.amountFen
		}
	}
	if state != "SUCCESS" {
		p.received[b.dayKey] -= b.amountFen
	}
	p.sim.log.Info("simulator: transfer bill final", "out_bill_no", b.outBillNo, "state", state, "fail_reason", reason)
	p.notify(b)
}

func (b *transferBill) createAnswer() createAnswer {
	a := createAnswer{OutBillNo: b.outBillNo, TransferBillNo: b.transferBillNo, CreateTime: wxTime(b.createdAt),
		State: b.state, FailReason: b.failReason}
	if b.state == "WAIT_USER_CONFIRM" {
		a.PackageInfo = b.packageInfo
	}
	return a
}

// queryAnswer is the body of both queries.
type queryAnswer struct {
	MchID          string `json:"mch_id"`
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	AppID          string `json:"appid"`
	State          string `json:"state"`
	TransferAmount int64  `json:"transfer_amount"`
	TransferRemark string `json:"transfer_remark"`
	FailReason     string `json:"fail_reason,omitempty"`
	OpenID         string `json:"openid"`
	CreateTime     string `json:"create_time"`
	UpdateTime     string `json:"update_time"`
}

func (p *payState) queryAnswer(b *transferBill) queryAnswer {
	return queryAnswer{MchID: p.sim.keys.MchID, OutBillNo: b.outBillNo, TransferBillNo: b.transferBillNo, AppID: b.appID,
		State: b.state, TransferAmount: b.amountFen, TransferRemark: b.remark, FailReason: b.failReason, OpenID: b.openID,
		CreateTime: wxTime(b.createdAt), UpdateTime: wxTime(b.updatedAt)}
}

func (p *payState) queryByOutBillNo(w http.ResponseWriter, r *http.Request) {
	no := r.PathValue("out_bill_no")
	p.serve(w, r, "query", func([]byte) answer {
		if !validBillNo(no) {
			return payErr(http.StatusBadRequest, "PARAM_ERROR", "out_bill_no 格式错误")
		}
		return p.queryBill(p.bills[no])
	})
}

func (p *payState) queryByTransferBillNo(w http.ResponseWriter, r *http.Request) {
	no := r.PathValue("transfer_bill_no")
	p.serve(w, r, "query", func([]byte) answer { return p.queryBill(p.byNo[no]) })
}

// queryBill answers a query; callers hold p.mu. A queried ACCEPTED bill moves on, as WeChat's
// asynchronous processing would have.
func (p *payState) queryBill(b *transferBill) answer {
	if b == nil {
		return payErr(http.StatusNotFound, "NOT_FOUND", "记录不存在")
	}
	p.promote(b)
	return ok(p.queryAnswer(b))
}

type cancelAnswer struct {
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	State          string `json:"state"`
	UpdateTime     string `json:"update_time"`
}

// cancelTransfer is POST …/out-bill-no/{out_bill_no}/cancel (no body). WeChat cancels
// asynchronously: the answer says CANCELING, and the bill is CANCELLED (with its callback)
// right after.
func (p *payState) cancelTransfer(w http.ResponseWriter, r *http.Request) {
	no := r.PathValue("out_bill_no")
	p.serve(w, r, "cancel", func([]byte) answer {
		b := p.bills[no]
		if b == nil {
			return payErr(http.StatusNotFound, "NOT_FOUND", "记录不存在")
		}
		switch b.state {
		case "CANCELLED":
			return ok(cancelAnswer{OutBillNo: b.outBillNo, TransferBillNo: b.transferBillNo, State: b.state, UpdateTime: wxTime(b.updatedAt)})
		case "ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM":
			now := p.sim.clock.Now()
			a := cancelAnswer{OutBillNo: b.outBillNo, TransferBillNo: b.transferBillNo, State: "CANCELING", UpdateTime: wxTime(now)}
			p.finish(b, "CANCELLED", "", now)
			return ok(a)
		default:
			return payErr(http.StatusBadRequest, "INVALID_REQUEST", "当前单据状态不支持撤销")
		}
	})
}

// wxTime is WeChat Pay's time format: RFC 3339 in +08:00.
func wxTime(t time.Time) string { return t.In(shanghai).Format(time.RFC3339) }

// newTransferBillNo looks like WeChat's: digits, starting with the day.
func newTransferBillNo(now time.Time) string {
	return "1330" + now.In(shanghai).Format("20060102") + randomString(digits, 20)
}

// newPackageInfo is an opaque token like WeChat's package_info.
func newPackageInfo() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// noSuchAPI answers paths the simulated WeChat Pay does not serve. Its code is not one of
// WeChat's, so a client never takes it for "no such bill".
func (p *payState) noSuchAPI(w http.ResponseWriter, r *http.Request) {
	p.writeSigned(w, payErr(http.StatusNotFound, "NO_SUCH_API", "simulator: no such WeChat Pay API "+r.Method+" "+r.URL.Path))
}
