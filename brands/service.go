package brands

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
)

// Sealer seals credentials (secrets.Box).
type Sealer interface {
	Seal(owner, field string, plaintext []byte) ([]byte, error)
	Open(owner, field string, sealed []byte) ([]byte, error)
}

// PasswordHasher hashes and checks admin passwords (auth.Passwords).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Check(hash, password string) bool
}

// Attempts counts failures in a window (Redis at the edge, kv.Store).
type Attempts interface {
	// Failures answers how many failures key has and how long until they are forgotten.
	Failures(ctx context.Context, key string) (int64, time.Duration, error)
	// RecordFailure counts one; the window starts at the first failure.
	RecordFailure(ctx context.Context, key string, window time.Duration) error
	ResetFailures(ctx context.Context, key string) error
}

// Service is the brands use cases.
type Service struct {
	Store     Store
	Sealer    Sealer
	Passwords PasswordHasher
	Attempts  Attempts
	Clock     clock.Clock
	// SessionTTL is how long an admin login lasts; 0 → 12 h.
	SessionTTL time.Duration
	// MaxLoginFailures per username (and 4× per client IP) within LoginWindow before 429.
	MaxLoginFailures int
	LoginWindow      time.Duration
}

// Actor is who does an audited action.
type Actor struct {
	Type      string // admin | cli | system
	ID        string
	RequestID string
}

// CLIActor is the actor for `sharecast brand|admin` commands.
var CLIActor = Actor{Type: "cli", ID: "cli"}

func (s *Service) audit(ctx context.Context, brandID string, a Actor, action, targetType, targetID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	return s.Store.AppendAudit(ctx, AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID,
		Action: action, TargetType: targetType, TargetID: targetID, Detail: detail,
		RequestID: a.RequestID, CreatedAt: s.Clock.Now()})
}

// Brand returns a brand by id (404 for unknown).
func (s *Service) Brand(ctx context.Context, id string) (Brand, error) {
	b, err := s.Store.BrandByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Brand{}, apperr.New(apperr.NotFound, "BRAND_NOT_FOUND", "no such brand")
	}
	return b, err
}

// BrandByAppID finds the brand of a mini-program appid (404 BRAND_NOT_FOUND).
func (s *Service) BrandByAppID(ctx context.Context, appID string) (Brand, error) {
	if appID == "" {
		return Brand{}, apperr.InvalidArgument("appid is required")
	}
	b, err := s.Store.BrandByAppID(ctx, appID)
	if errors.Is(err, ErrNotFound) {
		return Brand{}, apperr.New(apperr.NotFound, "BRAND_NOT_FOUND", "no brand uses this mini-program appid")
	}
	return b, err
}

// Credential opens one sealed credential of a brand (for the WeChat clients at the edge).
func (s *Service) Credential(b Brand, field string) (string, error) {
	pt, err := s.Sealer.Open(b.ID, field, b.Sealed[field])
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// Audit lists a brand's audit log, newest first.
func (s *Service) Audit(ctx context.Context, brandID string, p Page) ([]AuditEntry, string, error) {
	return s.Store.ListAudit(ctx, brandID, p)
}
