// Package analytics computes the per-live numbers live teams track by hand (DESIGN.md §3.7):
// reservations (total, counted, flagged, by channel, by inviter, the curve against the
// target), private inflow per minute in the live window with the first 20 minutes marked, GMV
// of the live net of refunds (by product type, by sharer), the out-of-city share, incremental
// GMV against a baseline window, and commission cost.
//
// Every number comes from an SQL aggregate behind Source (store/live_stats.go); nothing is
// estimated. Where there is no source (a live that never started has no window, a brand
// without a city has no out-of-city share) the number is absent (nil), not zero. Money is
// int64 fen; shares are basis points; ratios are integers in hundredths.
package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/referral"
)

// FirstMinutes is the early window of private inflow the platform weighs most (DESIGN §0).
const FirstMinutes = 20

// MaxInflowMinutes caps the per-minute series (a live runs 4–6 hours; a day is plenty).
const MaxInflowMinutes = 24 * 60

// MaxCurvePoints caps the reservation curve's points (hourly buckets are merged beyond it).
const MaxCurvePoints = 240

// TopN is how many inviters and sharers the stats list.
const TopN = 20

// CacheTTL is how long the stats of a live that is on air stay cached.
const CacheTTL = 10 * time.Second

// LiveInfo is what the stats need of a live.
type LiveInfo struct {
	ID, BrandID, Title, Status string
	TargetReservations         int64
	PlannedStartAt             time.Time
	ActualStartAt, EndedAt     *time.Time
}

// ReservationCounts are one live's reservations by state.
type ReservationCounts struct {
	Total     int64 `json:"total"`     // every reservation row of the live
	Reserved  int64 `json:"reserved"`  // status reserved
	Counted   int64 `json:"counted"`   // reserved ∧ clear ∧ inviter ≠ viewer
	Flagged   int64 `json:"flagged"`   // risk review (awaiting an operator)
	Cancelled int64 `json:"cancelled"` // status cancelled
	Voided    int64 `json:"voided"`    // status void
	Organic   int64 `json:"organic"`   // without an inviter
}

// ChannelCount is the reservations of one channel ("" is organic: no share code).
type ChannelCount struct {
	Channel string `json:"channel"`
	Total   int64  `json:"total"`
	Counted int64  `json:"counted"`
}

// InviterCount is one inviter's reservations.
type InviterCount struct {
	MemberID string `json:"member_id"`
	Nickname string `json:"nickname"`
	Total    int64  `json:"total"`
	Counted  int64  `json:"counted"`
	Flagged  int64  `json:"flagged"`
}

// Bucket is a count at the start of a time bucket.
type Bucket struct {
	At    time.Time
	Count int64
}

// CurvePoint is the cumulative counted reservations at a time.
type CurvePoint struct {
	At         time.Time `json:"at"`
	Cumulative int64     `json:"cumulative"`
}

// MinuteCount is the distinct visitors who opened a share link in one minute of the live.
type MinuteCount struct {
	Minute   int   `json:"minute"` // minutes since the start, 0-based
	Visitors int64 `json:"visitors"`
	First    bool  `json:"first"` // inside the first FirstMinutes
}

// TypeGMV is GMV of one product type.
type TypeGMV struct {
	ProductType string `json:"product_type"`
	PaidFen     int64  `json:"paid_fen"`
	RefundedFen int64  `json:"refunded_fen"`
	NetFen      int64  `json:"net_fen"`
}

// SharerGMV is the net GMV attributed to one sharer ("" member: attributed to nobody).
type SharerGMV struct {
	MemberID string `json:"member_id"`
	Nickname string `json:"nickname"`
	Orders   int64  `json:"orders"`
	NetFen   int64  `json:"net_fen"`
}

// CityRow is one order's city and money as the out-of-city share needs it: aggregated by
// normalised city in SQL (one row per city).
type CityRow struct {
	CityNorm string
	Orders   int64
	NetFen   int64
}

// LiveGMV is the live's money by product type, by sharer and by city.
type LiveGMV struct {
	ByType   []TypeGMV
	BySharer []SharerGMV
	ByCity   []CityRow
}

