package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/aftersale"
	"github.com/sharecast/sharecast/ent/order"
	"github.com/sharecast/sharecast/ent/orderattribution"
	"github.com/sharecast/sharecast/ent/orderline"
	"github.com/sharecast/sharecast/ent/parkedorderevent"
	"github.com/sharecast/sharecast/referral"
)

// Orders implements the stores of orders, attribution, binding, plans and the admin's member
// views (referral), and of API keys (brands). A type of its own so its method names stay
// apart from other areas'; *Store's methods (members, audit) are promoted.
type Orders struct{ *Store }

// Orders returns the order stores.
func (s *Store) Orders() *Orders { return &Orders{s} }

var (
	_ referral.OrderStore       = (*Orders)(nil)
	_ referral.MemberAdminStore = (*Orders)(nil)
)

func referralErr(err error) error { return memberErr(err) }

// Lock serialises transactions on key until the transaction ends: a transaction-scoped
// advisory lock on PostgreSQL; on SQLite the immediate transaction already holds the write lock.
func (o *Orders) Lock(ctx context.Context, key string) error {
	if !o.IsPostgres() {
		return nil
	}
	if _, ok := Tx(ctx); !ok {
		return fmt.Errorf("store: Lock(%q) outside a transaction", key)
	}
	_, err := o.sqlConn(ctx).ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
	return err
}

func toOrder(r *ent.Order, lines []*ent.OrderLine) referral.Order {
	o := referral.Order{ID: r.ID, BrandID: r.BrandID, Source: string(r.Source), ExternalID: r.ExternalID, BodyHash: r.BodyHash,
		Buyer: referral.Identity{OpenID: r.BuyerOpenid, UnionID: r.BuyerUnionid}, ShipCity: r.ShipCity, ShipCityNorm: r.ShipCityNorm,
		ShareCode: r.ShareCode, Sharer: referral.Identity{OpenID: r.SharerOpenid, UnionID: r.SharerUnionid},
		TotalPaidFen: r.TotalPaidFen, PaidAt: r.PaidAt, ConfirmedAt: r.ConfirmedAt, SettledAt: r.SettledAt,
		CancelledAt: r.CancelledAt, HoldEndsAt: r.HoldEndsAt, PlanVersion: r.PlanVersion,
		Attribution:        referral.Attribution{Rule: string(r.AttributionRule), Reason: r.AttributionReason},
		AttributionVersion: r.AttributionVersion, CreatedAt: r.CreatedAt}
	if r.BuyerMemberID != nil {
		o.BuyerMemberID = *r.BuyerMemberID
	}
	if r.LiveID != nil {
		o.LiveID = *r.LiveID
	}
	if r.AttributedMemberID != nil {
		o.Attribution.MemberID = *r.AttributedMemberID
	}
	for _, l := range lines {
		o.Lines = append(o.Lines, referral.OrderLine{ID: l.ID, LineID: l.LineID, ProductID: l.ProductID, SKUID: l.SkuID,
			ProductType: string(l.ProductType), Quantity: l.Quantity, PaidFen: l.PaidFen, RefundedFen: l.RefundedFen})
	}
	return o
}

func (o *Orders) withLines(ctx context.Context, r *ent.Order) (referral.Order, error) {
	lines, err := o.ent(ctx).OrderLine.Query().Where(orderline.BrandID(r.BrandID), orderline.OrderID(r.ID)).
		Order(ent.Asc(orderline.FieldID)).All(ctx)
	if err != nil {
		return referral.Order{}, err
	}
	return toOrder(r, lines), nil
}

// OrderByExternal reads an order by its door and external id.
func (o *Orders) OrderByExternal(ctx context.Context, brandID, source, externalID string) (referral.Order, error) {
	r, err := o.ent(ctx).Order.Query().Where(order.BrandID(brandID), order.SourceEQ(order.Source(source)),
		order.ExternalID(externalID)).Only(ctx)
	if err != nil {
		return referral.Order{}, referralErr(err)
	}
	return o.withLines(ctx, r)
}

