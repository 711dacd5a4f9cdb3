package brands

import (
	"context"
	"errors"
	"regexp"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
)

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9._@-]{2,64}$`)

// NewAdminInput creates an admin.
type NewAdminInput struct {
	Username, Password, Role string
}

func (s *Service) hash(password string) (string, error) {
	h, err := s.Passwords.Hash(password)
	if errors.Is(err, auth.ErrWeakPassword) {
		return "", apperr.New(apperr.Invalid, "WEAK_PASSWORD", err.Error())
	}
	return h, err
}

// CreateAdmin adds an admin to a brand (owner, or the CLI).
func (s *Service) CreateAdmin(ctx context.Context, a Actor, brandID string, in NewAdminInput) (Admin, error) {
	if !usernameRe.MatchString(in.Username) {
		return Admin{}, apperr.InvalidArgument("username must be 2-64 letters, digits or ._@-")
	}
	if !ValidRole(in.Role) {
		return Admin{}, apperr.InvalidArgument("role must be owner, operator or finance")
	}
	h, err := s.hash(in.Password)
	if err != nil {
		return Admin{}, err
	}
	var out Admin
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.Brand(ctx, brandID); err != nil {
			return err
		}
		adm, err := s.Store.CreateAdmin(ctx, Admin{BrandID: brandID, Username: in.Username, Role: in.Role, PasswordHash: h})
		if errors.Is(err, ErrDuplicate) {
			return apperr.New(apperr.Conflict, "ADMIN_EXISTS", "an admin with this username exists in this brand")
		}
		if err != nil {
			return err
		}
		out = adm
		return s.audit(ctx, brandID, a, "admin.create", "admin", adm.ID, map[string]any{"username": adm.Username, "role": adm.Role})
	})
	return out, err
}

// Admins lists a brand's admins.
func (s *Service) Admins(ctx context.Context, brandID string) ([]Admin, error) {
	return s.Store.ListAdmins(ctx, brandID)
}

// AdminChange is a PATCH of an admin by an owner.
type AdminChange struct {
	Role     *string
	Disabled *bool
}

// UpdateAdmin changes role or disabled. A brand always keeps one active owner; disabling
// revokes the admin's sessions at once.
func (s *Service) UpdateAdmin(ctx context.Context, a Actor, brandID, adminID string, ch AdminChange) (Admin, error) {
	if ch.Role != nil && !ValidRole(*ch.Role) {
		return Admin{}, apperr.InvalidArgument("role must be owner, operator or finance")
	}
	var out Admin
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.AdminByID(ctx, brandID, adminID)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no such admin")
		}
		if err != nil {
			return err
		}
		losesOwner := cur.Role == RoleOwner && !cur.Disabled &&
			((ch.Role != nil && *ch.Role != RoleOwner) || (ch.Disabled != nil && *ch.Disabled))
		if losesOwner {
			n, err := s.Store.CountActiveOwners(ctx, brandID)
			if err != nil {
				return err
			}
			if n <= 1 {
				return apperr.New(apperr.Rule, "LAST_OWNER", "a brand must keep at least one active owner")
			}
		}
		out, err = s.Store.UpdateAdmin(ctx, brandID, adminID, AdminPatch{Role: ch.Role, Disabled: ch.Disabled})
		if err != nil {
			return err
		}
		if ch.Disabled != nil && *ch.Disabled {
			if err := s.Store.RevokeAdminSessions(ctx, brandID, adminID, s.Clock.Now()); err != nil {
				return err
			}
		}
		detail := map[string]any{}
		if ch.Role != nil {
			detail["role"] = *ch.Role
		}
		if ch.Disabled != nil {
			detail["disabled"] = *ch.Disabled
		}
		return s.audit(ctx, brandID, a, "admin.update", "admin", adminID, detail)
	})
	return out, err
}

// ChangePassword lets an admin change their own password; every other session of theirs ends.
func (s *Service) ChangePassword(ctx context.Context, p Principal, requestID, current, next string) error {
	adm, err := s.Store.AdminByID(ctx, p.BrandID, p.AdminID)
	if err != nil {
		return err
	}
	if !s.Passwords.Check(adm.PasswordHash, current) {
		return apperr.New(apperr.Unauthenticated, "UNAUTHENTICATED", "current password is wrong")
	}
	h, err := s.hash(next)
	if err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.Store.UpdateAdmin(ctx, p.BrandID, p.AdminID, AdminPatch{PasswordHash: &h}); err != nil {
			return err
		}
		if err := s.Store.RevokeAdminSessions(ctx, p.BrandID, p.AdminID, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, p.BrandID, Actor{Type: "admin", ID: p.AdminID, RequestID: requestID}, "admin.password", "admin", p.AdminID, nil)
	})
}

// ResetPassword sets a password from the CLI (`sharecast admin reset-password`).
func (s *Service) ResetPassword(ctx context.Context, a Actor, brandID, username, password string) error {
	h, err := s.hash(password)
	if err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		adm, err := s.Store.AdminByUsername(ctx, brandID, username)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no admin %q in this brand", username)
		}
		if err != nil {
			return err
		}
		if _, err := s.Store.UpdateAdmin(ctx, brandID, adm.ID, AdminPatch{PasswordHash: &h}); err != nil {
			return err
		}
		if err := s.Store.RevokeAdminSessions(ctx, brandID, adm.ID, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, brandID, a, "admin.reset_password", "admin", adm.ID, nil)
	})
}