// Window is a half-open time range [From, To).
type Window struct{ From, To time.Time }

// Source is the SQL side (store.LiveStats). Every method is one aggregate query scoped to the
// brand; a live of another brand is NOT_FOUND.
type Source interface {
	LiveInfo(ctx context.Context, brandID, liveID string) (LiveInfo, error)
	ReservationCounts(ctx context.Context, brandID, liveID string) (ReservationCounts, error)
	ReservationsByChannel(ctx context.Context, brandID, liveID string) ([]ChannelCount, error)
	TopInviters(ctx context.Context, brandID, liveID string, n int) ([]InviterCount, error)
	// CountedByHour is the counted reservations by the hour (UTC) they became counted.
	CountedByHour(ctx context.Context, brandID, liveID string) ([]Bucket, error)
	// InflowByMinute is the distinct visitors per minute of w (touches of the live's links).
	InflowByMinute(ctx context.Context, brandID, liveID string, w Window) ([]Bucket, error)
	// DistinctVisitors is the distinct visitors in w.
	DistinctVisitors(ctx context.Context, brandID, liveID string, w Window) (int64, error)
	// LiveGMV reads the live's orders once: GMV by product type, the n sharers with the most
	// net GMV (largest first; "" = attributed to nobody), and the orders that are not fully
	// refunded by normalised city.
	LiveGMV(ctx context.Context, brandID, liveID string, n int) (LiveGMV, error)
	// SharerGMVIn is the net GMV of sharer-attributed orders paid in w (any live).
	SharerGMVIn(ctx context.Context, brandID string, w Window) (int64, error)
	// LiveOtherGMVIn is the net GMV of the live's orders paid in w attributed to nobody.
	LiveOtherGMVIn(ctx context.Context, brandID, liveID string, w Window) (int64, error)
	// Commission is the live's commissions: accrued and what is left after reversals.
	Commission(ctx context.Context, brandID, liveID string) (accruedFen, netFen int64, err error)
}

// Cache keeps computed stats briefly (Redis). Get answers ok=false for a miss.
type Cache interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, value string, ttl time.Duration) error
}

// BrandReader gives the brand's city.
type BrandReader interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
}

// Clock is the application's "now".
type Clock interface{ Now() time.Time }

// Service computes stats.
type Service struct {
	Source Source
	Brands BrandReader
	Cache  Cache // nil: no caching
	Clock  Clock
}

// Query asks for one live's stats. A zero baseline means the window of the live's length
// right before its start.
type Query struct {
	BrandID, LiveID          string
	BaselineFrom, BaselineTo *time.Time
}

// Stats are one live's numbers (GET /admin/v1/lives/{id}/stats).
type Stats struct {
	LiveID       string            `json:"live_id"`
	Status       string            `json:"status"`
	GeneratedAt  time.Time         `json:"generated_at"`
	Window       *WindowJSON       `json:"window"` // nil before the live starts
	Reservations ReservationStats  `json:"reservations"`
	Inflow       *InflowStats      `json:"inflow"` // nil before the live starts
	GMV          GMVStats          `json:"gmv"`
	OutOfCity    *OutOfCityStats   `json:"out_of_city"`     // nil when the brand has no city
	Incremental  *IncrementalStats `json:"incremental_gmv"` // nil before the live starts
	Commission   CommissionStats   `json:"commission"`
}

// WindowJSON is a window as the API shows it; Open is true while the live is on air (To is
// then the time of the computation).
type WindowJSON struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Open    bool      `json:"open"`
	Minutes int       `json:"minutes"`
}

// ReservationStats groups the reservation numbers.
type ReservationStats struct {
	ReservationCounts
	Target    int64          `json:"target"`
	ByChannel []ChannelCount `json:"by_channel"`
	ByInviter []InviterCount `json:"by_inviter"`
	Curve     []CurvePoint   `json:"curve"`
}

// InflowStats is private inflow in the live window.
type InflowStats struct {
	PerMinute            []MinuteCount `json:"per_minute"`
	FirstMinutes         int           `json:"first_minutes"`
	FirstMinutesVisitors int64         `json:"first_minutes_visitors"`
	Visitors             int64         `json:"visitors"`
	Truncated            bool          `json:"truncated"`
}