// OrderByID reads an order of a brand.
func (o *Orders) OrderByID(ctx context.Context, brandID, id string) (referral.Order, error) {
	r, err := o.ent(ctx).Order.Query().Where(order.BrandID(brandID), order.ID(id)).Only(ctx)
	if err != nil {
		return referral.Order{}, referralErr(err)
	}
	return o.withLines(ctx, r)
}

// CreateOrder stores an order and its lines.
func (o *Orders) CreateOrder(ctx context.Context, in referral.Order) (referral.Order, error) {
	c := o.ent(ctx)
	b := c.Order.Create().SetBrandID(in.BrandID).SetSource(order.Source(in.Source)).SetExternalID(in.ExternalID).
		SetBodyHash(in.BodyHash).SetBuyerOpenid(in.Buyer.OpenID).SetBuyerUnionid(in.Buyer.UnionID).
		SetShipCity(truncate(in.ShipCity, 64)).SetShipCityNorm(truncate(in.ShipCityNorm, 64)).SetShareCode(in.ShareCode).
		SetSharerOpenid(in.Sharer.OpenID).SetSharerUnionid(in.Sharer.UnionID).SetTotalPaidFen(in.TotalPaidFen).
		SetPaidAt(in.PaidAt.UTC()).SetHoldEndsAt(in.HoldEndsAt.UTC()).SetPlanVersion(in.PlanVersion).
		SetAttributionRule(order.AttributionRule(in.Attribution.Rule)).SetAttributionVersion(in.AttributionVersion).
		SetAttributionReason(in.Attribution.Reason)
	if in.BuyerMemberID != "" {
		b.SetBuyerMemberID(in.BuyerMemberID)
	}
	if in.LiveID != "" {
		b.SetLiveID(in.LiveID)
	}
	if in.Attribution.MemberID != "" {
		b.SetAttributedMemberID(in.Attribution.MemberID)
	}
	r, err := b.Save(ctx)
	if err != nil {
		return referral.Order{}, referralErr(err)
	}
	bulk := make([]*ent.OrderLineCreate, len(in.Lines))
	for i, l := range in.Lines {
		bulk[i] = c.OrderLine.Create().SetBrandID(in.BrandID).SetOrderID(r.ID).SetLineID(l.LineID).SetProductID(l.ProductID).
			SetSkuID(l.SKUID).SetProductType(orderline.ProductType(l.ProductType)).SetQuantity(l.Quantity).SetPaidFen(l.PaidFen)
	}
	if _, err := c.OrderLine.CreateBulk(bulk...).Save(ctx); err != nil {
		return referral.Order{}, referralErr(err)
	}
	return o.withLines(ctx, r)
}

// UpdateOrder applies a patch.
func (o *Orders) UpdateOrder(ctx context.Context, brandID, id string, p referral.OrderPatch) error {
	u := o.ent(ctx).Order.Update().Where(order.BrandID(brandID), order.ID(id)).
		SetNillableConfirmedAt(utcp(p.ConfirmedAt)).SetNillableSettledAt(utcp(p.SettledAt)).SetNillableCancelledAt(utcp(p.CancelledAt)).
		SetNillableHoldEndsAt(utcp(p.HoldEndsAt))
	if p.Attribution != nil {
		u.SetAttributionRule(order.AttributionRule(p.Attribution.Rule)).SetAttributionReason(truncate(p.Attribution.Reason, 512)).
			SetAttributionVersion(p.AttributionVersion)
		if p.Attribution.MemberID != "" {
			u.SetAttributedMemberID(p.Attribution.MemberID)
		} else {
			u.ClearAttributedMemberID()
		}
	}
	n, err := u.Save(ctx)
	if err == nil && n == 0 {
		return referral.ErrNotFound
	}
	return referralErr(err)
}

