// Package auth issues and checks credentials: member access tokens (JWT, HS256 pinned, kid for
// key rotation), rotating refresh tokens with a reuse grace window and family revocation, and
// opaque "<id>.<secret>" tokens whose secret is stored only as a hash. It knows nothing of HTTP
// or SQL; storage comes through RefreshStore.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
)

const (
	issuer     = "sharecast"
	audienceMP = "mp"
)

// Key is one signing key.
type Key struct {
	ID     string
	Secret []byte
}

// NewKey names a key by a hash of it, so the kid says nothing of the key itself.
func NewKey(secret []byte) Key {
	h := sha256.Sum256(append([]byte("kid:"), secret...))
	return Key{ID: hex.EncodeToString(h[:4]), Secret: secret}
}

// RefreshToken is the stored form of a refresh token.
type RefreshToken struct {
	ID, BrandID, MemberID, FamilyID string
	SecretHash                      []byte
	CreatedAt, ExpiresAt            time.Time
	UsedAt                          *time.Time
	ReplacedBy                      string
	RevokedAt                       *time.Time
}

// RefreshStore keeps refresh tokens.
type RefreshStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshTokenByID looks a token up globally (it is presented before the brand is known).
	RefreshTokenByID(ctx context.Context, id string) (RefreshToken, error)
	// MarkRefreshUsed sets used_at and replaced_by only if the token is still unused, and
	// answers whether it did (the guarded UPDATE decides concurrent refreshes).
	MarkRefreshUsed(ctx context.Context, id string, at time.Time, replacedBy string) (bool, error)
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
}

// ErrNotFound is what RefreshStore answers for an unknown id.
var ErrNotFound = errors.New("auth: not found")

// Pair is what a login or refresh hands out.
type Pair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	BrandID      string
	MemberID     string
}

// Claims are what a valid access token says.
type Claims struct {
	BrandID, MemberID string
	ExpiresAt         time.Time
}

// Issuer issues and verifies member tokens.
type Issuer struct {
	Current    Key
	Previous   []Key // still accepted for verification, never used to sign
	Clock      clock.Clock
	Store      RefreshStore
	AccessTTL  time.Duration // ≤ 2 h
	RefreshTTL time.Duration
	Grace      time.Duration
}

// NewIssuer returns an issuer with the service's defaults: 1 h access, 30 d refresh, 30 s grace.
func NewIssuer(current Key, clk clock.Clock, st RefreshStore, previous ...Key) *Issuer {
	return &Issuer{Current: current, Previous: previous, Clock: clk, Store: st,
		AccessTTL: time.Hour, RefreshTTL: 30 * 24 * time.Hour, Grace: 30 * time.Second}
}

var errUnauth = apperr.UnauthenticatedErr("missing, expired or invalid token")

// Issue starts a new token family for a login.
func (i *Issuer) Issue(ctx context.Context, brandID, memberID string) (Pair, error) {
	id, secret := randomToken()
	now := i.Clock.Now()
	rt := RefreshToken{ID: id, BrandID: brandID, MemberID: memberID, FamilyID: id,
		SecretHash: hashSecret(secret), CreatedAt: now, ExpiresAt: now.Add(i.RefreshTTL)}
	if err := i.Store.CreateRefreshToken(ctx, rt); err != nil {
		return Pair{}, err
	}
	return i.pair(rt, secret)
}

// Refresh rotates a refresh token. The successor of a token is derived from it with the
// server key, so a repeat inside the grace window (a client retrying over a flaky network)
// gets the very same pair back; a repeat after it means the token leaked, and the whole family
// is revoked.
func (i *Issuer) Refresh(ctx context.Context, token string) (Pair, error) {
	id, secret, ok := SplitToken(token)
	if !ok {
		return Pair{}, errUnauth
	}
	rt, err := i.Store.RefreshTokenByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Pair{}, errUnauth
	}
	if err != nil {
		return Pair{}, err
	}
	if subtle.ConstantTimeCompare(rt.SecretHash, hashSecret(secret)) != 1 {
		return Pair{}, errUnauth
	}
	now := i.Clock.Now()
	if rt.RevokedAt != nil || !now.Before(rt.ExpiresAt) {
		return Pair{}, errUnauth
	}
	succID, succSecret := i.successor(id, secret)
	if rt.UsedAt == nil {
		var won bool
		err := i.Store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			won, err = i.Store.MarkRefreshUsed(ctx, id, now, succID)
			if err != nil || !won {
				return err
			}
			return i.Store.CreateRefreshToken(ctx, RefreshToken{ID: succID, BrandID: rt.BrandID,
				MemberID: rt.MemberID, FamilyID: rt.FamilyID, SecretHash: hashSecret(succSecret),
				CreatedAt: now, ExpiresAt: now.Add(i.RefreshTTL)})
		})
		if err != nil {
			return Pair{}, err
		}
		if !won { // a concurrent refresh won: read what it did
			if rt, err = i.Store.RefreshTokenByID(ctx, id); err != nil {
				return Pair{}, err
			}
		}
	}
	if rt.UsedAt != nil && now.Sub(*rt.UsedAt) > i.Grace {
		if err := i.Store.RevokeRefreshFamily(ctx, rt.FamilyID, now); err != nil {
			return Pair{}, err
		}
		return Pair{}, apperr.New(apperr.Unauthenticated, "UNAUTHENTICATED", "refresh token was already used; every session of this login is signed out")
	}
	succ, err := i.Store.RefreshTokenByID(ctx, succID)
	if err != nil {
		return Pair{}, err
	}
	if succ.RevokedAt != nil {
		return Pair{}, errUnauth
	}
	return i.pair(succ, succSecret)
}

