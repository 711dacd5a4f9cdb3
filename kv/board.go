package kv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/leaderboard"
)

// Board keeps leaderboards in sorted sets. Every key of a live carries the hash tag {live id},
// so a Redis Cluster keeps one live's boards and locks on one slot.
type Board struct{ s *Store }

// Board returns the leaderboard store on s.
func (s *Store) Board() *Board { return &Board{s: s} }

func (b *Board) key(k leaderboard.Key) string {
	if k.Group != "" {
		return b.s.Key(fmt.Sprintf("lb:{%s}:%s:g:%s", k.LiveID, k.Window, k.Group))
	}
	return b.s.Key(fmt.Sprintf("lb:{%s}:%s", k.LiveID, k.Window))
}

// Set puts member at score (0 removes it).
func (b *Board) Set(ctx context.Context, k leaderboard.Key, memberID string, score float64) error {
	if score <= 0 {
		return b.s.rdb.ZRem(ctx, b.key(k), memberID).Err()
	}
	return b.s.rdb.ZAdd(ctx, b.key(k), redis.Z{Score: score, Member: memberID}).Err()
}

// Top answers the best n (n ≤ 0 → 50, capped at 200).
func (b *Board) Top(ctx context.Context, k leaderboard.Key, n int) ([]leaderboard.Scored, error) {
	if n <= 0 {
		n = 50
	}
	n = min(n, 200)
	zs, err := b.s.rdb.ZRevRangeWithScores(ctx, b.key(k), 0, int64(n-1)).Result()
	if err != nil {
		return nil, err
	}
	out := make([]leaderboard.Scored, len(zs))
	for i, z := range zs {
		out[i] = leaderboard.Scored{MemberID: z.Member.(string), Score: z.Score}
	}
	return out, nil
}

// Rank answers member's 0-based rank and score.
func (b *Board) Rank(ctx context.Context, k leaderboard.Key, memberID string) (int64, float64, bool, error) {
	key := b.key(k)
	pipe := b.s.rdb.Pipeline()
	rank := pipe.ZRevRank(ctx, key, memberID)
	score := pipe.ZScore(ctx, key, memberID)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, false, err
	}
	r, err := rank.Result()
	if errors.Is(err, redis.Nil) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	return r, score.Val(), true, nil
}

// Replace writes entries into a temporary key and renames it over the board in one step,
// so readers see either the old board or the new one.
func (b *Board) Replace(ctx context.Context, k leaderboard.Key, entries []leaderboard.Scored) error {
	key := b.key(k)
	tmp := key + ":rebuild:" + randHex(6)
	for i := 0; i < len(entries); i += 1000 {
		chunk := entries[i:min(i+1000, len(entries))]
		zs := make([]redis.Z, len(chunk))
		for j, e := range chunk {
			zs[j] = redis.Z{Score: e.Score, Member: e.MemberID}
		}
		if err := b.s.rdb.ZAdd(ctx, tmp, zs...).Err(); err != nil {
			b.s.rdb.Del(ctx, tmp)
			return err
		}
	}
	if len(entries) == 0 {
		return b.s.rdb.Del(ctx, key).Err()
	}
	return b.s.rdb.Rename(ctx, tmp, key).Err()
}

// unlock deletes the lock only if it still holds our token.
var unlock = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// lockTTL bounds how long a crashed holder blocks others; lockWait how long we queue.
const (
	lockTTL  = 5 * time.Second
	lockWait = 5 * time.Second
)

// Lock runs fn holding a per-(live, member) lock.
func (b *Board) Lock(ctx context.Context, liveID, memberID string, fn func(ctx context.Context) error) error {
	key := b.s.Key(fmt.Sprintf("lb:{%s}:lock:%s", liveID, memberID))
	token := randHex(8)
	deadline := time.Now().Add(lockWait)
	wait := 2 * time.Millisecond
	for {
		ok, err := b.s.rdb.SetNX(ctx, key, token, lockTTL).Result()
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return apperr.New(apperr.Unavailable, "LEADERBOARD_BUSY", "the leaderboard is busy, try again")
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
	defer unlock.Run(context.WithoutCancel(ctx), b.s.rdb, []string{key}, token)
	return fn(ctx)
}

func (b *Board) namesKey(brandID string) string { return b.s.Key(fmt.Sprintf("lbnames:{%s}", brandID)) }

// namesTTL bounds how long a changed nickname or visibility takes to show on boards: the
// whole cache of a brand expires this long after it was started and refills on the next reads.
const namesTTL = 2 * time.Minute

// Names answers cached displays ("1nick" visible, "0nick" hidden); unknown ids are absent.
func (b *Board) Names(ctx context.Context, brandID string, ids []string) (map[string]leaderboard.Display, error) {
	out := make(map[string]leaderboard.Display, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vals, err := b.s.rdb.HMGet(ctx, b.namesKey(brandID), ids...).Result()
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		s, ok := v.(string)
		if !ok || s == "" {
			continue
		}
		out[ids[i]] = leaderboard.Display{Visible: s[0] == '1', Nickname: s[1:]}
	}
	return out, nil
}

// PutNames caches displays.
func (b *Board) PutNames(ctx context.Context, brandID string, names map[string]leaderboard.Display) error {
	if len(names) == 0 {
		return nil
	}
	vals := make([]any, 0, 2*len(names))
	for id, d := range names {
		flag := "0"
		if d.Visible {
			flag = "1"
		}
		vals = append(vals, id, flag+d.Nickname)
	}
	key := b.namesKey(brandID)
	pipe := b.s.rdb.TxPipeline()
	pipe.HSet(ctx, key, vals...)
	pipe.ExpireNX(ctx, key, namesTTL)
	_, err := pipe.Exec(ctx)
	return err
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
