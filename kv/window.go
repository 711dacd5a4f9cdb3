package kv

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// CountInWindow records member at time at under key and answers how many distinct members
// the key holds within the window ending at at. Times come from the caller (the service
// clock), so the simulated clock works. The key expires a window after its last write.
func (s *Store) CountInWindow(ctx context.Context, key, member string, at time.Time, window time.Duration) (int64, error) {
	k := s.Key("win:" + key)
	now := float64(at.UnixMilli())
	pipe := s.rdb.TxPipeline()
	pipe.ZAdd(ctx, k, redis.Z{Score: now, Member: member})
	pipe.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(at.Add(-window).UnixMilli(), 10))
	card := pipe.ZCard(ctx, k)
	pipe.PExpire(ctx, k, window+time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return card.Val(), nil
}
