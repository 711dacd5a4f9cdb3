package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// LiveNotice is the notice id of the demo brand's ended "demo live".
const LiveNotice = "demo-notice-live"

// LiveTitle is the ended demo live's title.
const LiveTitle = "Demo live 演示直播"

// The demo live's shape: a few hundred members, reservations through every channel over the
// three days before it, a four-hour live with most private inflow in its first 20 minutes,
// orders from several cities (most from outside the brand's Shanghai), a full and a partial
// refund.
const (
	liveInviters  = 12
	liveViewers   = 320
	liveOrders    = 140
	liveHours     = 4
	liveTarget    = 300
	liveBaseline  = 6 // sharer-attributed orders in the four hours before the start
	liveDaysAhead = 3
)

var liveChannels = []string{referral.ChannelGroup, referral.ChannelMoments, referral.ChannelOfficialAccount,
	referral.ChannelWeComOneToOne, referral.ChannelPoster, referral.ChannelOther}

// cities the demo orders ship to, with weights: about a quarter local, a few without a city.
var liveCities = []struct {
	name   string
	weight int
}{
	{"上海市", 14}, {"上海", 8}, {"杭州市", 14}, {"北京", 12}, {"南京市", 10}, {"苏州", 9}, {"成都市", 8},
	{"广州市", 8}, {"深圳", 7}, {"武汉市", 5}, {"", 5},
}

var liveTypes = []struct {
	typ      string
	minFen   int64
	spanFen  int64
	quantity int64
}{
	{referral.ProductFlashSale, 990, 3000, 1},
	{referral.ProductClassic, 9900, 20000, 1},
	{referral.ProductProfit, 15900, 40000, 1},
	{referral.ProductExclusive, 29900, 60000, 1},
}

// demoPlan is the demo brand's commission plan: 5% flash sale, 8% classic, 15% profit, 10%
// exclusive, 3% for the recruiter, at most 30% of a line.
func demoPlan() referral.Plan {
	return referral.Plan{Types: map[string]referral.Rate{
		referral.ProductFlashSale: {BPS: 500}, referral.ProductClassic: {BPS: 800},
		referral.ProductProfit: {BPS: 1500}, referral.ProductExclusive: {BPS: 1000}},
		Tier2: referral.Rate{BPS: 300}, LineCapBPS: 3000}
}

