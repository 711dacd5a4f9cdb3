package simulator

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// The member's side of a transfer and a look into the simulated WeChat Pay:
//
//	POST /_sim/control/transfers/{out_bill_no}/confirm {openid?}       the member confirms → SUCCESS
//	POST /_sim/control/transfers/{out_bill_no}/reject  {fail_reason?}  the transfer fails → FAIL
//	GET  /_sim/control/transfers/{out_bill_no}                          the bill and its callbacks
//	GET  /_sim/control/transfers?openid=&limit=&offset=                 bills, newest first

// defaultRejectReason is the fail_reason a reject gives unless the body names one.
const defaultRejectReason = "PAYEE_ACCOUNT_ABNORMAL"

var failReasonRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// transferView is a bill as the control endpoints show it.
type transferView struct {
	queryAnswer
	SceneID     string           `json:"transfer_scene_id"`
	PackageInfo string           `json:"package_info,omitempty"`
	NotifyURL   string           `json:"notify_url,omitempty"`
	HasUserName bool             `json:"has_user_name"`
	Callbacks   []deliveryRecord `json:"callbacks"`
}

func (p *payState) view(b *transferBill) transferView {
	v := transferView{queryAnswer: p.queryAnswer(b), SceneID: b.sceneID, NotifyURL: b.notifyURL,
		HasUserName: b.userName != "", Callbacks: append([]deliveryRecord{}, b.callbacks...)}
	if b.state == "WAIT_USER_CONFIRM" {
		v.PackageInfo = b.packageInfo
	}
	return v
}

type confirmRequest struct {
	OpenID     string `json:"openid"`
	FailReason string `json:"fail_reason"`
}

func (p *payState) controlConfirm(w http.ResponseWriter, r *http.Request) { p.decide(w, r, true) }
func (p *payState) controlReject(w http.ResponseWriter, r *http.Request)  { p.decide(w, r, false) }

// decide plays the member's answer on the confirm page opened with the bill's package_info.
func (p *payState) decide(w http.ResponseWriter, r *http.Request, confirm bool) {
	var req confirmRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "body must be empty or JSON {openid?, fail_reason?}: "+err.Error())
			return
		}
	}
	if req.FailReason != "" && !failReasonRe.MatchString(req.FailReason) {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "fail_reason must be an upper-case code like PAYEE_ACCOUNT_ABNORMAL")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.sim.clock.Now()
	p.sweep(now)
	b := p.bills[r.PathValue("out_bill_no")]
	if b == nil {
		writeControlError(w, http.StatusNotFound, "NOT_FOUND", "no transfer bill with this out_bill_no")
		return
	}
	p.promote(b)
	if b.state != "WAIT_USER_CONFIRM" {
		writeControlError(w, http.StatusConflict, "INVALID_STATE", "the bill is "+b.state+", not WAIT_USER_CONFIRM")
		return
	}
	if req.OpenID != "" && req.OpenID != b.openID {
		// WeChat lets only the bill's payee confirm it.
		writeControlError(w, http.StatusForbidden, "NOT_PAYEE", "only the bill's openid can confirm it")
		return
	}
	if confirm {
		b.state = "TRANSFERING" // passes at once here
		p.finish(b, "SUCCESS", "", now)
	} else {
		reason := req.FailReason
		if reason == "" {
			reason = defaultRejectReason
		}
		p.finish(b, "FAIL", reason, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"transfer": p.view(b)})
}

func (p *payState) controlTransfer(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweep(p.sim.clock.Now())
	b := p.bills[r.PathValue("out_bill_no")]
	if b == nil {
		writeControlError(w, http.StatusNotFound, "NOT_FOUND", "no transfer bill with this out_bill_no")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"transfer": p.view(b)})
}

// controlTransfers lists bills newest first, optionally one member's (openid), at most limit
// (default 50, at most 200), after skipping offset of them (paging through every bill).
func (p *payState) controlTransfers(w http.ResponseWriter, r *http.Request) {
	limit, offset := 50, 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "limit must be a positive number")
			return
		}
		limit = min(n, 200)
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "offset must be a whole number")
			return
		}
		offset = n
	}
	openID := r.URL.Query().Get("openid")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweep(p.sim.clock.Now())
	out := []transferView{}
	for i := len(p.order) - 1; i >= 0 && len(out) < limit; i-- {
		b := p.bills[p.order[i]]
		if b == nil || (openID != "" && b.openID != openID) {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		out = append(out, p.view(b))
	}
	writeJSON(w, http.StatusOK, map[string]any{"transfers": out})
}

// sweepingAdvancer closes the bills that a clock move takes past 24 hours at once, so their
// callbacks go out without waiting for a call.
type sweepingAdvancer struct {
	next ClockAdvancer
	p    *payState
}

func (a sweepingAdvancer) Advance(ctx context.Context, by time.Duration) (time.Duration, error) {
	off, err := a.next.Advance(ctx, by)
	if err == nil {
		a.p.mu.Lock()
		a.p.sweep(a.p.sim.clock.Now())
		a.p.mu.Unlock()
	}
	return off, err
}

// sweepAfterAdvance wraps the clock control; nil stays nil (the endpoint then answers 501).
func (p *payState) sweepAfterAdvance(next ClockAdvancer) ClockAdvancer {
	if next == nil {
		return nil
	}
	return sweepingAdvancer{next: next, p: p}
}
