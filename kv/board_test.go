package kv_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/store/storetest"
)

func TestBoardSortedSets(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		ctx := context.Background()
		b := r.Board()
		k := leaderboard.Key{LiveID: "L1", Window: leaderboard.WindowLive}
		origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		pack := func(n int64, secs int) float64 {
			s, err := leaderboard.Pack(n, origin.Add(time.Duration(secs)*time.Second), origin)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		for id, s := range map[string]float64{"a": pack(2, 50), "b": pack(2, 10), "c": pack(1, 5), "d": pack(5, 900)} {
			if err := b.Set(ctx, k, id, s); err != nil {
				t.Fatal(err)
			}
		}
		top, err := b.Top(ctx, k, 10)
		if err != nil {
			t.Fatal(err)
		}
		var order string
		for _, e := range top {
			order += e.MemberID
		}
		if order != "dbac" { // higher count first; at 2, b reached it 40 s before a
			t.Fatalf("order %q", order)
		}
		if rank, score, ok, err := b.Rank(ctx, k, "a"); err != nil || !ok || rank != 2 || score != pack(2, 50) {
			t.Fatalf("rank of a: %d %v %v %v", rank, score, ok, err)
		}
		if _, _, ok, err := b.Rank(ctx, k, "nobody"); err != nil || ok {
			t.Fatalf("rank of a stranger: %v %v", ok, err)
		}
		// Score 0 leaves the board.
		if err := b.Set(ctx, k, "c", 0); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, _ := b.Rank(ctx, k, "c"); ok {
			t.Fatal("a zero score must leave the board")
		}
		// Replace swaps the whole board; an empty one deletes it.
		if err := b.Replace(ctx, k, []leaderboard.Scored{{MemberID: "x", Score: pack(1, 1)}}); err != nil {
			t.Fatal(err)
		}
		if top, _ := b.Top(ctx, k, 10); len(top) != 1 || top[0].MemberID != "x" {
			t.Fatalf("after replace: %v", top)
		}
		if err := b.Replace(ctx, k, nil); err != nil {
			t.Fatal(err)
		}
		if top, _ := b.Top(ctx, k, 10); len(top) != 0 {
			t.Fatalf("after an empty replace: %v", top)
		}
		// Names round-trip, visibility included.
		if err := b.PutNames(ctx, "B1", map[string]leaderboard.Display{"a": {Nickname: "小红", Visible: true}, "b": {Nickname: "", Visible: false}}); err != nil {
			t.Fatal(err)
		}
		names, err := b.Names(ctx, "B1", []string{"a", "b", "z"})
		if err != nil || names["a"] != (leaderboard.Display{Nickname: "小红", Visible: true}) || names["b"].Visible {
			t.Fatalf("names %v %v", names, err)
		}
		if _, ok := names["z"]; ok {
			t.Fatal("an unknown id must be absent")
		}
	})
}

// The per-(live, member) lock runs one holder at a time.
func TestBoardLockSerialises(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := r.Board().Lock(context.Background(), "L", "m", func(context.Context) error {
					n := inside.Add(1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(2 * time.Millisecond) // hold the lock long enough for others to contend
					inside.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Fatalf("%d holders at once", most.Load())
		}
		want := errors.New("inner")
		if err := r.Board().Lock(context.Background(), "L", "m", func(context.Context) error { return want }); !errors.Is(err, want) {
			t.Fatalf("the function's error must come back: %v", err)
		}
	})
}

func TestCountInWindowCountsDistinctMembers(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		count := func(member string, at time.Time) int64 {
			n, err := r.CountInWindow(ctx, "w", member, at, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if count("a", t0) != 1 || count("a", t0.Add(time.Second)) != 1 || count("b", t0.Add(2*time.Second)) != 2 {
			t.Fatal("distinct members within the window")
		}
		if n := count("c", t0.Add(62*time.Second)); n != 2 { // a fell out of the window, b is still in
			t.Fatalf("after the window: %d", n)
		}
	})
}
