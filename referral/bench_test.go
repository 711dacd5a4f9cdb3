package referral_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store/storetest"
)

// benchWorld runs on the last configured engines: PostgreSQL + Redis when their URLs are set
// (what production runs), else SQLite + miniredis.
func benchWorld(b *testing.B) *world {
	b.Helper()
	engines := storetest.Engines(b)
	rs := storetest.RedisEngines(b)
	w := newWorld(b, storetest.Open(b, engines[len(engines)-1]), storetest.Redis(b, rs[len(rs)-1]))
	b.Logf("engine %s, redis %q", engines[len(engines)-1].Name, rs[len(rs)-1])
	return w
}

// BenchmarkRecordReservation is the write path below HTTP: resolve the code, apply the rules
// and risk windows, one transaction, then the board refresh (lock, standing query, ZADD).
// Each op is a new viewer's first reservation, spread over 100 inviters.
func BenchmarkRecordReservation(b *testing.B) {
	w := benchWorld(b)
	ctx := context.Background()
	codes := make([]string, 100)
	for i := range codes {
		codes[i] = w.code(b, w.member(b), referral.ChannelOther, "")
	}
	viewers := make([]string, b.N)
	for i := range viewers {
		viewers[i] = w.member(b)
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			if _, err := w.sharing.RecordReservation(ctx, referral.ReservationInput{BrandID: w.brandID, ViewerID: viewers[i],
				Code: codes[i%len(codes)], NoticeID: "notice-w", State: referral.StateReserved}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLeaderboardRead is the read path: top 50 with names and the caller's rank on a
// board of 10,000 inviters, from Redis alone.
func BenchmarkLeaderboardRead(b *testing.B) {
	w := benchWorld(b)
	ctx := context.Background()
	k := leaderboard.Key{LiveID: w.live.ID, Window: leaderboard.WindowLive}
	entries := make([]leaderboard.Scored, 10_000)
	names := map[string]leaderboard.Display{}
	for i := range entries {
		id := fmt.Sprintf("m%05d", i)
		s, _ := leaderboard.Pack(int64(1+i%300), w.clk.Now(), w.live.CreatedAt)
		entries[i] = leaderboard.Scored{MemberID: id, Score: s}
		names[id] = leaderboard.Display{Nickname: "member " + id, Visible: i%7 != 0}
	}
	if err := w.r.Board().Replace(ctx, k, entries); err != nil {
		b.Fatal(err)
	}
	if err := w.r.Board().PutNames(ctx, w.brandID, names); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			v, err := w.boards.Read(ctx, leaderboard.ReadRequest{BrandID: w.brandID, LiveID: w.live.ID, Limit: 50,
				CallerID: fmt.Sprintf("m%05d", i%10_000)})
			if err != nil || len(v.Entries) != 50 || v.Me.Rank == 0 {
				b.Errorf("read: %d entries, me %+v, %v", len(v.Entries), v.Me, err)
				return
			}
		}
	})
}
