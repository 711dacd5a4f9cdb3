package brands

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/clock"
)

// APIKey lets a brand's own systems call /open/v1. Only a hash of its secret is kept.
type APIKey struct {
	ID, BrandID, Name string
	SecretHash        []byte
	CreatedBy         string
	CreatedAt         time.Time
	LastUsedAt        *time.Time
	RevokedAt         *time.Time
}

// APIKeyStore keeps API keys.
type APIKeyStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKeyByID looks a key up by its global id (ErrNotFound).
	APIKeyByID(ctx context.Context, id string) (APIKey, error)
	ListAPIKeys(ctx context.Context, brandID string) ([]APIKey, error)
	CountActiveAPIKeys(ctx context.Context, brandID string) (int, error)
	// RevokeAPIKey sets revoked_at once; false when the key is unknown in the brand or revoked.
	RevokeAPIKey(ctx context.Context, brandID, id string, at time.Time) (bool, error)
	MarkAPIKeyUsed(ctx context.Context, id string, at time.Time) error
	AppendAudit(ctx context.Context, e AuditEntry) error
}

// APIKeys are the API key use cases: owners create, list and revoke; the open API door
// authenticates.
type APIKeys struct {
	Store APIKeyStore
	Clock clock.Clock
}

// apiKeyPrefix marks sharecast keys so secret scanners and people recognise a leaked one.
const (
	apiKeyPrefix      = "sck_"
	maxActiveAPIKeys  = 20
	usedAtGranularity = time.Minute
)

// Create makes a key and answers it with its token, shown this once.
func (s *APIKeys) Create(ctx context.Context, a Actor, brandID, name string) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 64 {
		return APIKey{}, "", apperr.InvalidArgument("name must be at most 64 characters")
	}
	id, secret, token := auth.NewOpaqueToken()
	k := APIKey{ID: id, BrandID: brandID, Name: name, SecretHash: auth.HashSecret(secret), CreatedBy: a.ID, CreatedAt: s.Clock.Now()}
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.Store.CountActiveAPIKeys(ctx, brandID)
		if err != nil {
			return err
		}
		if n >= maxActiveAPIKeys {
			return apperr.New(apperr.Rule, "API_KEY_LIMIT", "a brand has at most 20 active API keys; revoke one first")
		}
		if err := s.Store.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return s.Store.AppendAudit(ctx, AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID, Action: "api_key.create",
			TargetType: "api_key", TargetID: id, Detail: map[string]any{"name": name}, RequestID: a.RequestID, CreatedAt: k.CreatedAt})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return k, apiKeyPrefix + token, nil
}

// List lists a brand's keys, newest first (revoked ones too, marked).
func (s *APIKeys) List(ctx context.Context, brandID string) ([]APIKey, error) {
	return s.Store.ListAPIKeys(ctx, brandID)
}

// Revoke revokes a key at once (404 for another brand's or unknown ids; revoking twice is fine).
func (s *APIKeys) Revoke(ctx context.Context, a Actor, brandID, id string) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		k, err := s.Store.APIKeyByID(ctx, id)
		if errors.Is(err, ErrNotFound) || err == nil && k.BrandID != brandID {
			return apperr.NotFoundf("no such API key")
		}
		if err != nil {
			return err
		}
		ok, err := s.Store.RevokeAPIKey(ctx, brandID, id, s.Clock.Now())
		if err != nil || !ok {
			return err
		}
		return s.Store.AppendAudit(ctx, AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID, Action: "api_key.revoke",
			TargetType: "api_key", TargetID: id, Detail: map[string]any{}, RequestID: a.RequestID, CreatedAt: s.Clock.Now()})
	})
}

// Authenticate resolves a presented key to its brand; every failure is the same 401.
func (s *APIKeys) Authenticate(ctx context.Context, token string) (APIKey, error) {
	fail := apperr.UnauthenticatedErr("missing, revoked or invalid API key")
	rest, ok := strings.CutPrefix(token, apiKeyPrefix)
	if !ok {
		return APIKey{}, fail
	}
	id, secret, ok := auth.SplitToken(rest)
	if !ok {
		return APIKey{}, fail
	}
	k, err := s.Store.APIKeyByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return APIKey{}, fail
	}
	if err != nil {
		return APIKey{}, err
	}
	if !auth.SecretMatches(k.SecretHash, secret) || k.RevokedAt != nil {
		return APIKey{}, fail
	}
	now := s.Clock.Now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= usedAtGranularity {
		// A bookkeeping write, at most once a minute per key; its failure must not refuse the call.
		_ = s.Store.MarkAPIKeyUsed(ctx, id, now)
	}
	return k, nil
}