// AddOrderAttribution appends an attribution version.
func (o *Orders) AddOrderAttribution(ctx context.Context, r referral.AttributionRecord) error {
	b := o.ent(ctx).OrderAttribution.Create().SetBrandID(r.BrandID).SetOrderID(r.OrderID).SetVersion(r.Version).
		SetRule(orderattribution.Rule(r.Attribution.Rule)).SetReason(truncate(r.Attribution.Reason, 512)).
		SetActorType(orderattribution.ActorType(r.ActorType)).SetActorID(r.ActorID).SetCreatedAt(r.CreatedAt.UTC())
	if r.Attribution.MemberID != "" {
		b.SetMemberID(r.Attribution.MemberID)
	}
	_, err := b.Save(ctx)
	return referralErr(err)
}

// OrderAttributions lists an order's attribution versions, oldest first.
func (o *Orders) OrderAttributions(ctx context.Context, brandID, orderID string) ([]referral.AttributionRecord, error) {
	rows, err := o.ent(ctx).OrderAttribution.Query().Where(orderattribution.BrandID(brandID), orderattribution.OrderID(orderID)).
		Order(ent.Asc(orderattribution.FieldVersion)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]referral.AttributionRecord, len(rows))
	for i, r := range rows {
		a := referral.Attribution{Rule: string(r.Rule), Reason: r.Reason}
		if r.MemberID != nil {
			a.MemberID = *r.MemberID
		}
		out[i] = referral.AttributionRecord{BrandID: r.BrandID, OrderID: r.OrderID, Version: r.Version, Attribution: a,
			ActorType: string(r.ActorType), ActorID: r.ActorID, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// AddLineRefund raises refunded_fen while it stays within what the line paid.
func (o *Orders) AddLineRefund(ctx context.Context, brandID, lineRowID string, fen int64) (bool, error) {
	n, err := o.execN(ctx, `UPDATE order_lines SET refunded_fen = refunded_fen + $1, updated_at = $2
		WHERE id = $3 AND brand_id = $4 AND refunded_fen + $1 <= paid_fen`, fen, time.Now().UTC(), lineRowID, brandID)
	return n == 1, err
}

func toAfterSale(r *ent.AfterSale) referral.AfterSale {
	a := referral.AfterSale{ID: r.ID, BrandID: r.BrandID, OrderID: r.OrderID, AfterSaleID: r.AfterSaleID, State: string(r.State),
		BodyHash: r.BodyHash, At: r.At}
	var lines []refundLineJSON
	_ = json.Unmarshal([]byte(r.Lines), &lines)
	for _, l := range lines {
		a.Lines = append(a.Lines, referral.RefundLine(l))
	}
	return a
}

type refundLineJSON struct {
	LineID    string `json:"line_id"`
	RefundFen int64  `json:"refund_fen"`
}

func linesJSON(ls []referral.RefundLine) string {
	out := make([]refundLineJSON, len(ls))
	for i, l := range ls {
		out[i] = refundLineJSON(l)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// AfterSaleByKey reads an after-sale by the door's id.
func (o *Orders) AfterSaleByKey(ctx context.Context, brandID, orderID, afterSaleID string) (referral.AfterSale, error) {
	r, err := o.ent(ctx).AfterSale.Query().Where(aftersale.BrandID(brandID), aftersale.OrderID(orderID),
		aftersale.AfterSaleID(afterSaleID)).Only(ctx)
	if err != nil {
		return referral.AfterSale{}, referralErr(err)
	}
	return toAfterSale(r), nil
}

// CreateAfterSale stores an after-sale; an open one blocks its lines (all lines when it names
// none).
func (o *Orders) CreateAfterSale(ctx context.Context, a referral.AfterSale) (referral.AfterSale, error) {
	r, err := o.ent(ctx).AfterSale.Create().SetBrandID(a.BrandID).SetOrderID(a.OrderID).SetAfterSaleID(a.AfterSaleID).
		SetState(aftersale.State(a.State)).SetLines(linesJSON(a.Lines)).SetBodyHash(a.BodyHash).SetAt(a.At.UTC()).Save(ctx)
	if err != nil {
		return referral.AfterSale{}, referralErr(err)
	}
	if a.State == referral.AfterSaleOpen {
		if err := o.blockLines(ctx, a.BrandID, a.OrderID, a.Lines, 1); err != nil {
			return referral.AfterSale{}, err
		}
		if err := o.lockPendingCommissions(ctx, a.BrandID, a.OrderID, a.Lines); err != nil {
			return referral.AfterSale{}, err
		}
	}
	return toAfterSale(r), nil
}

// lockPendingCommissions row-locks the pending commissions of the named lines (every line when
// none is named) until the transaction ends. A release (payouts.Book.release) flips the
// commission first and then reads the line's open_after_sales without a lock; under READ
// COMMITTED it could read the line before this after-sale commits and make the commission
// available while the after-sale is opening. Holding the commission rows makes such a release
// wait for this commit, then read the blocked line and back off; a release that got the row
// first makes this wait until it committed (released before the after-sale opened). Lock order
// is order_lines (blockLines) → commissions; release takes the commission and never locks the
// line, so there is no cycle. Raw SQL because the generated ent code has no ForUpdate (the
// sql/lock feature is off). On SQLite the write gate already serialises the two.
func (o *Orders) lockPendingCommissions(ctx context.Context, brandID, orderID string, lines []referral.RefundLine) error {
	if !o.IsPostgres() {
		return nil
	}
	q := o.ent(ctx).OrderLine.Query().Where(orderline.BrandID(brandID), orderline.OrderID(orderID))
	if len(lines) > 0 {
		ids := make([]string, len(lines))
		for i, l := range lines {
			ids[i] = l.LineID
		}
		q.Where(orderline.LineIDIn(ids...))
	}
	rowIDs, err := q.IDs(ctx)
	if err != nil || len(rowIDs) == 0 {
		return err
	}
	args := []any{brandID}
	in := ""
	for i, id := range rowIDs {
		if i > 0 {
			in += ", "
		}
		args = append(args, id)
		in += fmt.Sprintf("$%d", len(args))
	}
	rows, err := o.sqlConn(ctx).QueryContext(ctx, `SELECT id FROM commissions WHERE brand_id = $1 AND order_line_id IN (`+in+
		`) AND status = 'pending' ORDER BY id FOR UPDATE`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() { // the lock is the point; the ids are not needed
	}
	return rows.Err()
}

// MoveAfterSale moves an after-sale forward; leaving open unblocks the lines it blocked.
func (o *Orders) MoveAfterSale(ctx context.Context, brandID, id, from, to string, lines []referral.RefundLine, at time.Time) (bool, error) {
	c := o.ent(ctx)
	cur, err := c.AfterSale.Query().Where(aftersale.BrandID(brandID), aftersale.ID(id)).Only(ctx)
	if err != nil {
		return false, referralErr(err)
	}
	u := c.AfterSale.Update().Where(aftersale.BrandID(brandID), aftersale.ID(id), aftersale.StateEQ(aftersale.State(from))).
		SetState(aftersale.State(to)).SetAt(at.UTC())
	if lines != nil {
		u.SetLines(linesJSON(lines))
	}
	n, err := u.Save(ctx)
	if err != nil || n == 0 {
		return false, err
	}
	if from == referral.AfterSaleOpen && to != referral.AfterSaleOpen {
		if err := o.blockLines(ctx, brandID, cur.OrderID, toAfterSale(cur).Lines, -1); err != nil {
			return false, err
		}
	}
	return true, nil
}

// blockLines moves open_after_sales of the named lines (every line when none is named).
func (o *Orders) blockLines(ctx context.Context, brandID, orderID string, lines []referral.RefundLine, by int) error {
	u := o.ent(ctx).OrderLine.Update().Where(orderline.BrandID(brandID), orderline.OrderID(orderID))
	if len(lines) > 0 {
		ids := make([]string, len(lines))
		for i, l := range lines {
			ids[i] = l.LineID
		}
		u.Where(orderline.LineIDIn(ids...))
	}
	if by < 0 {
		u.Where(orderline.OpenAfterSalesGTE(-by))
	}
	_, err := u.AddOpenAfterSales(by).Save(ctx)
	return err
}

// OrderAfterSales lists an order's after-sales, oldest first.
func (o *Orders) OrderAfterSales(ctx context.Context, brandID, orderID string) ([]referral.AfterSale, error) {
	rows, err := o.ent(ctx).AfterSale.Query().Where(aftersale.BrandID(brandID), aftersale.OrderID(orderID)).
		Order(ent.Asc(aftersale.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]referral.AfterSale, len(rows))
	for i, r := range rows {
		out[i] = toAfterSale(r)
	}
	return out, nil
}

type parkedAfterSale struct {
	AfterSaleID string           `json:"after_sale_id"`
	State       string           `json:"state"`
	Lines       []refundLineJSON `json:"lines"`
}

// ParkEvent stores an early event.
func (o *Orders) ParkEvent(ctx context.Context, e referral.ParkedEvent) error {
	payload := "{}"
	if e.AfterSale != nil {
		p := parkedAfterSale{AfterSaleID: e.AfterSale.AfterSaleID, State: e.AfterSale.State}
		for _, l := range e.AfterSale.Lines {
			p.Lines = append(p.Lines, refundLineJSON(l))
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		payload = string(b)
	}
	_, err := o.ent(ctx).ParkedOrderEvent.Create().SetBrandID(e.BrandID).SetSource(parkedorderevent.Source(e.Source)).
		SetExternalID(e.ExternalID).SetKind(parkedorderevent.Kind(e.Kind)).SetKey(e.Key).SetPayload(payload).
		SetAt(e.At.UTC()).SetCreatedAt(time.Now().UTC()).Save(ctx)
	return referralErr(err)
}

// ParkedEvents lists the events waiting for an order, in arrival order.
func (o *Orders) ParkedEvents(ctx context.Context, brandID, source, externalID string) ([]referral.ParkedEvent, error) {
	rows, err := o.ent(ctx).ParkedOrderEvent.Query().Where(parkedorderevent.BrandID(brandID),
		parkedorderevent.SourceEQ(parkedorderevent.Source(source)), parkedorderevent.ExternalID(externalID)).
		Order(ent.Asc(parkedorderevent.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]referral.ParkedEvent, len(rows))
	for i, r := range rows {
		e := referral.ParkedEvent{ID: r.ID, BrandID: r.BrandID, Source: string(r.Source), ExternalID: r.ExternalID,
			Kind: string(r.Kind), Key: r.Key, At: r.At}
		if e.Kind == referral.ParkAfterSale {
			var p parkedAfterSale
			if err := json.Unmarshal([]byte(r.Payload), &p); err != nil {
				return nil, fmt.Errorf("store: parked event %s: %w", r.ID, err)
			}
			u := referral.AfterSaleUpdate{Source: e.Source, ExternalID: e.ExternalID, AfterSaleID: p.AfterSaleID, State: p.State, At: r.At}
			for _, l := range p.Lines {
				u.Lines = append(u.Lines, referral.RefundLine(l))
			}
			e.AfterSale = &u
		}
		out[i] = e
	}
	return out, nil
}

// DeleteParkedEvents drops applied events.
func (o *Orders) DeleteParkedEvents(ctx context.Context, brandID string, ids []string) error {
	_, err := o.ent(ctx).ParkedOrderEvent.Delete().Where(parkedorderevent.BrandID(brandID), parkedorderevent.IDIn(ids...)).Exec(ctx)
	return err
}

// utc keeps every stored time at one offset: SQLite compares times as text.
func utc(t time.Time) time.Time { return t.UTC() }

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