// GMVStats is the live's GMV net of refunds.
type GMVStats struct {
	PaidFen     int64       `json:"paid_fen"`
	RefundedFen int64       `json:"refunded_fen"`
	NetFen      int64       `json:"net_fen"`
	ByType      []TypeGMV   `json:"by_type"`
	BySharer    []SharerGMV `json:"by_sharer"`
}

// OutOfCityStats is the out-of-city share of the live's orders.
type OutOfCityStats struct {
	BrandCity     string `json:"brand_city"`
	Orders        int64  `json:"orders"` // with a city, not fully refunded
	OutOrders     int64  `json:"out_orders"`
	OrdersShareBP int64  `json:"orders_share_bp"`
	NetFen        int64  `json:"net_fen"`
	OutNetFen     int64  `json:"out_net_fen"`
	GMVShareBP    int64  `json:"gmv_share_bp"`
	NoCityOrders  int64  `json:"no_city_orders"`
	NoCityNetFen  int64  `json:"no_city_net_fen"`
}

// IncrementalStats is incremental GMV = sharer-attributed GMV + the live's other GMV in the
// live window − sharer-attributed GMV of the baseline window.
type IncrementalStats struct {
	SharerFen         int64     `json:"sharer_fen"`
	LiveOtherFen      int64     `json:"live_other_fen"`
	BaselineFrom      time.Time `json:"baseline_from"`
	BaselineTo        time.Time `json:"baseline_to"`
	BaselineSharerFen int64     `json:"baseline_sharer_fen"`
	IncrementalFen    int64     `json:"incremental_fen"`
}

// CommissionStats is the commission cost of the live's orders.
type CommissionStats struct {
	AccruedFen int64 `json:"accrued_fen"`
	NetFen     int64 `json:"net_fen"` // after reversals
	// GMVPerCommissionX100 is floor(GMV net × 100 / commission net): GMV per fen of
	// commission in hundredths; nil without commission.
	GMVPerCommissionX100 *int64 `json:"gmv_per_commission_x100"`
}

// ShareBP is part/total in basis points, rounded half up; 0 when total is 0.
func ShareBP(part, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return (part*10000*2 + total) / (2 * total)
}

// Live answers one live's stats, cached briefly while it is on air.
func (s *Service) Live(ctx context.Context, q Query) (Stats, error) {
	if (q.BaselineFrom == nil) != (q.BaselineTo == nil) {
		return Stats{}, apperr.InvalidArgument("baseline_from and baseline_to go together")
	}
	if q.BaselineFrom != nil && !q.BaselineFrom.Before(*q.BaselineTo) {
		return Stats{}, apperr.InvalidArgument("baseline_from must be before baseline_to")
	}
	live, err := s.Source.LiveInfo(ctx, q.BrandID, q.LiveID)
	if err != nil {
		return Stats{}, err
	}
	key := cacheKey(q)
	onAir := live.Status == "live"
	if onAir && s.Cache != nil {
		if v, ok, err := s.Cache.Get(ctx, key); err == nil && ok {
			var e cacheEntry
			// The entry carries its own time: an in-process Redis (miniredis) does not expire
			// keys by itself, and a stale dashboard is worse than a recompute.
			if json.Unmarshal([]byte(v), &e) == nil && time.Since(time.Unix(0, e.At)) < CacheTTL {
				return e.Stats, nil
			}
		}
	}
	st, err := s.compute(ctx, live, q)
	if err != nil {
		return Stats{}, err
	}
	if onAir && s.Cache != nil {
		if b, err := json.Marshal(cacheEntry{At: time.Now().UnixNano(), Stats: st}); err == nil {
			_ = s.Cache.Set(ctx, key, string(b), CacheTTL) // a cache failure only costs a recompute
		}
	}
	return st, nil
}

// cacheEntry is what the cache holds: the stats and when they were computed (wall time).
type cacheEntry struct {
	At    int64 `json:"at"`
	Stats Stats `json:"stats"`
}

