package pay

import "context"

// CancelTransfer asks WeChat to cancel a bill the member has not confirmed yet
// (POST /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}/cancel). Cancelling is
// asynchronous: the Bill is usually CANCELING, and the final CANCELLED comes by callback or
// query. A *RefusedError means WeChat will not cancel (the bill is already final, or unknown:
// NotFound()); query to learn its state. Any other error is unknown: ask again or query.
func (c *Client) CancelTransfer(ctx context.Context, outBillNo string) (Bill, error) {
	if !billNoRe.MatchString(outBillNo) {
		return Bill{}, &RefusedError{Op: OpCancel, Code: CodeParamError, Message: "out_bill_no must be 1-32 letters or digits", Local: true}
	}
	rsp, err := c.gp.V3TransferBillsCancel(ctx, outBillNo)
	var rep *reply
	if rsp != nil {
		rep = &reply{status: rsp.Code, sign: rsp.SignInfo, errRsp: rsp.ErrResponse}
	}
	if err := c.classify(OpCancel, rep, err); err != nil {
		return Bill{}, err
	}
	a := rsp.Response
	switch {
	case a == nil || a.OutBillNo != outBillNo:
		return Bill{}, badAnswer(OpCancel, "the answer is for another out_bill_no")
	case !State(a.State).Known():
		return Bill{}, badAnswer(OpCancel, "unknown state")
	}
	b := Bill{MchID: c.m.cfg.MchID, AppID: c.m.cfg.AppID, OutBillNo: a.OutBillNo, TransferBillNo: a.TransferBillNo, State: State(a.State)}
	if b.UpdateTime, err = parseTime(a.UpdateTime); err != nil {
		return Bill{}, badAnswer(OpCancel, "update_time is not RFC 3339")
	}
	return b, nil
}
