package analytics_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/sharecast/sharecast/analytics"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestShareBP(t *testing.T) {
	for _, c := range []struct{ part, total, want int64 }{
		{0, 0, 0}, {1, 0, 0}, {736, 1000, 7360}, {1, 3, 3333}, {2, 3, 6667}, {10000, 41000, 2439}, {5, 5, 10000},
	} {
		if got := analytics.ShareBP(c.part, c.total); got != c.want {
			t.Errorf("ShareBP(%d, %d) = %d, want %d", c.part, c.total, got, c.want)
		}
	}
}

func TestCurveIsCumulativeAndBounded(t *testing.T) {
	h := func(i int, n int64) analytics.Bucket {
		return analytics.Bucket{At: t0.Add(time.Duration(i) * time.Hour), Count: n}
	}
	if got := analytics.Curve(nil, 10); len(got) != 0 || got == nil {
		t.Fatalf("empty curve %v (want [], not nil)", got)
	}
	got := analytics.Curve([]analytics.Bucket{h(0, 2), h(1, 3), h(5, 1)}, 10)
	want := []analytics.CurvePoint{{At: t0, Cumulative: 2}, {At: t0.Add(time.Hour), Cumulative: 5}, {At: t0.Add(5 * time.Hour), Cumulative: 6}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("curve %v, want %v", got, want)
	}
	// Five buckets into at most two points: merged in threes, the last point is the total.
	got = analytics.Curve([]analytics.Bucket{h(0, 1), h(1, 1), h(2, 1), h(3, 1), h(4, 1)}, 2)
	want = []analytics.CurvePoint{{At: t0.Add(2 * time.Hour), Cumulative: 3}, {At: t0.Add(4 * time.Hour), Cumulative: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged curve %v, want %v", got, want)
	}
}

func TestPerMinuteFillsEveryMinute(t *testing.T) {
	w := analytics.Window{From: t0.Add(30 * time.Second), To: t0.Add(30*time.Minute + 10*time.Second)}
	got := analytics.PerMinute(w, []analytics.Bucket{{At: t0, Count: 4}, {At: t0.Add(21 * time.Minute), Count: 2},
		{At: t0.Add(-time.Minute), Count: 9}, {At: t0.Add(40 * time.Minute), Count: 9}})
	if len(got) != 30 {
		t.Fatalf("%d minutes, want 30", len(got))
	}
	if got[0].Visitors != 4 || !got[0].First || got[19].Visitors != 0 || !got[19].First || got[20].First || got[21].Visitors != 2 {
		t.Fatalf("minutes %+v", got)
	}
}

func TestOutOfCityNormalisesAndKeepsNoCityApart(t *testing.T) {
	got := analytics.OutOfCity("上海", []analytics.CityRow{{CityNorm: "上海", Orders: 3, NetFen: 300},
		{CityNorm: "上海市", Orders: 1, NetFen: 100}, {CityNorm: "杭州", Orders: 4, NetFen: 1200}, {CityNorm: "", Orders: 2, NetFen: 50}})
	want := analytics.OutOfCityStats{BrandCity: "上海", Orders: 8, OutOrders: 4, OrdersShareBP: 5000, NetFen: 1600, OutNetFen: 1200,
		GMVShareBP: 7500, NoCityOrders: 2, NoCityNetFen: 50}
	if *got != want {
		t.Fatalf("%+v, want %+v", *got, want)
	}
}
