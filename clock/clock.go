// Package clock is the one source of "now" for the service. Production uses the wall clock;
// the embedded default adds an offset kept in the database (so every replica agrees), which the
// simulator's POST /_sim/control/clock moves forward.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

func (System) Now() time.Time { return time.Now() }

// OffsetStore reads and moves the shared offset.
type OffsetStore interface {
	ClockOffset(ctx context.Context) (time.Duration, error)
	AdvanceClock(ctx context.Context, by time.Duration) (time.Duration, error)
}

// Offset is the wall clock plus a shared offset. It re-reads the offset at most once per
// refresh interval, so a move made through another replica shows within that interval, and
// a move made through this one shows at once.
type Offset struct {
	store   OffsetStore
	refresh time.Duration

	mu       sync.Mutex
	offset   time.Duration
	loadedAt time.Time
}

// NewOffset returns an offset clock; refresh ≤ 0 means one second.
func NewOffset(store OffsetStore, refresh time.Duration) *Offset {
	if refresh <= 0 {
		refresh = time.Second
	}
	return &Offset{store: store, refresh: refresh}
}

func (c *Offset) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := time.Now()
	if wall.Sub(c.loadedAt) >= c.refresh {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		off, err := c.store.ClockOffset(ctx)
		cancel()
		// On a read error keep the last known offset: time must not jump back.
		if err == nil && off >= c.offset {
			c.offset = off
		}
		c.loadedAt = wall
	}
	return wall.Add(c.offset)
}

// Advance moves the shared offset forward and returns the new offset.
func (c *Offset) Advance(ctx context.Context, by time.Duration) (time.Duration, error) {
	off, err := c.store.AdvanceClock(ctx, by)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if off > c.offset {
		c.offset = off
	}
	c.loadedAt = time.Now()
	c.mu.Unlock()
	return off, nil
}

// Fixed is a settable clock for tests.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

func NewFixed(t time.Time) *Fixed { return &Fixed{t: t} }

func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *Fixed) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}
