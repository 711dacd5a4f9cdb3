package kv_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/store/storetest"
)

// sibling opens a second store on the same server as r with another prefix.
func sibling(t *testing.T, r *kv.Store, prefix string) *kv.Store {
	t.Helper()
	c, ok := r.Client().(*redis.Client)
	if !ok {
		t.Fatalf("client is %T", r.Client())
	}
	o := c.Options()
	other, err := kv.Open(context.Background(), fmt.Sprintf("redis://%s/%d", o.Addr, o.DB), prefix, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

func TestAllow(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		ctx := context.Background()
		for _, limit := range []int{1, 3, 10} {
			key := fmt.Sprintf("bucket-%d", limit)
			for i := range limit {
				ok, wait, err := r.Allow(ctx, key, limit, time.Minute)
				if err != nil || !ok || wait != 0 {
					t.Fatalf("limit %d call %d: ok=%v wait=%v err=%v", limit, i, ok, wait, err)
				}
			}
			ok, wait, err := r.Allow(ctx, key, limit, time.Minute)
			if err != nil || ok {
				t.Fatalf("limit %d: call %d allowed (err %v)", limit, limit+1, err)
			}
			if wait <= 0 || wait > time.Minute {
				t.Fatalf("limit %d: retryAfter = %v", limit, wait)
			}
		}
		// Buckets are independent.
		if ok, _, err := r.Allow(ctx, "other-bucket", 1, time.Minute); err != nil || !ok {
			t.Fatalf("a fresh bucket was refused: %v", err)
		}
	})
}

func TestFailures(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		ctx := context.Background()
		n, ttl, err := r.Failures(ctx, "login:u:x")
		if err != nil || n != 0 || ttl != 0 {
			t.Fatalf("fresh key: n=%d ttl=%v err=%v", n, ttl, err)
		}
		const window = 10 * time.Minute
		for i := 1; i <= 3; i++ {
			if err := r.RecordFailure(ctx, "login:u:x", window); err != nil {
				t.Fatal(err)
			}
			n, ttl, err := r.Failures(ctx, "login:u:x")
			if err != nil || n != int64(i) {
				t.Fatalf("after %d failures: n=%d err=%v", i, n, err)
			}
			if ttl <= 0 || ttl > window {
				t.Fatalf("ttl = %v, want in (0, %v]", ttl, window)
			}
		}
		// The window starts at the first failure: a later, longer window does not extend it.
		if err := r.RecordFailure(ctx, "login:u:x", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, ttl, _ := r.Failures(ctx, "login:u:x"); ttl > window {
			t.Fatalf("window was extended to %v", ttl)
		}
		if n, _, _ := r.Failures(ctx, "login:u:y"); n != 0 {
			t.Fatal("failures leaked to another key")
		}
		if err := r.ResetFailures(ctx, "login:u:x"); err != nil {
			t.Fatal(err)
		}
		n, ttl, err = r.Failures(ctx, "login:u:x")
		if err != nil || n != 0 || ttl != 0 {
			t.Fatalf("after reset: n=%d ttl=%v err=%v", n, ttl, err)
		}
		if err := r.ResetFailures(ctx, "never-failed"); err != nil {
			t.Fatalf("reset of an unknown key: %v", err)
		}
	})
}

func TestGetSetDeleteAndPrefixIsolation(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, a *kv.Store) {
		ctx := context.Background()
		b := sibling(t, a, "iso-b:"+rand.Text()+":") // fresh per run: real Redis keeps keys between runs
		if a.Key("k") == b.Key("k") {
			t.Fatal("stores share a prefix")
		}
		if err := a.Set(ctx, "token", "from-a", time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := b.Set(ctx, "token", "from-b", time.Minute); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			s    *kv.Store
			want string
		}{{a, "from-a"}, {b, "from-b"}} {
			v, ok, err := tc.s.Get(ctx, "token")
			if err != nil || !ok || v != tc.want {
				t.Fatalf("Get = %q, %v, %v; want %q", v, ok, err, tc.want)
			}
		}
		// The raw key on the server carries the prefix.
		if v, err := a.Client().Get(ctx, a.Key("token")).Result(); err != nil || v != "from-a" {
			t.Fatalf("raw key %q = %q, %v", a.Key("token"), v, err)
		}
		if err := a.Set(ctx, "second", "2", time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := a.Delete(ctx, "token", "second", "missing"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"token", "second"} {
			if _, ok, err := a.Get(ctx, k); err != nil || ok {
				t.Fatalf("%s still there after Delete (err %v)", k, err)
			}
		}
		if v, ok, err := b.Get(ctx, "token"); err != nil || !ok || v != "from-b" {
			t.Fatalf("Delete on a reached the other prefix: %q %v %v", v, ok, err)
		}
		// Failures and rate buckets are isolated too.
		if err := a.RecordFailure(ctx, "f", time.Minute); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := b.Failures(ctx, "f"); n != 0 {
			t.Fatal("failures crossed prefixes")
		}
		if ok, _, _ := a.Allow(ctx, "rl", 1, time.Minute); !ok {
			t.Fatal("first call refused")
		}
		if ok, _, _ := b.Allow(ctx, "rl", 1, time.Minute); !ok {
			t.Fatal("rate bucket crossed prefixes")
		}
		_ = b.Delete(ctx, "token")
		_ = a.ResetFailures(ctx, "f")
		_ = a.Client().Del(ctx, a.Key("rl:rl"), b.Key("rl:rl")).Err()
	})
}

func TestGetMissingAndTTL(t *testing.T) {
	storetest.EachRedis(t, func(t *testing.T, r *kv.Store) {
		ctx := context.Background()
		if v, ok, err := r.Get(ctx, "absent"); err != nil || ok || v != "" {
			t.Fatalf("Get(absent) = %q, %v, %v", v, ok, err)
		}
		if err := r.Set(ctx, "ttl", "v", 30*time.Second); err != nil {
			t.Fatal(err)
		}
		d, err := r.Client().PTTL(ctx, r.Key("ttl")).Result()
		if err != nil || d <= 0 || d > 30*time.Second {
			t.Fatalf("PTTL = %v, %v", d, err)
		}
		if err := r.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenEmbedded(t *testing.T) {
	ctx := context.Background()
	r, err := kv.Open(ctx, "", "p:", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Embedded() || r.Key("x") != "p:x" {
		t.Fatalf("embedded=%v key=%q", r.Embedded(), r.Key("x"))
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Open(ctx, "http://not-redis", "p:", 0); err == nil {
		t.Fatal("a non-redis URL was accepted")
	}
}

// The in-process miniredis expires keys as Redis does (miniredis itself only ages TTLs when
// told to): a key set with a short TTL is gone a little later, one without stays.
func TestEmbeddedKeysExpire(t *testing.T) {
	ctx := context.Background()
	r, err := kv.Open(ctx, "", "p:", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Set(ctx, "short", "v", 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := r.Set(ctx, "kept", "v", 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok, err := r.Get(ctx, "short")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a key with a 150 ms TTL was still there after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, ok, err := r.Get(ctx, "kept"); err != nil || !ok {
		t.Fatalf("a key without a TTL went away: ok=%v err=%v", ok, err)
	}
}
