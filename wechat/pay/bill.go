package pay

import "time"

// State is a transfer bill's state at WeChat (reference/WECHAT.md §5).
type State string

// The states WeChat documents. Only SUCCESS, FAIL and CANCELLED are final.
const (
	StateAccepted        State = "ACCEPTED"          // accepted; a repeated create answers it again
	StateProcessing      State = "PROCESSING"        // locking the merchant's funds
	StateWaitUserConfirm State = "WAIT_USER_CONFIRM" // the member can open the confirm page
	StateTransfering     State = "TRANSFERING"       // confirmed, result not yet known
	StateSuccess         State = "SUCCESS"           // paid
	StateFail            State = "FAIL"              // failed (also: unconfirmed for 24 h)
	StateCanceling       State = "CANCELING"         // cancel accepted, in progress
	StateCancelled       State = "CANCELLED"         // cancelled
)

// Known reports whether s is a state WeChat documents.
func (s State) Known() bool {
	switch s {
	case StateAccepted, StateProcessing, StateWaitUserConfirm, StateTransfering,
		StateSuccess, StateFail, StateCanceling, StateCancelled:
		return true
	}
	return false
}

// Final reports whether the bill can no longer change.
func (s State) Final() bool { return s == StateSuccess || s == StateFail || s == StateCancelled }

// Bill is what WeChat said about one transfer bill. Which fields are set depends on the call:
// a create answers OutBillNo, TransferBillNo, State, CreateTime, FailReason and (only in
// WAIT_USER_CONFIRM) PackageInfo; a query answers everything but PackageInfo; a cancel answers
// OutBillNo, TransferBillNo, State and UpdateTime; a callback everything but AppID and
// PackageInfo.
type Bill struct {
	MchID          string
	AppID          string
	OutBillNo      string
	TransferBillNo string
	State          State
	AmountFen      int64
	OpenID         string
	FailReason     string
	// PackageInfo is what the mini-program passes to wx.requestMerchantTransfer as package,
	// with the merchant's mch_id and the appid. WeChat gives it only in the create's answer
	// (a repeated create with the same out_bill_no answers it again).
	PackageInfo string
	CreateTime  time.Time
	UpdateTime  time.Time
}