// SeedLive gives the demo brand its ended "demo live" with everything the dashboard shows.
// Reservations and touches are written with the times they would have had (the use cases
// stamp "now"); orders and refunds go through the orders domain, so attribution, commissions
// and the ledger are real. It runs once: a demo live that exists is left alone.
func SeedLive(ctx context.Context, st *store.Store, sh *referral.Sharing, orders *referral.Orders, brandID string, now time.Time) error {
	if _, err := st.LiveByNoticeID(ctx, brandID, LiveNotice); err == nil {
		return nil
	} else if !errors.Is(err, referral.ErrNotFound) {
		return err
	}
	rng := rand.New(rand.NewPCG(20261201, 7))
	start := now.UTC().Add(-26 * time.Hour).Truncate(time.Hour)
	end := start.Add(liveHours * time.Hour)
	opened := start.Add(-liveDaysAhead * 24 * time.Hour)

	// The plan is in force from before the reservations opened, so every order earns.
	past := *orders
	past.Clock = clock.NewFixed(opened.Add(-time.Hour))
	if _, err := past.SetCommissionPlan(ctx, brands.CLIActor, brandID, demoPlan()); err != nil {
		return err
	}

	liveID, err := st.CreateLive(ctx, store.NewLive{BrandID: brandID, Title: LiveTitle, NoticeID: LiveNotice,
		FinderUserName: "sph_demo_finder", PlannedStartAt: start, TargetReservations: liveTarget, Status: "reservable"})
	if err != nil {
		return err
	}
	quiet := sh.Quiet()

	// Inviters and their links, one per channel.
	type inviter struct {
		m     referral.Member
		links map[string]referral.ShareLink
	}
	invs := make([]inviter, liveInviters)
	names := []string{"小红", "阿杰", "Lily", "王姐", "老周", "米粒", "Coco", "大壮", "晓晓", "Tony", "阿芳", "豆豆"}
	for i := range invs {
		m, err := demoMember(ctx, st, brandID, fmt.Sprintf("demo-live-inviter-%02d", i), names[i%len(names)], true)
		if err != nil {
			return err
		}
		links, err := quiet.Links(ctx, brandID, m.ID, liveID, referral.LinksInput{Group: demoGroup})
		if err != nil {
			return err
		}
		byCh := map[string]referral.ShareLink{}
		for _, l := range links {
			byCh[l.Channel] = l
		}
		invs[i] = inviter{m: m, links: byCh}
	}

	// Viewers: most reserved through an inviter's link, some on their own; a few flagged for
	// review, cancelled or voided.
	viewers := make([]referral.Member, liveViewers)
	viewerInviter := make([]int, liveViewers)
	span := start.Sub(opened)
	for i := range viewers {
		v, err := demoMember(ctx, st, brandID, fmt.Sprintf("demo-live-viewer-%03d", i), fmt.Sprintf("观众%03d", i), true)
		if err != nil {
			return err
		}
		viewers[i] = v
		// Earlier inviters bring more (a skewed board).
		inv := min(int(rng.ExpFloat64()*3), liveInviters-1)
		viewerInviter[i] = inv
		at := opened.Add(time.Duration(float64(span) * (1 - rng.Float64()*rng.Float64()))) // more near the start
		r := referral.Reservation{BrandID: brandID, LiveID: liveID, ViewerID: v.ID, Status: referral.ReservationReserved,
			Risk: referral.RiskClear, LastState: referral.StateReserved, CreatedAt: at, UpdatedAt: at}
		if i%11 != 0 { // every 11th reserved on their own
			ch := liveChannels[(i+inv)%len(liveChannels)]
			l := invs[inv].links[ch]
			r.InviterID, r.Code, r.Channel, r.Group = invs[inv].m.ID, l.Code, l.Channel, l.Group
		}
		switch {
		case r.InviterID == "":
			r.Reason = referral.ReasonNoInviter
		case i%37 == 5:
			r.Risk, r.Reason = referral.RiskReview, referral.ReasonRiskReview
		case i%53 == 7:
			r.Status, r.Reason = referral.ReservationCancelled, referral.ReasonCancelled
		case i%97 == 9:
			r.Status, r.Reason = referral.ReservationVoid, referral.ReasonVoided
		default:
			r.Counted = true
			r.CountedAt = &at
		}
		if _, err := st.CreateReservation(ctx, r); err != nil {
			return err
		}
	}

	// Private inflow: opens of the links during the live, most in the first 20 minutes.
	for i := 0; i < 2*liveViewers; i++ {
		vi := rng.IntN(liveViewers)
		inv := invs[viewerInviter[vi]]
		ch := liveChannels[rng.IntN(len(liveChannels))]
		var off time.Duration
		if i%3 != 0 {
			off = time.Duration(rng.Float64() * float64(20*time.Minute))
		} else {
			off = time.Duration(rng.Float64() * float64(end.Sub(start)))
		}
		l := inv.links[ch]
		if err := st.CreateTouch(ctx, referral.Touch{BrandID: brandID, LiveID: liveID, LinkID: l.ID, InviterID: inv.m.ID,
			VisitorID: viewers[vi].ID, Channel: l.Channel, Group: l.Group, CreatedAt: start.Add(off)}); err != nil {
			return err
		}
	}

	// The live happened.
	started, ended, status := start, end, "ended"
	if _, err := st.UpdateLive(ctx, brandID, liveID, "reservable", referral.LivePatch{Status: &status,
		ActualStartAt: &started, EndedAt: &ended}); err != nil {
		return err
	}

	// Orders during the live.
	pickCity := func() string {
		total := 0
		for _, c := range liveCities {
			total += c.weight
		}
		n := rng.IntN(total)
		for _, c := range liveCities {
			if n < c.weight {
				return c.name
			}
			n -= c.weight
		}
		return ""
	}
	pay := func(ext string, buyer referral.Member, code string, at time.Time, live string) (referral.PaidOrder, error) {
		nl := 1 + rng.IntN(2)
		o := referral.PaidOrder{Source: referral.SourceOpenAPI, ExternalID: ext, Buyer: referral.Identity{OpenID: buyer.OpenID},
			ShipCity: pickCity(), PaidAt: at, LiveID: live, ShareCode: code}
		for j := range nl {
			t := liveTypes[rng.IntN(len(liveTypes))]
			o.Lines = append(o.Lines, referral.OrderLineInput{LineID: fmt.Sprintf("L%d", j+1), ProductID: "demo-" + t.typ,
				SKUID: fmt.Sprintf("demo-%s-%d", t.typ, j), ProductType: t.typ, Quantity: t.quantity,
				PaidFen: t.minFen + rng.Int64N(t.spanFen/100)*100})
		}
		_, _, err := orders.RecordPaid(ctx, brandID, o)
		return o, err
	}
	var paid []referral.PaidOrder
	for i := range liveOrders {
		vi := rng.IntN(liveViewers)
		code := ""
		if i%5 != 0 {
			inv := invs[viewerInviter[vi]]
			code = inv.links[liveChannels[rng.IntN(len(liveChannels))]].Code
		}
		// Sales come early: the first 30 minutes decide the rest.
		off := time.Duration(rng.Float64() * rng.Float64() * float64(end.Sub(start)))
		o, err := pay(fmt.Sprintf("demo-live-%03d", i), viewers[vi], code, start.Add(off), liveID)
		if err != nil {
			return err
		}
		paid = append(paid, o)
	}

	// The baseline: buyers who opened a sharer's link a day before the live and ordered in
	// the hours before it (no live; attributed through the binding the open made), so
	// incremental GMV has something to subtract.
	for i := range liveBaseline {
		vi := 1 + i*7
		inv := invs[viewerInviter[vi]]
		l := inv.links[referral.ChannelMoments]
		if err := st.CreateTouch(ctx, referral.Touch{BrandID: brandID, LiveID: liveID, LinkID: l.ID, InviterID: inv.m.ID,
			VisitorID: viewers[vi].ID, Channel: l.Channel, Group: l.Group, CreatedAt: start.Add(-24 * time.Hour)}); err != nil {
			return err
		}
		at := start.Add(-time.Duration(1+rng.IntN(230)) * time.Minute)
		if _, err := pay(fmt.Sprintf("demo-base-%03d", i), viewers[vi], "", at, ""); err != nil {
			return err
		}
	}

	// A full refund of one order and a partial refund of another's first line.
	full, part := paid[3], paid[8]
	var lines []referral.RefundLine
	for _, l := range full.Lines {
		lines = append(lines, referral.RefundLine{LineID: l.LineID, RefundFen: l.PaidFen})
	}
	if _, err := orders.ApplyAfterSale(ctx, brandID, referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: full.ExternalID,
		AfterSaleID: "demo-refund-full", State: referral.AfterSaleRefunded, Lines: lines, At: end.Add(2 * time.Hour)}); err != nil {
		return err
	}
	_, err = orders.ApplyAfterSale(ctx, brandID, referral.AfterSaleUpdate{Source: referral.SourceOpenAPI, ExternalID: part.ExternalID,
		AfterSaleID: "demo-refund-part", State: referral.AfterSaleRefunded,
		Lines: []referral.RefundLine{{LineID: part.Lines[0].LineID, RefundFen: part.Lines[0].PaidFen / 2}}, At: end.Add(3 * time.Hour)})
	return err
}
