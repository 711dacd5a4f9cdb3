// Package pay is the edge to WeChat Pay's merchant transfer API (商家转账, user-confirm mode,
// POST /v3/fund-app/mch-transfer/transfer-bills) and its MCHTRANSFER.BILL.FINISHED callbacks,
// for one brand's merchant at a time. It is built on github.com/go-pay/gopay (request signing,
// the HTTP calls) and adds what gopay leaves to the caller: every answer's signature checked
// with the key its Wechatpay-Serial names and within 5 minutes, callbacks verified before they
// are decrypted, and each answer sorted into one of three classes:
//
//   - a Bill: WeChat answered, signed, with the bill's state;
//   - a *RefusedError: WeChat definitely refused (PARAM_ERROR, INVALID_REQUEST, NO_AUTH,
//     NOT_ENOUGH, or NOT_FOUND for a query), in a signed answer. A refused create made no bill;
//   - any other error (an *UnknownError or anything else): the outcome is unknown (timeout, 5xx,
//     SYSTEM_ERROR, FREQUENCY_LIMITED, an unsigned or wrongly signed answer…). Query the same
//     out_bill_no later; never make a new bill for the same payout.
//
// The safe way to finish a payout whose create was unknown: QueryByOutBillNo. A Bill → follow
// its state. A NOT_FOUND refusal → send CreateTransfer again with the same out_bill_no and the
// same fields (WeChat answers the existing bill for a repeated out_bill_no, so this cannot make
// a second one). Anything else → still unknown, try again later.
//
// The package owns no state and stores nothing. It must never log or put in an error a
// private key, the APIv3 key, a user's real name or a callback's plaintext.
package pay
