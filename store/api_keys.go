package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/apikey"
)

var _ brands.APIKeyStore = (*Orders)(nil)

func apiKeyErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return brands.ErrNotFound
	case ent.IsConstraintError(err):
		return fmt.Errorf("%w: %v", brands.ErrDuplicate, err)
	}
	return err
}

func toAPIKey(r *ent.APIKey) brands.APIKey {
	return brands.APIKey{ID: r.ID, BrandID: r.BrandID, Name: r.Name, SecretHash: r.SecretHash, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// CreateAPIKey stores a key.
func (o *Orders) CreateAPIKey(ctx context.Context, k brands.APIKey) error {
	_, err := o.ent(ctx).APIKey.Create().SetID(k.ID).SetBrandID(k.BrandID).SetName(k.Name).SetSecretHash(k.SecretHash).
		SetCreatedBy(k.CreatedBy).SetCreatedAt(k.CreatedAt.UTC()).Save(ctx)
	return apiKeyErr(err)
}

// APIKeyByID looks a key up by its global id.
func (o *Orders) APIKeyByID(ctx context.Context, id string) (brands.APIKey, error) {
	r, err := o.ent(ctx).APIKey.Get(ctx, id)
	if err != nil {
		return brands.APIKey{}, apiKeyErr(err)
	}
	return toAPIKey(r), nil
}

// ListAPIKeys lists a brand's keys, newest first.
func (o *Orders) ListAPIKeys(ctx context.Context, brandID string) ([]brands.APIKey, error) {
	rows, err := o.ent(ctx).APIKey.Query().Where(apikey.BrandID(brandID)).Order(ent.Desc(apikey.FieldCreatedAt)).Limit(200).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]brands.APIKey, len(rows))
	for i, r := range rows {
		out[i] = toAPIKey(r)
	}
	return out, nil
}

// CountActiveAPIKeys counts a brand's keys not revoked.
func (o *Orders) CountActiveAPIKeys(ctx context.Context, brandID string) (int, error) {
	return o.ent(ctx).APIKey.Query().Where(apikey.BrandID(brandID), apikey.RevokedAtIsNil()).Count(ctx)
}

// RevokeAPIKey revokes a key once.
func (o *Orders) RevokeAPIKey(ctx context.Context, brandID, id string, at time.Time) (bool, error) {
	n, err := o.ent(ctx).APIKey.Update().Where(apikey.BrandID(brandID), apikey.ID(id), apikey.RevokedAtIsNil()).SetRevokedAt(at.UTC()).Save(ctx)
	return n == 1, err
}

// MarkAPIKeyUsed records when a key was last used.
func (o *Orders) MarkAPIKeyUsed(ctx context.Context, id string, at time.Time) error {
	_, err := o.ent(ctx).APIKey.UpdateOneID(id).SetLastUsedAt(at.UTC()).Save(ctx)
	return err
}
