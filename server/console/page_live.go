package console

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/console/chart"
)

// Stats is what the live dashboard reads: the same service as GET /admin/v1/lives/{id}/stats,
// so the page shows exactly the API's numbers.
type Stats interface {
	Live(ctx context.Context, q analytics.Query) (analytics.Stats, error)
}

// RefreshSeconds is how often the dashboard of a live on air reloads its numbers.
const RefreshSeconds = 15

func init() {
	register(Page{
		Name: "live",
		Perm: brands.PermRead, // every role reads lives and stats (API.md)
		Routes: []Route{
			{Method: http.MethodGet, Path: "/lives/:id", Handle: showLive},
		},
	})
	addCatalogue(liveCatalogue)
}

// addCatalogue merges a page file's labels into the catalogue (at init, before any request).
func addCatalogue(m map[string]msg) {
	for k, v := range m {
		if _, dup := catalogue[k]; dup {
			panic("console: catalogue key " + k + " defined twice")
		}
		catalogue[k] = v
	}
}

var liveCatalogue = map[string]msg{
	"live.title":               {"直播数据", "Live dashboard"},
	"live.unavailable":         {"直播数据暂不可用：此版本尚未接入统计服务。", "Live stats are not available: this build has no stats service wired in."},
	"live.refreshing":          {"直播中：每 %d 秒自动刷新", "On air: refreshes every %d s"},
	"live.generated":           {"数据时间", "Numbers as of"},
	"live.window":              {"直播时段", "Live window"},
	"live.not_started":         {"尚未开播：流量、增量 GMV 等按直播时段计算的数据暂无。", "Not started yet: inflow, incremental GMV and the other live-window numbers have no source yet."},
	"live.minutes":             {"%d 分钟", "%d min"},
	"live.reservations":        {"预约", "Reservations"},
	"live.res_total":           {"预约总数", "All reservations"},
	"live.res_counted":         {"有效预约", "Counted"},
	"live.res_flagged":         {"待审核", "Flagged for review"},
	"live.res_target":          {"目标", "Target"},
	"live.res_organic":         {"自然预约", "Organic"},
	"live.res_void":            {"作废 / 取消", "Voided / cancelled"},
	"live.first20":             {"前 20 分钟私域流量（人）", "Private inflow, first 20 min (visitors)"},
	"live.visitors":            {"直播时段私域访客", "Private visitors in the window"},
	"live.gmv":                 {"GMV（扣除退款）", "GMV (net of refunds)"},
	"live.gmv_paid":            {"支付", "Paid"},
	"live.gmv_refunded":        {"退款", "Refunded"},
	"live.out_share":           {"外地订单占比", "Out-of-city orders"},
	"live.out_gmv_share":       {"外地 GMV 占比", "Out-of-city GMV"},
	"live.no_city_set":         {"未设置品牌城市，无法计算外地占比。", "The brand has no city set: no out-of-city share."},
	"live.no_city_orders":      {"无收货城市的订单", "Orders without a city"},
	"live.incremental":         {"增量 GMV", "Incremental GMV"},
	"live.inc_sharer":          {"分享者带来的 GMV", "Sharer-attributed GMV"},
	"live.inc_other":           {"本场其他 GMV", "The live's other GMV"},
	"live.inc_baseline":        {"基线（开播前分享者 GMV）", "Baseline (sharer GMV before)"},
	"live.commission":          {"佣金成本", "Commission cost"},
	"live.commission_ratio":    {"每 1 元佣金带来的 GMV", "GMV per yuan of commission"},
	"live.chart_curve":         {"有效预约累计 vs 目标", "Counted reservations vs target"},
	"live.chart_inflow":        {"每分钟私域访客（前 20 分钟高亮）", "Private visitors per minute (first 20 min highlighted)"},
	"live.chart_channels":      {"预约渠道", "Reservations by channel"},
	"live.chart_types":         {"按商品类型的 GMV", "GMV by product type"},
	"live.chart_city":          {"本地 / 外地 GMV", "Local / out-of-city GMV"},
	"live.chart_inc":           {"增量 GMV 构成", "Incremental GMV"},
	"live.empty":               {"暂无数据", "No data yet"},
	"live.cumulative":          {"累计有效预约", "Counted (cumulative)"},
	"live.local":               {"本地", "Local"},
	"live.out":                 {"外地", "Out of city"},
	"live.no_city":             {"无城市", "No city"},
	"live.inviters":            {"邀请排行", "Top inviters"},
	"live.sharers":             {"分享者 GMV", "GMV by sharer"},
	"live.member":              {"成员", "Member"},
	"live.orders":              {"订单", "Orders"},
	"live.nobody":              {"（无分享者）", "(no sharer)"},
	"live.review_link":         {"审核预约", "Review reservations"},
	"live.exports":             {"导出", "Exports"},
	"channel.":                 {"自然", "Organic"},
	"channel.group":            {"群聊", "Group"},
	"channel.moments":          {"朋友圈", "Moments"},
	"channel.official_account": {"公众号", "Official account"},
	"channel.wecom_1v1":        {"企业微信 1v1", "WeCom 1:1"},
	"channel.poster":           {"海报", "Poster"},
	"channel.other":            {"其他", "Other"},
	"type.flash_sale":          {"秒杀款", "Flash sale"},
	"type.classic":             {"经典款", "Classic"},
	"type.profit":              {"利润款", "Profit"},
	"type.exclusive":           {"独家款", "Exclusive"},
	"export.reservations":      {"预约 CSV", "Reservations CSV"},
	"export.orders":            {"订单（含归因）CSV", "Orders with attribution CSV"},
	"export.commissions":       {"佣金 CSV", "Commissions CSV"},
}

