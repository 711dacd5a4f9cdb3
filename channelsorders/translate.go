package channelsorders

import (
	"time"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat/channels"
)

// paidOrder translates order/get into the intake's PaidOrder. Each SKU is one line (LineID =
// sku_id, which is also what an after-sale names, so refunds find their line); two entries of
// one SKU are merged. paid_fen is real_price, what the buyer paid for the line after
// discounts. The buyer and the sharer are identities under the shop's appid: members are
// matched through their unionid.
func paidOrder(o channels.Order, ev channels.Event) referral.PaidOrder {
	p := referral.PaidOrder{
		Source:     referral.SourceChannels,
		ExternalID: ev.OrderID(),
		Buyer:      referral.Identity{OpenID: o.OpenID, UnionID: o.UnionID},
		ShipCity:   o.City,
	}
	switch {
	case o.PayTime > 0:
		p.PaidAt = time.Unix(o.PayTime, 0)
	case ev.Order != nil && ev.Order.PayTime > 0:
		p.PaidAt = time.Unix(int64(ev.Order.PayTime), 0)
	}
	index := map[string]int{}
	for _, pr := range o.Products {
		if i, ok := index[pr.SKUID]; ok {
			p.Lines[i].Quantity += pr.Count
			p.Lines[i].PaidFen += pr.RealPrice
			continue
		}
		index[pr.SKUID] = len(p.Lines)
		p.Lines = append(p.Lines, referral.OrderLineInput{LineID: pr.SKUID, ProductID: pr.ProductID, SKUID: pr.SKUID,
			Quantity: pr.Count, PaidFen: pr.RealPrice})
	}
	p.Sharer = orderSharer(o)
	return p
}

// orderSharer is sharer_info, or else the one sharer every sku_sharer_infos entry names; zero
// when there is none or the SKUs name different sharers (the domain then attributes by
// binding or touch).
func orderSharer(o channels.Order) referral.Identity {
	if o.Sharer != nil {
		return referral.Identity{OpenID: o.Sharer.OpenID, UnionID: o.Sharer.UnionID}
	}
	var id referral.Identity
	for i, s := range o.SKUSharers {
		cur := referral.Identity{OpenID: s.OpenID, UnionID: s.UnionID}
		if i > 0 && cur != id {
			return referral.Identity{}
		}
		id = cur
	}
	return id
}

// afterSaleUpdate translates the after-sale detail (the source of truth: pushes can arrive out
// of order, the detail is the newest state) into the intake's update. A refund with no money
// (0 fen) ends the after-sale without one, so it is closed. products is the order's
// product_infos from order/get, read only when the detail names no sku_id (see refundLines).
func afterSaleUpdate(a channels.AfterSale, ev channels.Event, products []channels.OrderProduct) referral.AfterSaleUpdate {
	u := referral.AfterSaleUpdate{
		Source:      referral.SourceChannels,
		ExternalID:  a.OrderID,
		AfterSaleID: a.AfterSaleOrderID,
	}
	if u.ExternalID == "" {
		u.ExternalID = ev.OrderID()
	}
	if u.AfterSaleID == "" && ev.AfterSale != nil {
		u.AfterSaleID = string(ev.AfterSale.AfterSaleOrderID)
	}
	if a.UpdateTime > 0 {
		u.At = time.Unix(a.UpdateTime, 0)
	}
	switch channels.StatusOutcome(a.Status) {
	case channels.OutcomeRefunded:
		if a.RefundFen > 0 {
			u.State = referral.AfterSaleRefunded
			u.Lines = refundLines(a, products)
		} else {
			u.State = referral.AfterSaleClosed
		}
	case channels.OutcomeClosed:
		u.State = referral.AfterSaleClosed
	default:
		u.State = referral.AfterSaleOpen
	}
	return u
}

// refundLines names the order lines (LineID = sku_id, as paidOrder makes them) a refunded
// after-sale returns money on. The detail's sku_id when it has one; else the one line of its
// product_id when the order has a single SKU of that product; else the refund is of the whole
// order (an after-sale without a product, WECOM-CHANNELS.md §3): its amount is spread over the
// lines in proportion to what each paid, floored, the rest on the first lines with room.
// Empty when the order has no line that paid anything: the intake then refuses the update.
func refundLines(a channels.AfterSale, products []channels.OrderProduct) []referral.RefundLine {
	if a.SKUID != "" {
		return []referral.RefundLine{{LineID: a.SKUID, RefundFen: a.RefundFen}}
	}
	type line struct {
		sku, product string
		paidFen      int64
	}
	var lines []line
	index := map[string]int{}
	for _, p := range products {
		if p.SKUID == "" {
			continue
		}
		if i, ok := index[p.SKUID]; ok {
			lines[i].paidFen += p.RealPrice
			continue
		}
		index[p.SKUID] = len(lines)
		lines = append(lines, line{sku: p.SKUID, product: p.ProductID, paidFen: p.RealPrice})
	}
	if a.ProductID != "" {
		match := -1
		for i, l := range lines {
			if l.product != a.ProductID {
				continue
			}
			if match >= 0 {
				match = -1
				break
			}
			match = i
		}
		if match >= 0 {
			return []referral.RefundLine{{LineID: lines[match].sku, RefundFen: a.RefundFen}}
		}
	}
	var totalFen int64
	for _, l := range lines {
		totalFen += l.paidFen
	}
	if totalFen <= 0 {
		return nil
	}
	refund := min(a.RefundFen, totalFen)
	shares := make([]int64, len(lines))
	left := refund
	for i, l := range lines {
		shares[i] = referral.MulDivFloor(refund, l.paidFen, totalFen)
		left -= shares[i]
	}
	for i, l := range lines {
		if left == 0 {
			break
		}
		more := min(left, l.paidFen-shares[i])
		shares[i] += more
		left -= more
	}
	var out []referral.RefundLine
	for i, l := range lines {
		if shares[i] > 0 {
			out = append(out, referral.RefundLine{LineID: l.sku, RefundFen: shares[i]})
		}
	}
	return out
}
