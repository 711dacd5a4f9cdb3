package referral

import (
	"context"
	"sync"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/leaderboard"
)

// Sharing is the use cases of a live's community side: lives and their status, share links,
// touches (opens) and reservations with their anti-gaming rules. The leaderboard is a
// projection it refreshes after each commit; PostgreSQL (through SharingStore) is the truth.
type Sharing struct {
	Store   SharingStore
	Brands  BrandReader
	WeChat  WeChatLinks // nil: no URL links or QR codes (links still work by path)
	Boards  BoardRefresher
	Limiter Limiter
	Windows WindowCounter
	Events  events.Emitter // nil: events.Nop
	Clock   clock.Clock
	// LiveGuard, when set, vets a live change before it is written (the live-operations work
	// plugs the reminder-window check in here). Nil: every valid change is applied.
	LiveGuard LiveGuard
	// Limits; zero values take the defaults below.
	Limits Limits
	// OnBoardError is told when a board refresh failed after a commit (the board is a
	// projection: the next change or a rebuild repairs it). Nil: ignored.
	OnBoardError func(ctx context.Context, err error)

	gateOnce sync.Once
	gate     chan struct{}
}

// SharingStore is the storage Sharing needs.
type SharingStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	LiveStore
	LinkStore
	TouchStore
	ReservationStore
	MemberByID(ctx context.Context, brandID, id string) (Member, error)
	AppendAudit(ctx context.Context, e brands.AuditEntry) error
}

// BrandReader reads a brand and opens its credentials (brands.Service).
type BrandReader interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
	Credential(b brands.Brand, field string) (string, error)
}

// BoardRefresher recomputes one inviter's standing on the boards of a window from the source
// of truth (leaderboard.Service).
type BoardRefresher interface {
	Refresh(ctx context.Context, l leaderboard.Live, window, group, memberID string) error
}

// Limiter is a token bucket per key (Redis at the edge).
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, period time.Duration) (bool, time.Duration, error)
}

// WindowCounter counts distinct members seen under a key within a sliding window (Redis at
// the edge). Times come from the caller, so the service clock (and the simulator's offset)
// applies.
type WindowCounter interface {
	CountInWindow(ctx context.Context, key, member string, at time.Time, window time.Duration) (int64, error)
}

// LiveGuard vets a live change; it answers an error (e.g. 409 RISK_ACK_REQUIRED) to refuse it.
type LiveGuard interface {
	CheckLiveChange(ctx context.Context, before Live, change LiveChange) error
}

// Limits are the request budgets of the mini-program's write paths.
type Limits struct {
	// ReservationsPerViewer per minute: a real viewer reports a handful of states; a client
	// replaying in a loop gets 429.
	ReservationsPerViewer int
	// ReservationsPerInviter per minute across all their viewers: far above what one person's
	// shares bring, low enough to stop a script crediting one inviter.
	ReservationsPerInviter int
	// TouchesPerVisitor per minute.
	TouchesPerVisitor int
	// LinksPerMember per minute (each request may call WeChat).
	LinksPerMember int
	// ConcurrentWrites bounds the reservation writes in progress in this process. Beyond it a
	// report waits at most AdmitWait, then answers 429 with Retry-After: under a burst above
	// capacity, shedding early keeps the accepted writes fast, where queueing them all on the
	// database pool makes every one of them slow until clients time out and retry.
	ConcurrentWrites int
	AdmitWait        time.Duration
}

func (l Limits) normalize() Limits {
	if l.ReservationsPerViewer <= 0 {
		l.ReservationsPerViewer = 20
	}
	if l.ReservationsPerInviter <= 0 {
		l.ReservationsPerInviter = 1200
	}
	if l.TouchesPerVisitor <= 0 {
		l.TouchesPerVisitor = 60
	}
	if l.LinksPerMember <= 0 {
		l.LinksPerMember = 30
	}
	if l.ConcurrentWrites <= 0 {
		l.ConcurrentWrites = 16
	}
	if l.AdmitWait <= 0 {
		l.AdmitWait = 100 * time.Millisecond
	}
	return l
}

// admit takes a write slot (see Limits.ConcurrentWrites); release gives it back.
func (s *Sharing) admit(ctx context.Context) (release func(), err error) {
	lim := s.Limits.normalize()
	s.gateOnce.Do(func() { s.gate = make(chan struct{}, lim.ConcurrentWrites) })
	t := time.NewTimer(lim.AdmitWait)
	defer t.Stop()
	select {
	case s.gate <- struct{}{}:
		return func() { <-s.gate }, nil
	case <-t.C:
		return nil, rateLimited(time.Second)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Sharing) emitter() events.Emitter {
	if s.Events == nil {
		return events.Nop{}
	}
	return s.Events
}

// refreshBoard runs after a commit. A failure leaves the projection stale, never the truth
// wrong, so it is reported and swallowed: the caller's change did happen.
func (s *Sharing) refreshBoard(ctx context.Context, l Live, window, group, memberID string) {
	if s.Boards == nil || memberID == "" {
		return
	}
	// The request may be gone (client hung up right after the commit); the board must still
	// catch up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Boards.Refresh(ctx, l.boardLive(), window, group, memberID); err != nil && s.OnBoardError != nil {
		s.OnBoardError(ctx, err)
	}
}

func (l Live) boardLive() leaderboard.Live {
	return leaderboard.Live{ID: l.ID, BrandID: l.BrandID, CreatedAt: l.CreatedAt, ActualStartAt: l.ActualStartAt}
}

// allow takes one token from a bucket; a limiter failure lets the request through (the
// limits protect capacity, not money, see server/middleware.RateLimit).
func (s *Sharing) allow(ctx context.Context, key string, limit int) error {
	if s.Limiter == nil {
		return nil
	}
	ok, retry, err := s.Limiter.Allow(ctx, key, limit, time.Minute)
	if err != nil || ok {
		return nil
	}
	return rateLimited(retry)
}

// Quiet returns a Sharing on the same stores that calls no WeChat API and takes no rate
// limits: for seeding data, e.g. before the service (and its mounted simulator) listens.
func (s *Sharing) Quiet() *Sharing {
	return &Sharing{Store: s.Store, Brands: s.Brands, Boards: s.Boards, Windows: s.Windows, Events: s.Events,
		Clock: s.Clock, LiveGuard: s.LiveGuard, Limits: s.Limits, OnBoardError: s.OnBoardError}
}