// pair builds the tokens for a stored refresh token; the access token depends only on the
// row, so rebuilding it inside the grace window gives the same bytes.
func (i *Issuer) pair(rt RefreshToken, secret string) (Pair, error) {
	exp := rt.CreatedAt.Add(i.AccessTTL)
	claims := jwt.MapClaims{
		"iss": issuer, "aud": audienceMP, "sub": rt.MemberID, "bid": rt.BrandID,
		"iat": rt.CreatedAt.Unix(), "exp": exp.Unix(), "jti": rt.ID,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = i.Current.ID
	s, err := tok.SignedString(i.Current.Secret)
	if err != nil {
		return Pair{}, err
	}
	return Pair{AccessToken: s, RefreshToken: rt.ID + "." + secret, ExpiresIn: int(i.AccessTTL / time.Second),
		BrandID: rt.BrandID, MemberID: rt.MemberID}, nil
}

// VerifyAccess checks an access token: algorithm pinned to HS256, key by kid, issuer,
// audience and expiry by the service clock.
func (i *Issuer) VerifyAccess(token string) (Claims, error) {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(audienceMP),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(i.Clock.Now),
	)
	var mc jwt.MapClaims
	_, err := p.ParseWithClaims(token, &mc, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == i.Current.ID {
			return i.Current.Secret, nil
		}
		for _, k := range i.Previous {
			if kid == k.ID {
				return k.Secret, nil
			}
		}
		return nil, errors.New("unknown kid")
	})
	if err != nil {
		return Claims{}, errUnauth
	}
	sub, _ := mc["sub"].(string)
	bid, _ := mc["bid"].(string)
	exp, _ := mc.GetExpirationTime()
	if sub == "" || bid == "" || exp == nil {
		return Claims{}, errUnauth
	}
	return Claims{BrandID: bid, MemberID: sub, ExpiresAt: exp.Time}, nil
}

func (i *Issuer) successor(id, secret string) (string, string) {
	m := hmac.New(sha256.New, i.Current.Secret)
	m.Write([]byte("refresh-successor\x00" + id + "\x00" + secret))
	sum := m.Sum(nil)
	m.Reset()
	m.Write([]byte("refresh-successor-id\x00" + id))
	idSum := m.Sum(nil)
	return hex.EncodeToString(idSum[:16]), base64.RawURLEncoding.EncodeToString(sum)
}

// randomToken returns a fresh id and secret (128-bit id, 256-bit secret).
func randomToken() (string, string) {
	id := make([]byte, 16)
	sec := make([]byte, 32)
	_, _ = rand.Read(id)
	_, _ = rand.Read(sec)
	return hex.EncodeToString(id), base64.RawURLEncoding.EncodeToString(sec)
}

// NewOpaqueToken returns id, secret and the token "<id>.<secret>" for sessions and API keys.
func NewOpaqueToken() (id, secret, token string) {
	id, secret = randomToken()
	return id, secret, id + "." + secret
}

// SplitToken splits "<id>.<secret>".
func SplitToken(token string) (id, secret string, ok bool) {
	id, secret, ok = strings.Cut(token, ".")
	if !ok || len(id) == 0 || len(id) > 64 || len(secret) == 0 || len(secret) > 128 {
		return "", "", false
	}
	return id, secret, true
}

// HashSecret is how opaque secrets are stored.
func HashSecret(secret string) []byte { return hashSecret(secret) }

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(stored []byte, secret string) bool {
	return subtle.ConstantTimeCompare(stored, hashSecret(secret)) == 1
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
