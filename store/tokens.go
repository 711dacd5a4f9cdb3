package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/adminsession"
	"github.com/sharecast/sharecast/ent/clockstate"
	"github.com/sharecast/sharecast/ent/refreshtoken"
)

// CreateRefreshToken inserts a refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t auth.RefreshToken) error {
	_, err := s.ent(ctx).RefreshToken.Create().SetID(t.ID).SetBrandID(t.BrandID).SetMemberID(t.MemberID).
		SetFamilyID(t.FamilyID).SetSecretHash(t.SecretHash).SetCreatedAt(t.CreatedAt).SetExpiresAt(t.ExpiresAt).Save(ctx)
	return err
}

// RefreshTokenByID reads a token by its global id.
func (s *Store) RefreshTokenByID(ctx context.Context, id string) (auth.RefreshToken, error) {
	r, err := s.ent(ctx).RefreshToken.Get(ctx, id)
	if ent.IsNotFound(err) {
		return auth.RefreshToken{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.RefreshToken{}, err
	}
	out := auth.RefreshToken{ID: r.ID, BrandID: r.BrandID, MemberID: r.MemberID, FamilyID: r.FamilyID,
		SecretHash: r.SecretHash, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, RevokedAt: r.RevokedAt}
	if r.ReplacedBy != nil {
		out.ReplacedBy = *r.ReplacedBy
	}
	return out, nil
}

// MarkRefreshUsed rotates a token once: the WHERE used_at IS NULL guard lets exactly one of
// several concurrent refreshes win, on both engines.
func (s *Store) MarkRefreshUsed(ctx context.Context, id string, at time.Time, replacedBy string) (bool, error) {
	n, err := s.ent(ctx).RefreshToken.Update().
		Where(refreshtoken.ID(id), refreshtoken.UsedAtIsNil(), refreshtoken.RevokedAtIsNil()).
		SetUsedAt(at).SetReplacedBy(replacedBy).Save(ctx)
	return n == 1, err
}

// RevokeRefreshFamily revokes every token of a login.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	_, err := s.ent(ctx).RefreshToken.Update().
		Where(refreshtoken.FamilyID(familyID), refreshtoken.RevokedAtIsNil()).SetRevokedAt(at).Save(ctx)
	return err
}

// PurgeExpiredTokens deletes refresh tokens and admin sessions that expired before cutoff.
func (s *Store) PurgeExpiredTokens(ctx context.Context, cutoff time.Time) (int, error) {
	n, err := s.ent(ctx).RefreshToken.Delete().Where(refreshtoken.ExpiresAtLT(cutoff)).Exec(ctx)
	if err != nil {
		return 0, err
	}
	m, err := s.ent(ctx).AdminSession.Delete().Where(adminsession.ExpiresAtLT(cutoff)).Exec(ctx)
	return n + m, err
}

// ClockOffset reads the shared simulated-clock offset (0 before any move).
func (s *Store) ClockOffset(ctx context.Context) (time.Duration, error) {
	row, err := s.ent(ctx).ClockState.Query().Where(clockstate.ID(1)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return time.Duration(row.OffsetSeconds) * time.Second, nil
}

// AdvanceClock moves the offset forward by whole seconds and returns the new offset. The row
// is created on first use; the UPDATE adds in SQL so concurrent moves both count.
func (s *Store) AdvanceClock(ctx context.Context, by time.Duration) (time.Duration, error) {
	secs := int64(by / time.Second)
	err := s.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.ent(ctx).ClockState.Update().Where(clockstate.ID(1)).AddOffsetSeconds(secs).SetUpdatedAt(time.Now()).Save(ctx)
		if err != nil || n == 1 {
			return err
		}
		return s.ent(ctx).ClockState.Create().SetID(1).SetOffsetSeconds(secs).SetUpdatedAt(time.Now()).Exec(ctx)
	})
	if err != nil {
		return 0, err
	}
	return s.ClockOffset(ctx)
}