// kpi is one headline number: its raw value (data-value, what the browser test compares
// with the API) and the text shown.
type kpi struct {
	ID, Label, Text string
	Value           int64
	Absent          bool
}

type liveData struct {
	Available bool
	Live      LiveRow
	Stats     analytics.Stats
	Refresh   int // seconds; 0 when the live is not on air
	KPIs      []kpi
	Charts    []chartBlock
	CanReview bool
	CanExport bool
	Exports   []exportLink
}

type chartBlock struct {
	ID  string
	SVG template.HTML
}

type exportLink struct{ Label, Href string }

func showLive(c *Ctx) error {
	id := c.G.Param("id")
	if id == "" || len(id) > 64 {
		return apperr.NotFoundf("no such live")
	}
	d := liveData{CanReview: brands.PermLiveOps.Allows(c.Admin.Role), CanExport: brands.PermFinanceRead.Allows(c.Admin.Role)}
	if c.Deps.Stats == nil {
		return c.Render(http.StatusServiceUnavailable, "live.title", d)
	}
	st, err := c.Deps.Stats.Live(c.Context(), analytics.Query{BrandID: c.Admin.BrandID, LiveID: id})
	if err != nil {
		return err
	}
	d.Available, d.Stats = true, st
	if c.Deps.Lives != nil {
		if l, err := c.Deps.Lives.Live(c.Context(), c.Admin.BrandID, id); err == nil {
			d.Live = l
		} else {
			return err
		}
	}
	if st.Status == "live" {
		d.Refresh = RefreshSeconds
	}
	d.KPIs = liveKPIs(c.Lang, st)
	if d.Charts, err = liveCharts(c, st); err != nil {
		return err
	}
	if d.CanExport {
		for _, k := range analytics.ExportKinds {
			d.Exports = append(d.Exports, exportLink{Label: "export." + k, Href: "/admin/v1/exports/" + k + ".csv?live_id=" + id})
		}
	}
	return c.Render(http.StatusOK, "live.title", d)
}

