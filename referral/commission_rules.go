package referral

import (
	"math/bits"
)

// CommissionParties are who a line's commission could go to.
type CommissionParties struct {
	BuyerID     string // the buyer's member id, "" when the buyer is not a member
	Tier1ID     string // the attributed sharer, "" when nobody
	RecruiterID string // the sharer's recruiter (tier 2), "" when none
}

// LineSplit is a line's commission per tier, in fen.
type LineSplit struct {
	Tier1Fen, Tier2Fen int64
	// Note says why a tier got nothing (self-purchase, no recruiter, cap), for the order view.
	Note string
}

// CommissionLine is what the rules need of a line.
type CommissionLine struct {
	ProductID, SKUID, ProductType string
	Quantity, PaidFen             int64
}

// Split computes a line's commission (pure; DESIGN §3.5): the SKU override or the product
// type's rate for tier 1, the tier-2 rate for the sharer's recruiter, each floored to the fen
// and never above what the line paid; then the line cap, trimming tier 2 first. Self-purchase
// pays nothing unless the plan allows it. There is never a tier 3: the recruiter's own recruiter
// is not an input.
func (p Plan) Split(l CommissionLine, who CommissionParties) LineSplit {
	if who.Tier1ID == "" || l.PaidFen <= 0 || l.Quantity <= 0 {
		return LineSplit{Note: "no beneficiary or nothing paid"}
	}
	var out LineSplit
	if who.Tier1ID == who.BuyerID && !p.SelfPurchase {
		return LineSplit{Note: "self-purchase: no commission (self_purchase is off)"}
	}
	r1, r2 := p.Types[p.TypeOf(l.ProductID, l.ProductType)], p.Tier2
	if o, ok := p.SKUs[l.SKUID]; ok && l.SKUID != "" {
		r1 = o.Tier1
		if o.Tier2 != nil {
			r2 = *o.Tier2
		}
	}
	out.Tier1Fen = r1.amount(l)
	switch {
	case who.RecruiterID == "":
	case who.RecruiterID == who.Tier1ID:
	case who.RecruiterID == who.BuyerID && !p.SelfPurchase:
		out.Note = "the recruiter is the buyer: no tier 2"
	default:
		out.Tier2Fen = r2.amount(l)
	}
	capFen := MulDivFloor(l.PaidFen, p.LineCapBPS, 10_000)
	if out.Tier1Fen+out.Tier2Fen > capFen {
		out.Note = "line cap applied"
		out.Tier1Fen = min(out.Tier1Fen, capFen)
		out.Tier2Fen = min(out.Tier2Fen, capFen-out.Tier1Fen)
	}
	return out
}

// amount is the rate applied to a line, floored, never above what the line paid.
func (r Rate) amount(l CommissionLine) int64 {
	var a int64
	switch {
	case r.BPS > 0:
		a = MulDivFloor(l.PaidFen, r.BPS, 10_000)
	case r.FixedFenPerUnit > 0:
		hi, lo := bits.Mul64(uint64(r.FixedFenPerUnit), uint64(l.Quantity))
		if hi != 0 || lo > uint64(l.PaidFen) {
			return l.PaidFen
		}
		a = int64(lo)
	}
	return min(a, l.PaidFen)
}

// ReversalFen is how much of a commission one refund takes back (pure; DESIGN §3.5):
// floor(commission × refund / paid), except that the refund which brings the line's refunds up
// to what it paid reverses exactly what is left, so a full refund always reverses the whole
// commission. Never more than what is left.
func ReversalFen(commissionFen, reversedFen, refundFen, paidFen, refundedBeforeFen int64) int64 {
	left := commissionFen - reversedFen
	if left <= 0 || refundFen <= 0 {
		return 0
	}
	if paidFen <= 0 || refundedBeforeFen+refundFen >= paidFen {
		return left
	}
	return min(left, MulDivFloor(commissionFen, refundFen, paidFen))
}

// MulDivFloor is floor(a × b / c) for non-negative a, b and positive c, exact in 128 bits
// (fen × fen overflows int64 long before amounts get unrealistic). It saturates at MaxInt64.
func MulDivFloor(a, b, c int64) int64 {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	if q > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(q)
}
