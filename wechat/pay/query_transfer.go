package pay

import (
	"context"

	wxv3 "github.com/go-pay/gopay/wechat/v3"
)

// QueryByOutBillNo asks for a bill by our number
// (GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}). It answers the Bill,
// a *RefusedError, or another error: unknown, ask again. Of the refusals only NotFound() says
// something about the bill (WeChat has none); any other leaves its state unknown. WeChat keeps
// bills queryable for 30 days.
func (c *Client) QueryByOutBillNo(ctx context.Context, outBillNo string) (Bill, error) {
	if !billNoRe.MatchString(outBillNo) {
		// Also keeps the path intact: gopay formats the number straight into it.
		return Bill{}, &RefusedError{Op: OpQuery, Code: CodeParamError, Message: "out_bill_no must be 1-32 letters or digits", Local: true}
	}
	rsp, err := c.gp.V3TransferBillsMerchantQuery(ctx, outBillNo)
	var rep *reply
	if rsp != nil {
		rep = &reply{status: rsp.Code, sign: rsp.SignInfo, errRsp: rsp.ErrResponse}
	}
	if err := c.classify(OpQuery, rep, err); err != nil {
		return Bill{}, err
	}
	// gopay's comments on the two query types are swapped; the fields are the same.
	a := rsp.Response
	if a == nil || a.OutBillNo != outBillNo {
		return Bill{}, badAnswer(OpQuery, "the answer is for another out_bill_no")
	}
	return c.queriedBill(queried(*a))
}

// QueryByTransferBillNo asks for a bill by WeChat's number
// (GET /v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{transfer_bill_no}), with the
// answers of QueryByOutBillNo.
func (c *Client) QueryByTransferBillNo(ctx context.Context, transferBillNo string) (Bill, error) {
	if !transferBillNoRe.MatchString(transferBillNo) {
		return Bill{}, &RefusedError{Op: OpQuery, Code: CodeParamError, Message: "transfer_bill_no must be letters or digits", Local: true}
	}
	rsp, err := c.gp.V3TransferBillsQuery(ctx, transferBillNo)
	var rep *reply
	if rsp != nil {
		rep = &reply{status: rsp.Code, sign: rsp.SignInfo, errRsp: rsp.ErrResponse}
	}
	if err := c.classify(OpQuery, rep, err); err != nil {
		return Bill{}, err
	}
	a := rsp.Response
	if a == nil || a.TransferBillNo != transferBillNo {
		return Bill{}, badAnswer(OpQuery, "the answer is for another transfer_bill_no")
	}
	return c.queriedBill(queried(*a))
}

// queried is the query answer (both query types have these fields).
type queried wxv3.TransferBillsMerchantQuery

func (c *Client) queriedBill(a queried) (Bill, error) {
	switch {
	case !State(a.State).Known():
		return Bill{}, badAnswer(OpQuery, "unknown state")
	case a.Mchid != "" && a.Mchid != c.m.cfg.MchID:
		return Bill{}, badAnswer(OpQuery, "the bill belongs to another merchant")
	case a.TransferAmount < 0 || a.OutBillNo == "" || a.TransferBillNo == "":
		return Bill{}, badAnswer(OpQuery, "the answer lacks the bill's numbers or amount")
	}
	b := Bill{MchID: a.Mchid, AppID: a.Appid, OutBillNo: a.OutBillNo, TransferBillNo: a.TransferBillNo,
		State: State(a.State), AmountFen: int64(a.TransferAmount), OpenID: a.Openid, FailReason: a.FailReason}
	var err error
	if b.CreateTime, err = parseTime(a.CreateTime); err != nil {
		return Bill{}, badAnswer(OpQuery, "create_time is not RFC 3339")
	}
	if b.UpdateTime, err = parseTime(a.UpdateTime); err != nil {
		return Bill{}, badAnswer(OpQuery, "update_time is not RFC 3339")
	}
	return b, nil
}