func liveKPIs(l Lang, st analytics.Stats) []kpi {
	count := func(id, label string, v int64) kpi { return kpi{ID: id, Label: label, Value: v, Text: chart.Count(v)} }
	money := func(id, label string, v int64) kpi {
		return kpi{ID: id, Label: label, Value: v, Text: "¥" + FormatYuan(v)}
	}
	absent := func(id, label string) kpi { return kpi{ID: id, Label: label, Absent: true, Text: "—"} }
	r := st.Reservations
	out := []kpi{
		count("k-res-total", "live.res_total", r.Total),
		count("k-res-counted", "live.res_counted", r.Counted),
		count("k-res-flagged", "live.res_flagged", r.Flagged),
		count("k-res-target", "live.res_target", r.Target),
		count("k-res-organic", "live.res_organic", r.Organic),
	}
	if st.Inflow != nil {
		out = append(out, count("k-first20", "live.first20", st.Inflow.FirstMinutesVisitors), count("k-visitors", "live.visitors", st.Inflow.Visitors))
	} else {
		out = append(out, absent("k-first20", "live.first20"), absent("k-visitors", "live.visitors"))
	}
	out = append(out, money("k-gmv-net", "live.gmv", st.GMV.NetFen), money("k-gmv-refunded", "live.gmv_refunded", st.GMV.RefundedFen))
	if o := st.OutOfCity; o != nil {
		out = append(out, kpi{ID: "k-out-share", Label: "live.out_share", Value: o.OrdersShareBP, Text: chart.Percent(o.OrdersShareBP)},
			kpi{ID: "k-out-gmv-share", Label: "live.out_gmv_share", Value: o.GMVShareBP, Text: chart.Percent(o.GMVShareBP)},
			count("k-no-city", "live.no_city_orders", o.NoCityOrders))
	} else {
		out = append(out, absent("k-out-share", "live.out_share"), absent("k-out-gmv-share", "live.out_gmv_share"))
	}
	if st.Incremental != nil {
		out = append(out, money("k-incremental", "live.incremental", st.Incremental.IncrementalFen))
	} else {
		out = append(out, absent("k-incremental", "live.incremental"))
	}
	out = append(out, money("k-commission", "live.commission", st.Commission.NetFen))
	if x := st.Commission.GMVPerCommissionX100; x != nil {
		out = append(out, kpi{ID: "k-commission-ratio", Label: "live.commission_ratio", Value: *x,
			Text: strconv.FormatInt(*x/100, 10) + "." + twoDigits(*x%100)})
	} else {
		out = append(out, absent("k-commission-ratio", "live.commission_ratio"))
	}
	return out
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func yuanFormat(v int64) string { return "¥" + FormatYuan(v) }

func liveCharts(c *Ctx, st analytics.Stats) ([]chartBlock, error) {
	l := c.Lang
	loc := time.UTC
	if b, err := c.Brand(); err == nil {
		if z, err := time.LoadLocation(b.Timezone); err == nil {
			loc = z
		}
	}
	var out []chartBlock

	// Reservation curve against the target.
	curve := chart.Line{Title: l.T("live.chart_curve"), Target: st.Reservations.Target, TargetLabel: l.T("live.res_target"),
		Empty: l.T("live.empty")}
	if len(st.Reservations.Curve) > 0 {
		vals := make([]int64, len(st.Reservations.Curve))
		for i, p := range st.Reservations.Curve {
			curve.Labels = append(curve.Labels, p.At.In(loc).Format("01-02 15:04"))
			vals[i] = p.Cumulative
		}
		curve.Series = []chart.Series{{Name: l.T("live.cumulative"), Values: vals}}
	}
	svg, err := curve.Render()
	if err != nil {
		return nil, err
	}
	out = append(out, chartBlock{"chart-curve", svg})

	// Private inflow per minute, first 20 minutes highlighted.
	if st.Inflow != nil {
		bars := chart.Bars{Title: l.T("live.chart_inflow"), Highlight: analytics.FirstMinutes, Empty: l.T("live.empty")}
		for _, m := range st.Inflow.PerMinute {
			bars.Labels = append(bars.Labels, strconv.Itoa(m.Minute)+"′")
			bars.Values = append(bars.Values, m.Visitors)
		}
		if svg, err = bars.Render(); err != nil {
			return nil, err
		}
		out = append(out, chartBlock{"chart-inflow", svg})
	}

	// Channel split.
	ch := chart.Split{Title: l.T("live.chart_channels"), Empty: l.T("live.empty")}
	for _, c := range st.Reservations.ByChannel {
		ch.Items = append(ch.Items, chart.Item{Label: l.T("channel." + c.Channel), Value: c.Total})
	}
	if svg, err = ch.Render(); err != nil {
		return nil, err
	}
	out = append(out, chartBlock{"chart-channels", svg})

	// GMV by product type.
	ty := chart.Split{Title: l.T("live.chart_types"), Format: yuanFormat, Empty: l.T("live.empty")}
	for _, t := range st.GMV.ByType {
		ty.Items = append(ty.Items, chart.Item{Label: l.T("type." + t.ProductType), Value: t.NetFen})
	}
	if svg, err = ty.Render(); err != nil {
		return nil, err
	}
	out = append(out, chartBlock{"chart-types", svg})

	// Out-of-city share of GMV.
	if o := st.OutOfCity; o != nil {
		city := chart.Split{Title: l.T("live.chart_city"), Format: yuanFormat, Empty: l.T("live.empty")}
		if o.NetFen > 0 || o.NoCityNetFen > 0 {
			city.Items = []chart.Item{{Label: l.T("live.local") + " · " + o.BrandCity, Value: o.NetFen - o.OutNetFen},
				{Label: l.T("live.out"), Value: o.OutNetFen}, {Label: l.T("live.no_city"), Value: o.NoCityNetFen}}
		}
		if svg, err = city.Render(); err != nil {
			return nil, err
		}
		out = append(out, chartBlock{"chart-city", svg})
	}

	// Incremental GMV, its parts.
	if inc := st.Incremental; inc != nil {
		ic := chart.Split{Title: l.T("live.chart_inc"), Format: yuanFormat, Empty: l.T("live.empty"), Items: []chart.Item{
			{Label: l.T("live.inc_sharer"), Value: inc.SharerFen}, {Label: l.T("live.inc_other"), Value: inc.LiveOtherFen},
			{Label: l.T("live.inc_baseline"), Value: inc.BaselineSharerFen}}}
		if svg, err = ic.Render(); err != nil {
			return nil, err
		}
		out = append(out, chartBlock{"chart-incremental", svg})
	}
	return out, nil
}
