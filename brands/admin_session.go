package brands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
)

// Principal is an authenticated admin.
type Principal struct {
	BrandID, AdminID, Username, Role, SessionID string
}

// LoginInput is an admin login attempt.
type LoginInput struct {
	Brand, Username, Password string
	ClientIP, RequestID       string
}

var errBadLogin = apperr.New(apperr.Unauthenticated, "UNAUTHENTICATED", "wrong brand, username or password")

func (s *Service) maxFailures() int {
	if s.MaxLoginFailures > 0 {
		return s.MaxLoginFailures
	}
	return 5
}

func (s *Service) loginWindow() time.Duration {
	if s.LoginWindow > 0 {
		return s.LoginWindow
	}
	return 15 * time.Minute
}

// Login checks a password and opens a session. An unknown brand, an unknown admin, a disabled
// admin and a wrong password all answer the same 401 after the same work; repeated failures
// for one username or from one address answer 429 until the window passes.
func (s *Service) Login(ctx context.Context, in LoginInput) (token string, p Principal, err error) {
	userKey := fmt.Sprintf("login:u:%s:%s", strings.ToLower(in.Brand), strings.ToLower(in.Username))
	ipKey := "login:ip:" + in.ClientIP
	if err := s.checkLocked(ctx, userKey, s.maxFailures()); err != nil {
		return "", Principal{}, err
	}
	if err := s.checkLocked(ctx, ipKey, 4*s.maxFailures()); err != nil {
		return "", Principal{}, err
	}
	fail := func() (string, Principal, error) {
		if err := s.Attempts.RecordFailure(ctx, userKey, s.loginWindow()); err != nil {
			return "", Principal{}, err
		}
		if err := s.Attempts.RecordFailure(ctx, ipKey, s.loginWindow()); err != nil {
			return "", Principal{}, err
		}
		return "", Principal{}, errBadLogin
	}
	b, err := s.Store.BrandBySlug(ctx, strings.ToLower(in.Brand))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", Principal{}, err
	}
	var adm Admin
	if err == nil {
		adm, err = s.Store.AdminByUsername(ctx, b.ID, in.Username)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", Principal{}, err
		}
	}
	// Check always runs (against a dummy hash when the admin is unknown) so timing says nothing.
	ok := s.Passwords.Check(adm.PasswordHash, in.Password)
	if !ok || adm.ID == "" || adm.Disabled {
		return fail()
	}
	_ = s.Attempts.ResetFailures(ctx, userKey)
	id, secret, tok := auth.NewOpaqueToken()
	now := s.Clock.Now()
	ttl := s.SessionTTL
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateSession(ctx, Session{ID: id, BrandID: b.ID, AdminID: adm.ID,
			SecretHash: auth.HashSecret(secret), CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
			return err
		}
		if _, err := s.Store.UpdateAdmin(ctx, b.ID, adm.ID, AdminPatch{LastLoginAt: &now}); err != nil {
			return err
		}
		return s.audit(ctx, b.ID, Actor{Type: "admin", ID: adm.ID, RequestID: in.RequestID}, "admin.login", "admin", adm.ID,
			map[string]any{"ip": in.ClientIP})
	})
	if err != nil {
		return "", Principal{}, err
	}
	return tok, Principal{BrandID: b.ID, AdminID: adm.ID, Username: adm.Username, Role: adm.Role, SessionID: id}, nil
}

func (s *Service) checkLocked(ctx context.Context, key string, max int) error {
	n, ttl, err := s.Attempts.Failures(ctx, key)
	if err != nil {
		return err
	}
	if n >= int64(max) {
		return apperr.RateLimitedErr(ttl)
	}
	return nil
}

// Authenticate resolves an admin session token. Disabled admins and revoked or expired
// sessions answer 401.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	id, secret, ok := auth.SplitToken(token)
	if !ok {
		return Principal{}, apperr.UnauthenticatedErr("missing or invalid admin token")
	}
	sess, err := s.Store.SessionByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, apperr.UnauthenticatedErr("missing or invalid admin token")
	}
	if err != nil {
		return Principal{}, err
	}
	if !auth.SecretMatches(sess.SecretHash, secret) || sess.RevokedAt != nil || !s.Clock.Now().Before(sess.ExpiresAt) {
		return Principal{}, apperr.UnauthenticatedErr("missing, expired or invalid admin token")
	}
	adm, err := s.Store.AdminByID(ctx, sess.BrandID, sess.AdminID)
	if err != nil || adm.Disabled {
		return Principal{}, apperr.UnauthenticatedErr("admin is disabled")
	}
	return Principal{BrandID: sess.BrandID, AdminID: adm.ID, Username: adm.Username, Role: adm.Role, SessionID: sess.ID}, nil
}

// Logout revokes the session.
func (s *Service) Logout(ctx context.Context, p Principal, requestID string) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.RevokeSession(ctx, p.BrandID, p.SessionID, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, p.BrandID, Actor{Type: "admin", ID: p.AdminID, RequestID: requestID}, "admin.logout", "admin", p.AdminID, nil)
	})
}
