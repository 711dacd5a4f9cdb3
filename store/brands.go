package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/admin"
	"github.com/sharecast/sharecast/ent/adminsession"
	"github.com/sharecast/sharecast/ent/auditlog"
	"github.com/sharecast/sharecast/ent/brand"
)

// brandErr maps ent errors onto the brands sentinels.
func brandErr(err error) error {
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

func toBrand(b *ent.Brand) (brands.Brand, error) {
	var r brands.Rules
	if err := json.Unmarshal([]byte(b.Rules), &r); err != nil {
		return brands.Brand{}, fmt.Errorf("brand %s rules: %w", b.ID, err)
	}
	out := brands.Brand{ID: b.ID, Slug: b.Slug, Name: b.Name, City: b.City, Timezone: b.Timezone,
		ChannelsAppID: b.ChannelsAppID, FinderUserName: b.FinderUserName, PayMchID: b.PayMchID,
		PaySerialNo: b.PaySerialNo, PayPublicKeyID: b.PayPublicKeyID, PayPublicKey: b.PayPublicKey,
		PayTransferSceneID: b.PayTransferSceneID, OutBillPrefix: b.OutBillPrefix, Rules: r.Normalize(),
		CreatedAt: b.CreatedAt,
		Sealed: map[string][]byte{
			brands.CredMPAppSecret: b.MpAppSecretSealed, brands.CredChannelsAppSecret: b.ChannelsAppSecretSealed,
			brands.CredPushToken: b.PushTokenSealed, brands.CredPushAESKey: b.PushAesKeySealed,
			brands.CredPayPrivateKey: b.PayPrivateKeySealed, brands.CredPayAPIv3Key: b.PayApiv3KeySealed,
		}}
	if b.MpAppID != nil {
		out.MPAppID = *b.MpAppID
	}
	return out, nil
}

// CreateBrand inserts a brand.
func (s *Store) CreateBrand(ctx context.Context, b brands.Brand) (brands.Brand, error) {
	if b.Rules == (brands.Rules{}) {
		// No rules given: the defaults (an explicit 0 is a setting once stored).
		b.Rules = brands.DefaultRules()
	}
	rules, err := json.Marshal(b.Rules)
	if err != nil {
		return brands.Brand{}, err
	}
	c := s.ent(ctx).Brand.Create().SetSlug(b.Slug).SetName(b.Name).SetCity(b.City).
		SetTimezone(b.Timezone).SetOutBillPrefix(b.OutBillPrefix).SetRules(string(rules))
	if b.MPAppID != "" {
		c.SetMpAppID(b.MPAppID)
	}
	row, err := c.Save(ctx)
	if err != nil {
		return brands.Brand{}, brandErr(err)
	}
	return toBrand(row)
}

// BrandByID reads a brand.
func (s *Store) BrandByID(ctx context.Context, id string) (brands.Brand, error) {
	row, err := s.ent(ctx).Brand.Get(ctx, id)
	if err != nil {
		return brands.Brand{}, brandErr(err)
	}
	return toBrand(row)
}

// BrandBySlug reads a brand by its login slug.
func (s *Store) BrandBySlug(ctx context.Context, slug string) (brands.Brand, error) {
	row, err := s.ent(ctx).Brand.Query().Where(brand.Slug(slug)).Only(ctx)
	if err != nil {
		return brands.Brand{}, brandErr(err)
	}
	return toBrand(row)
}

// BrandByAppID reads a brand by mini-program appid.
func (s *Store) BrandByAppID(ctx context.Context, appID string) (brands.Brand, error) {
	row, err := s.ent(ctx).Brand.Query().Where(brand.MpAppID(appID)).Only(ctx)
	if err != nil {
		return brands.Brand{}, brandErr(err)
	}
	return toBrand(row)
}

// UpdateBrand applies a patch.
func (s *Store) UpdateBrand(ctx context.Context, id string, p brands.BrandPatch) (brands.Brand, error) {
	u := s.ent(ctx).Brand.UpdateOneID(id)
	setStr := func(v *string, set func(string) *ent.BrandUpdateOne) {
		if v != nil {
			set(*v)
		}
	}
	setStr(p.Name, u.SetName)
	setStr(p.City, u.SetCity)
	setStr(p.Timezone, u.SetTimezone)
	setStr(p.MPAppID, u.SetMpAppID)
	setStr(p.ChannelsAppID, u.SetChannelsAppID)
	setStr(p.FinderUserName, u.SetFinderUserName)
	setStr(p.PayMchID, u.SetPayMchID)
	setStr(p.PaySerialNo, u.SetPaySerialNo)
	setStr(p.PayPublicKeyID, u.SetPayPublicKeyID)
	setStr(p.PayPublicKey, u.SetPayPublicKey)
	setStr(p.PayTransferSceneID, u.SetPayTransferSceneID)
	if p.Rules != nil {
		b, err := json.Marshal(p.Rules)
		if err != nil {
			return brands.Brand{}, err
		}
		u.SetRules(string(b))
	}
	for field, v := range p.Sealed {
		switch field {
		case brands.CredMPAppSecret:
			u.SetMpAppSecretSealed(v)
		case brands.CredChannelsAppSecret:
			u.SetChannelsAppSecretSealed(v)
		case brands.CredPushToken:
			u.SetPushTokenSealed(v)
		case brands.CredPushAESKey:
			u.SetPushAesKeySealed(v)
		case brands.CredPayPrivateKey:
			u.SetPayPrivateKeySealed(v)
		case brands.CredPayAPIv3Key:
			u.SetPayApiv3KeySealed(v)
		default:
			return brands.Brand{}, fmt.Errorf("unknown credential %q", field)
		}
	}
	row, err := u.Save(ctx)
	if err != nil {
		return brands.Brand{}, brandErr(err)
	}
	return toBrand(row)
}

func toAdmin(a *ent.Admin) brands.Admin {
	return brands.Admin{ID: a.ID, BrandID: a.BrandID, Username: a.Username, Role: string(a.Role),
		PasswordHash: a.PasswordHash, Disabled: a.Disabled, LastLoginAt: a.LastLoginAt, CreatedAt: a.CreatedAt}
}

// CreateAdmin inserts an admin.
func (s *Store) CreateAdmin(ctx context.Context, a brands.Admin) (brands.Admin, error) {
	row, err := s.ent(ctx).Admin.Create().SetBrandID(a.BrandID).SetUsername(a.Username).
		SetPasswordHash(a.PasswordHash).SetRole(admin.Role(a.Role)).Save(ctx)
	if err != nil {
		return brands.Admin{}, brandErr(err)
	}
	return toAdmin(row), nil
}

// AdminByID reads an admin of a brand.
func (s *Store) AdminByID(ctx context.Context, brandID, id string) (brands.Admin, error) {
	row, err := s.ent(ctx).Admin.Query().Where(admin.BrandID(brandID), admin.ID(id)).Only(ctx)
	if err != nil {
		return brands.Admin{}, brandErr(err)
	}
	return toAdmin(row), nil
}

// AdminByUsername reads an admin of a brand by username.
func (s *Store) AdminByUsername(ctx context.Context, brandID, username string) (brands.Admin, error) {
	row, err := s.ent(ctx).Admin.Query().Where(admin.BrandID(brandID), admin.Username(username)).Only(ctx)
	if err != nil {
		return brands.Admin{}, brandErr(err)
	}
	return toAdmin(row), nil
}

// ListAdmins lists a brand's admins by username.
func (s *Store) ListAdmins(ctx context.Context, brandID string) ([]brands.Admin, error) {
	rows, err := s.ent(ctx).Admin.Query().Where(admin.BrandID(brandID)).Order(ent.Asc(admin.FieldUsername)).Limit(1000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]brands.Admin, len(rows))
	for i, r := range rows {
		out[i] = toAdmin(r)
	}
	return out, nil
}