func cacheKey(q Query) string {
	k := fmt.Sprintf("stats:{%s}:%s", q.BrandID, q.LiveID)
	if q.BaselineFrom != nil {
		k += fmt.Sprintf(":%d:%d", q.BaselineFrom.Unix(), q.BaselineTo.Unix())
	}
	return k
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now().UTC()
}

func (s *Service) compute(ctx context.Context, live LiveInfo, q Query) (Stats, error) {
	now := s.now()
	st := Stats{LiveID: live.ID, Status: live.Status, GeneratedAt: now}
	var err error
	// Reservations.
	if st.Reservations.ReservationCounts, err = s.Source.ReservationCounts(ctx, q.BrandID, live.ID); err != nil {
		return Stats{}, err
	}
	st.Reservations.Target = live.TargetReservations
	if st.Reservations.ByChannel, err = s.Source.ReservationsByChannel(ctx, q.BrandID, live.ID); err != nil {
		return Stats{}, err
	}
	if st.Reservations.ByInviter, err = s.Source.TopInviters(ctx, q.BrandID, live.ID, TopN); err != nil {
		return Stats{}, err
	}
	hours, err := s.Source.CountedByHour(ctx, q.BrandID, live.ID)
	if err != nil {
		return Stats{}, err
	}
	st.Reservations.Curve = Curve(hours, MaxCurvePoints)

	// The live window: from the actual start to the end (or now while on air).
	var w *Window
	if live.ActualStartAt != nil {
		to := now
		open := true
		if live.EndedAt != nil {
			to, open = live.EndedAt.UTC(), false
		}
		from := live.ActualStartAt.UTC()
		if to.Before(from) {
			to = from
		}
		w = &Window{From: from, To: to}
		st.Window = &WindowJSON{From: from, To: to, Open: open, Minutes: int(to.Sub(from) / time.Minute)}
	}

	if w != nil {
		in := &InflowStats{FirstMinutes: FirstMinutes}
		iw := *w
		if iw.To.Sub(iw.From) > MaxInflowMinutes*time.Minute {
			iw.To = iw.From.Add(MaxInflowMinutes * time.Minute)
			in.Truncated = true
		}
		minutes, err := s.Source.InflowByMinute(ctx, q.BrandID, live.ID, iw)
		if err != nil {
			return Stats{}, err
		}
		in.PerMinute = PerMinute(iw, minutes)
		first := Window{From: w.From, To: minTime(w.To, w.From.Add(FirstMinutes*time.Minute))}
		if in.FirstMinutesVisitors, err = s.Source.DistinctVisitors(ctx, q.BrandID, live.ID, first); err != nil {
			return Stats{}, err
		}
		if in.Visitors, err = s.Source.DistinctVisitors(ctx, q.BrandID, live.ID, *w); err != nil {
			return Stats{}, err
		}
		st.Inflow = in
	}

	// GMV of the live's orders, net of refunds; the out-of-city share from the same read.
	g, err := s.Source.LiveGMV(ctx, q.BrandID, live.ID, TopN)
	if err != nil {
		return Stats{}, err
	}
	st.GMV.ByType, st.GMV.BySharer = g.ByType, g.BySharer
	for _, t := range st.GMV.ByType {
		st.GMV.PaidFen += t.PaidFen
		st.GMV.RefundedFen += t.RefundedFen
		st.GMV.NetFen += t.NetFen
	}
	b, err := s.Brands.Brand(ctx, q.BrandID)
	if err != nil {
		return Stats{}, err
	}
	if city := referral.NormalizeCity(b.City); city != "" {
		st.OutOfCity = OutOfCity(city, g.ByCity)
	}

	// Incremental GMV.
	if w != nil {
		inc := &IncrementalStats{}
		if q.BaselineFrom != nil {
			inc.BaselineFrom, inc.BaselineTo = q.BaselineFrom.UTC(), q.BaselineTo.UTC()
		} else {
			inc.BaselineFrom, inc.BaselineTo = w.From.Add(-w.To.Sub(w.From)), w.From
		}
		if inc.SharerFen, err = s.Source.SharerGMVIn(ctx, q.BrandID, *w); err != nil {
			return Stats{}, err
		}
		if inc.LiveOtherFen, err = s.Source.LiveOtherGMVIn(ctx, q.BrandID, live.ID, *w); err != nil {
			return Stats{}, err
		}
		if inc.BaselineSharerFen, err = s.Source.SharerGMVIn(ctx, q.BrandID, Window{From: inc.BaselineFrom, To: inc.BaselineTo}); err != nil {
			return Stats{}, err
		}
		inc.IncrementalFen = inc.SharerFen + inc.LiveOtherFen - inc.BaselineSharerFen
		st.Incremental = inc
	}

	// Commission cost.
	if st.Commission.AccruedFen, st.Commission.NetFen, err = s.Source.Commission(ctx, q.BrandID, live.ID); err != nil {
		return Stats{}, err
	}
	if st.Commission.NetFen > 0 {
		r := st.GMV.NetFen * 100 / st.Commission.NetFen
		st.Commission.GMVPerCommissionX100 = &r
	}
	return st, nil
}

