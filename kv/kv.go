// Package kv is the Redis edge: it opens go-redis against SHARECAST_REDIS_URL or, when that is
// empty, an in-process miniredis, and implements the small interfaces the rest of the service
// declares (token cache, rate limiter). Nothing outside this package knows which one runs.
package kv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Store wraps one Redis connection and a key prefix (tests give each test its own prefix, so
// they share one real Redis without flushing each other).
type Store struct {
	rdb     redis.UniversalClient
	prefix  string
	limiter *redis_rate.Limiter
	mini    *miniredis.Miniredis
	// stopAging ends the goroutine that ages the in-process miniredis's TTLs.
	stopAging chan struct{}
	agingDone chan struct{}
	stopOnce  sync.Once
}

// Open connects to url, or starts an in-process miniredis when url is empty. poolSize ≤ 0
// keeps go-redis's default.
func Open(ctx context.Context, url, prefix string, poolSize int) (*Store, error) {
	var (
		opts *redis.Options
		mini *miniredis.Miniredis
	)
	if url == "" {
		mini = miniredis.NewMiniRedis()
		if err := mini.Start(); err != nil {
			return nil, fmt.Errorf("start in-process redis: %w", err)
		}
		opts = &redis.Options{Addr: mini.Addr()}
	} else {
		var err error
		opts, err = redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("SHARECAST_REDIS_URL: %w", err)
		}
	}
	if poolSize > 0 {
		opts.PoolSize = poolSize
	}
	opts.DialTimeout = 3 * time.Second
	opts.ReadTimeout = 2 * time.Second
	opts.WriteTimeout = 2 * time.Second
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		if mini != nil {
			mini.Close()
		}
		return nil, fmt.Errorf("redis ping: %w", err)
	}
	st := &Store{rdb: rdb, prefix: prefix, limiter: redis_rate.NewLimiter(rdb), mini: mini}
	if mini != nil {
		st.stopAging, st.agingDone = make(chan struct{}), make(chan struct{})
		go ageKeys(mini, st.stopAging, st.agingDone)
	}
	return st, nil
}

// ageKeys lets the in-process miniredis expire keys as Redis does: miniredis only ages TTLs
// when told to (FastForward), so without this every key set with a TTL (board locks, caches,
// windows) would live until the process ends.
func ageKeys(mini *miniredis.Miniredis, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			mini.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Embedded reports whether this store runs on the in-process miniredis.
func (s *Store) Embedded() bool { return s.mini != nil }

// Client exposes the go-redis client to other edge packages (never to domain packages).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Key prefixes k with the store's namespace.
func (s *Store) Key(k string) string { return s.prefix + k }

// Ping checks the connection (for /readyz).
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Close closes the client and the in-process server, if any.
func (s *Store) Close() error {
	err := s.rdb.Close()
	if s.stopAging != nil {
		s.stopOnce.Do(func() { close(s.stopAging) })
		<-s.agingDone
	}
	if s.mini != nil {
		s.mini.Close()
	}
	return err
}

// Get returns the cached value and whether it was there.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := s.rdb.Get(ctx, s.Key(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// Set stores value for ttl.
func (s *Store) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	return s.rdb.Set(ctx, s.Key(key), value, ttl).Err()
}

// Delete removes keys.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.Key(k)
	}
	return s.rdb.Del(ctx, full...).Err()
}

// Allow takes one token from the bucket named key that refills limit tokens per period.
// It answers whether the call may go on and, when not, how long to wait.
func (s *Store) Allow(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error) {
	res, err := s.limiter.Allow(ctx, s.Key("rl:"+key), redis_rate.Limit{Rate: limit, Burst: limit, Period: period})
	if err != nil {
		return false, 0, err
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}

// RecordFailure counts one failure under key; the count expires window after the first one.
func (s *Store) RecordFailure(ctx context.Context, key string, window time.Duration) error {
	k := s.Key("fail:" + key)
	pipe := s.rdb.TxPipeline()
	pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, window)
	_, err := pipe.Exec(ctx)
	return err
}

// Failures answers the failure count under key and how long until it expires.
func (s *Store) Failures(ctx context.Context, key string) (int64, time.Duration, error) {
	k := s.Key("fail:" + key)
	pipe := s.rdb.Pipeline()
	get := pipe.Get(ctx, k)
	ttl := pipe.PTTL(ctx, k)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, err
	}
	n, err := get.Int64()
	if errors.Is(err, redis.Nil) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	d := ttl.Val()
	if d < 0 {
		d = 0
	}
	return n, d, nil
}

// ResetFailures forgets the failures under key.
func (s *Store) ResetFailures(ctx context.Context, key string) error {
	return s.rdb.Del(ctx, s.Key("fail:"+key)).Err()
}