// UpdateAdmin applies a patch to an admin of a brand.
func (s *Store) UpdateAdmin(ctx context.Context, brandID, id string, p brands.AdminPatch) (brands.Admin, error) {
	u := s.ent(ctx).Admin.Update().Where(admin.BrandID(brandID), admin.ID(id))
	if p.Role != nil {
		u.SetRole(admin.Role(*p.Role))
	}
	if p.Disabled != nil {
		u.SetDisabled(*p.Disabled)
	}
	if p.PasswordHash != nil {
		u.SetPasswordHash(*p.PasswordHash)
	}
	if p.LastLoginAt != nil {
		u.SetLastLoginAt(*p.LastLoginAt)
	}
	n, err := u.Save(ctx)
	if err != nil {
		return brands.Admin{}, brandErr(err)
	}
	if n == 0 {
		return brands.Admin{}, brands.ErrNotFound
	}
	return s.AdminByID(ctx, brandID, id)
}

// CountActiveOwners counts enabled owners.
func (s *Store) CountActiveOwners(ctx context.Context, brandID string) (int, error) {
	return s.ent(ctx).Admin.Query().Where(admin.BrandID(brandID), admin.RoleEQ(admin.RoleOwner), admin.Disabled(false)).Count(ctx)
}

// CreateSession inserts an admin session.
func (s *Store) CreateSession(ctx context.Context, ss brands.Session) error {
	_, err := s.ent(ctx).AdminSession.Create().SetID(ss.ID).SetBrandID(ss.BrandID).SetAdminID(ss.AdminID).
		SetSecretHash(ss.SecretHash).SetCreatedAt(ss.CreatedAt).SetExpiresAt(ss.ExpiresAt).Save(ctx)
	return brandErr(err)
}