// Curve turns counted-by-hour buckets into a cumulative curve of at most max points (merging
// neighbouring buckets when there are more).
func Curve(hours []Bucket, max int) []CurvePoint {
	out := []CurvePoint{}
	if len(hours) == 0 {
		return out
	}
	step := 1
	if max > 0 && len(hours) > max {
		step = (len(hours) + max - 1) / max
	}
	var cum int64
	for i := 0; i < len(hours); i += step {
		for j := i; j < i+step && j < len(hours); j++ {
			cum += hours[j].Count
		}
		last := min(i+step, len(hours)) - 1
		out = append(out, CurvePoint{At: hours[last].At.UTC(), Cumulative: cum})
	}
	return out
}

// PerMinute lays the minute buckets on every minute of w (minutes without touches are 0).
func PerMinute(w Window, buckets []Bucket) []MinuteCount {
	n := int((w.To.Sub(w.From) + time.Minute - 1) / time.Minute)
	out := make([]MinuteCount, n)
	for i := range out {
		out[i] = MinuteCount{Minute: i, First: i < FirstMinutes}
	}
	start := w.From.Truncate(time.Minute)
	for _, b := range buckets {
		i := int(b.At.Sub(start) / time.Minute)
		if i >= 0 && i < n {
			out[i].Visitors += b.Count
		}
	}
	return out
}

// OutOfCity folds the by-city rows against the brand's normalised city.
func OutOfCity(city string, rows []CityRow) *OutOfCityStats {
	o := &OutOfCityStats{BrandCity: city}
	for _, r := range rows {
		if r.CityNorm == "" {
			o.NoCityOrders += r.Orders
			o.NoCityNetFen += r.NetFen
			continue
		}
		o.Orders += r.Orders
		o.NetFen += r.NetFen
		if referral.NormalizeCity(r.CityNorm) != city {
			o.OutOrders += r.Orders
			o.OutNetFen += r.NetFen
		}
	}
	o.OrdersShareBP = ShareBP(o.OutOrders, o.Orders)
	o.GMVShareBP = ShareBP(o.OutNetFen, o.NetFen)
	return o
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Export kinds (GET /admin/v1/exports/{kind}.csv).
const (
	ExportReservations = "reservations"
	ExportOrders       = "orders"
	ExportCommissions  = "commissions"
	// ExportPayouts: the live filter means the payouts of the live's batch; the range is on
	// the request time.
	ExportPayouts = "payouts"
)

// ExportKinds are the kinds this build exports.
var ExportKinds = []string{ExportReservations, ExportOrders, ExportCommissions, ExportPayouts}

// ExportFilter narrows an export: one live, and/or a half-open time range on the row's own
// time (reservation created, order paid, commission created).
type ExportFilter struct {
	LiveID   string
	From, To *time.Time
}

// Exporter streams an export row by row: header first, then each row as it is read from the
// database (never all rows in memory). fn's error stops the export.
type Exporter interface {
	Export(ctx context.Context, kind, brandID string, f ExportFilter, fn func(row []string) error) error
}
