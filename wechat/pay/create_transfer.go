package pay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"regexp"
	"unicode/utf8"

	"github.com/go-pay/gopay"
)

// Transfer scenes (transfer_scene_id). A merchant is granted one scene; the brand's setting
// pay_transfer_scene_id says which.
const (
	SceneCashMarketing = "1000" // 现金营销
	SceneCommission    = "1005" // 佣金报酬
)

// RealNameThresholdFen is the amount from which WeChat requires the payee's real name
// (2,000 yuan).
const RealNameThresholdFen = 200_000

// ReportInfo is one row of transfer_scene_report_infos.
type ReportInfo struct {
	Type    string `json:"info_type"`
	Content string `json:"info_content"`
}

// SceneReport answers what WeChat requires with a known scene: the user_recv_perception to
// show and the two report rows, filled with first and second. ok is false for another scene;
// then the caller must know its rows itself.
func SceneReport(sceneID, first, second string) (perception string, infos []ReportInfo, ok bool) {
	switch sceneID {
	case SceneCashMarketing:
		return "活动奖励", []ReportInfo{{"活动名称", first}, {"奖励说明", second}}, true
	case SceneCommission:
		return "劳务报酬", []ReportInfo{{"岗位类型", first}, {"报酬说明", second}}, true
	}
	return "", nil, false
}

// TransferRequest is one transfer to one member. Sending the same request again (same
// OutBillNo, same fields) is safe: WeChat answers the bill it already has.
type TransferRequest struct {
	// OutBillNo is the payout's bill number: ≤ 32 letters and digits, fixed for the payout's
	// whole life.
	OutBillNo string
	OpenID    string // the member's openid under the client's AppID
	AmountFen int64
	// Remark is shown to the member (≤ 32 characters).
	Remark  string
	SceneID string
	// Perception is user_recv_perception, the reason the member sees; "" leaves WeChat's
	// default for the scene.
	Perception  string
	ReportInfos []ReportInfo
	// UserName is the member's real name in plain text, required from RealNameThresholdFen.
	// It is encrypted here (RSA-OAEP with the WeChat Pay key) and never logged.
	UserName string
	// NotifyURL receives the callback (WeChat requires HTTPS and no query).
	NotifyURL string
}

var (
	billNoRe = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
	// transfer_bill_no is WeChat's; it is a path segment, so keep it to letters and digits.
	transferBillNoRe = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
	sceneIDRe        = regexp.MustCompile(`^[0-9]{1,36}$`)
)

// check refuses, before sending, what WeChat would refuse for its shape. A refusal here means
// nothing was sent, so it is as definite as WeChat's own PARAM_ERROR.
func (r TransferRequest) check() *RefusedError {
	bad := func(msg string) *RefusedError {
		return &RefusedError{Op: OpCreate, Code: CodeParamError, Message: msg, Local: true}
	}
	runes := utf8.RuneCountInString
	switch {
	case !billNoRe.MatchString(r.OutBillNo):
		return bad("out_bill_no must be 1-32 letters or digits")
	case r.OpenID == "" || len(r.OpenID) > 128:
		return bad("openid is required")
	case r.AmountFen <= 0:
		return bad("transfer_amount must be positive")
	case r.Remark == "" || runes(r.Remark) > 32:
		return bad("transfer_remark must be 1-32 characters")
	case !sceneIDRe.MatchString(r.SceneID):
		return bad("transfer_scene_id must be digits")
	case runes(r.Perception) > 32:
		return bad("user_recv_perception is too long")
	case len(r.ReportInfos) == 0 || len(r.ReportInfos) > 10:
		return bad("transfer_scene_report_infos are required")
	case r.AmountFen >= RealNameThresholdFen && r.UserName == "":
		return bad("user_name is required from 2,000 yuan")
	case runes(r.UserName) > 64:
		return bad("user_name is too long")
	}
	for _, info := range r.ReportInfos {
		if n := runes(info.Type); n < 1 || n > 15 {
			return bad("info_type must be 1-15 characters")
		}
		if n := runes(info.Content); n < 1 || n > 32 {
			return bad("info_content must be 1-32 characters")
		}
	}
	if r.NotifyURL != "" {
		u, err := url.Parse(r.NotifyURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(r.NotifyURL) > 256 {
			return bad("notify_url must be an absolute URL without a query")
		}
	}
	return nil
}

// CreateTransfer asks WeChat for a transfer bill (POST /v3/fund-app/mch-transfer/transfer-bills).
// It answers the Bill (WAIT_USER_CONFIRM with PackageInfo, normally), a *RefusedError (no bill
// was made: fail the payout), or another error: unknown, so query OutBillNo later and never
// make a new bill for this payout.
func (c *Client) CreateTransfer(ctx context.Context, r TransferRequest) (Bill, error) {
	if err := r.check(); err != nil {
		return Bill{}, err
	}
	bm := gopay.BodyMap{
		"appid":                       c.m.cfg.AppID,
		"out_bill_no":                 r.OutBillNo,
		"transfer_scene_id":           r.SceneID,
		"openid":                      r.OpenID,
		"transfer_amount":             r.AmountFen,
		"transfer_remark":             r.Remark,
		"transfer_scene_report_infos": r.ReportInfos,
	}
	if r.Perception != "" {
		bm["user_recv_perception"] = r.Perception
	}
	if r.NotifyURL != "" {
		bm["notify_url"] = r.NotifyURL
	}
	if r.UserName != "" {
		name, err := c.encrypt(r.UserName)
		if err != nil {
			// Nothing was sent.
			return Bill{}, &RefusedError{Op: OpCreate, Code: CodeParamError, Message: "user_name could not be encrypted", Local: true}
		}
		bm["user_name"] = name
	}
	rsp, err := c.gp.V3TransferBills(ctx, bm)
	var rep *reply
	if rsp != nil {
		rep = &reply{status: rsp.Code, sign: rsp.SignInfo, errRsp: rsp.ErrResponse}
	}
	if err := c.classify(OpCreate, rep, err); err != nil {
		return Bill{}, err
	}
	a := rsp.Response
	switch {
	case a == nil || a.OutBillNo != r.OutBillNo:
		return Bill{}, badAnswer(OpCreate, "the answer is for another out_bill_no")
	case a.TransferBillNo == "" || !State(a.State).Known():
		return Bill{}, badAnswer(OpCreate, "the answer has no transfer_bill_no or an unknown state")
	}
	b := Bill{MchID: c.m.cfg.MchID, AppID: c.m.cfg.AppID, OutBillNo: a.OutBillNo, TransferBillNo: a.TransferBillNo,
		State: State(a.State), FailReason: a.FailReason, PackageInfo: a.PackageInfo}
	if b.CreateTime, err = parseTime(a.CreateTime); err != nil {
		return Bill{}, badAnswer(OpCreate, "create_time is not RFC 3339")
	}
	return b, nil
}

// encrypt seals a sensitive field the way WeChat Pay wants it: RSA-OAEP (SHA-1) under the key
// named in the request's Wechatpay-Serial.
func (c *Client) encrypt(plain string) (string, error) {
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, c.m.keys.byID[c.m.keys.preferred], []byte(plain), nil)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
