package clock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type fakeOffsetStore struct {
	mu      sync.Mutex
	offset  time.Duration
	readErr error
	advErr  error
	reads   int
	// advanceTo, when set, is what AdvanceClock answers (another replica moved further, or
	// a stale answer) instead of offset+by.
	advanceTo *time.Duration
}

func (f *fakeOffsetStore) ClockOffset(context.Context) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.readErr != nil {
		return 0, f.readErr
	}
	return f.offset, nil
}

func (f *fakeOffsetStore) AdvanceClock(_ context.Context, by time.Duration) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.advErr != nil {
		return 0, f.advErr
	}
	if f.advanceTo != nil {
		return *f.advanceTo, nil
	}
	f.offset += by
	return f.offset, nil
}

func (f *fakeOffsetStore) set(d time.Duration, err error) {
	f.mu.Lock()
	f.offset, f.readErr = d, err
	f.mu.Unlock()
}

// assertOffset checks that c.Now() is the wall clock plus want.
func assertOffset(t *testing.T, c *Offset, want time.Duration) {
	t.Helper()
	before := time.Now()
	got := c.Now()
	after := time.Now()
	if got.Before(before.Add(want)) || got.After(after.Add(want)) {
		t.Fatalf("Now() - wall = %v, want %v", got.Sub(before), want)
	}
}

// Refresh of 1 ns makes every Now re-read the store (the wall clock always moves on).
const everyCall = time.Nanosecond

func TestOffsetNowIncludesOffset(t *testing.T) {
	st := &fakeOffsetStore{offset: 48 * time.Hour}
	c := NewOffset(st, everyCall)
	assertOffset(t, c, 48*time.Hour)
	st.set(72*time.Hour, nil)
	assertOffset(t, c, 72*time.Hour)
}

func TestOffsetCachesWithinRefresh(t *testing.T) {
	st := &fakeOffsetStore{offset: time.Hour}
	c := NewOffset(st, time.Hour)
	assertOffset(t, c, time.Hour)
	st.set(5*time.Hour, nil) // another replica moved it
	assertOffset(t, c, time.Hour)
	if st.reads != 1 {
		t.Fatalf("store read %d times within one refresh interval, want 1", st.reads)
	}
}

func TestOffsetDefaultRefresh(t *testing.T) {
	for _, r := range []time.Duration{0, -time.Second} {
		if c := NewOffset(&fakeOffsetStore{}, r); c.refresh != time.Second {
			t.Fatalf("NewOffset(%v).refresh = %v, want 1s", r, c.refresh)
		}
	}
}

func TestOffsetAdvanceShowsAtOnce(t *testing.T) {
	st := &fakeOffsetStore{}
	c := NewOffset(st, time.Hour) // a long refresh: only Advance itself can make it show
	assertOffset(t, c, 0)
	off, err := c.Advance(context.Background(), 25*time.Hour)
	if err != nil || off != 25*time.Hour {
		t.Fatalf("Advance = %v, %v", off, err)
	}
	assertOffset(t, c, 25*time.Hour)
	if _, err := c.Advance(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	assertOffset(t, c, 26*time.Hour)
}

func TestOffsetAdvanceError(t *testing.T) {
	boom := errors.New("db down")
	st := &fakeOffsetStore{offset: time.Hour, advErr: boom}
	c := NewOffset(st, time.Hour)
	assertOffset(t, c, time.Hour)
	if _, err := c.Advance(context.Background(), time.Hour); !errors.Is(err, boom) {
		t.Fatalf("Advance err = %v, want %v", err, boom)
	}
	assertOffset(t, c, time.Hour)
}

func TestOffsetReadErrorKeepsLastOffset(t *testing.T) {
	st := &fakeOffsetStore{offset: 3 * time.Hour}
	c := NewOffset(st, everyCall)
	assertOffset(t, c, 3*time.Hour)
	st.set(0, errors.New("db down"))
	assertOffset(t, c, 3*time.Hour)
	assertOffset(t, c, 3*time.Hour)
	st.set(4*time.Hour, nil)
	assertOffset(t, c, 4*time.Hour)
}

func TestOffsetNeverGoesBackwards(t *testing.T) {
	tests := []struct {
		name  string
		steps []time.Duration // successive store offsets
		want  time.Duration
	}{
		{"store lowers it", []time.Duration{2 * time.Hour, time.Hour}, 2 * time.Hour},
		{"store resets to zero", []time.Duration{2 * time.Hour, 0}, 2 * time.Hour},
		{"negative offset ignored", []time.Duration{-time.Hour}, 0},
		{"monotone increase", []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}, 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeOffsetStore{}
			c := NewOffset(st, everyCall)
			var prev time.Time
			for _, d := range tt.steps {
				st.set(d, nil)
				now := c.Now()
				if now.Before(prev) {
					t.Fatalf("time went back from %v to %v", prev, now)
				}
				prev = now
			}
			assertOffset(t, c, tt.want)
		})
	}
}

func TestOffsetAdvanceStaleAnswerDoesNotLower(t *testing.T) {
	st := &fakeOffsetStore{offset: 5 * time.Hour}
	c := NewOffset(st, time.Hour)
	assertOffset(t, c, 5*time.Hour)
	stale := time.Hour
	st.advanceTo = &stale
	off, err := c.Advance(context.Background(), time.Minute)
	if err != nil || off != time.Hour {
		t.Fatalf("Advance = %v, %v", off, err)
	}
	assertOffset(t, c, 5*time.Hour)
}

func TestOffsetConcurrentUse(t *testing.T) {
	st := &fakeOffsetStore{}
	c := NewOffset(st, everyCall)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() { defer wg.Done(); _ = c.Now() }()
		go func() { defer wg.Done(); _, _ = c.Advance(context.Background(), time.Second) }()
	}
	wg.Wait()
	assertOffset(t, c, 8*time.Second)
}

func TestFixed(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFixed(t0)
	if !f.Now().Equal(t0) || !f.Now().Equal(f.Now()) {
		t.Fatal("Fixed moved by itself")
	}
	f.Advance(90 * time.Minute)
	if got := f.Now(); !got.Equal(t0.Add(90 * time.Minute)) {
		t.Fatalf("after Advance: %v", got)
	}
	var _ Clock = f
	var _ Clock = System{}
	if d := time.Since(System{}.Now()); d < 0 || d > time.Minute {
		t.Fatalf("System clock off by %v", d)
	}
}