// SessionByID reads a session by its global id.
func (s *Store) SessionByID(ctx context.Context, id string) (brands.Session, error) {
	r, err := s.ent(ctx).AdminSession.Get(ctx, id)
	if err != nil {
		return brands.Session{}, brandErr(err)
	}
	return brands.Session{ID: r.ID, BrandID: r.BrandID, AdminID: r.AdminID, SecretHash: r.SecretHash,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}, nil
}

// RevokeSession ends one session.
func (s *Store) RevokeSession(ctx context.Context, brandID, id string, at time.Time) error {
	_, err := s.ent(ctx).AdminSession.Update().
		Where(adminsession.BrandID(brandID), adminsession.ID(id), adminsession.RevokedAtIsNil()).
		SetRevokedAt(at).Save(ctx)
	return err
}

// RevokeAdminSessions ends every session of an admin.
func (s *Store) RevokeAdminSessions(ctx context.Context, brandID, adminID string, at time.Time) error {
	_, err := s.ent(ctx).AdminSession.Update().
		Where(adminsession.BrandID(brandID), adminsession.AdminID(adminID), adminsession.RevokedAtIsNil()).
		SetRevokedAt(at).Save(ctx)
	return err
}

// AppendAudit appends an audit row.
func (s *Store) AppendAudit(ctx context.Context, e brands.AuditEntry) error {
	d, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	_, err = s.ent(ctx).AuditLog.Create().SetBrandID(e.BrandID).SetActorType(auditlog.ActorType(e.ActorType)).
		SetActorID(e.ActorID).SetAction(e.Action).SetTargetType(e.TargetType).SetTargetID(e.TargetID).
		SetDetail(string(d)).SetRequestID(e.RequestID).SetCreatedAt(e.CreatedAt).Save(ctx)
	return err
}

// ListAudit pages a brand's audit log, newest first; the cursor is the last id seen.
func (s *Store) ListAudit(ctx context.Context, brandID string, p brands.Page) ([]brands.AuditEntry, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).AuditLog.Query().Where(auditlog.BrandID(brandID))
	if p.Cursor != "" {
		q = q.Where(auditlog.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(auditlog.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]brands.AuditEntry, len(rows))
	for i, r := range rows {
		var d map[string]any
		_ = json.Unmarshal([]byte(r.Detail), &d)
		out[i] = brands.AuditEntry{ID: r.ID, BrandID: r.BrandID, ActorType: string(r.ActorType), ActorID: r.ActorID,
			Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID, Detail: d, RequestID: r.RequestID, CreatedAt: r.CreatedAt}
	}
	return out, next, nil
}

// clampLimit applies the API's list rule: default 50, at most 200.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 200:
		return 200
	}
	return n
}

// ListBrands lists every brand (operators' CLI only; never exposed over HTTP).
func (s *Store) ListBrands(ctx context.Context) ([]brands.Brand, error) {
	rows, err := s.ent(ctx).Brand.Query().Order(ent.Asc(brand.FieldSlug)).Limit(10000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]brands.Brand, 0, len(rows))
	for _, r := range rows {
		b, err := toBrand(r)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
