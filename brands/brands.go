// Package brands owns the tenant: a brand's settings and rules, its credentials (sealed,
// write-only), its admins and their sessions, and the audit log of what admins do. It declares
// the storage it needs (Store) and never imports HTTP, SQL or Redis packages.
package brands

import (
	"context"
	"errors"
	"time"
)

// Roles of an admin.
const (
	RoleOwner    = "owner"
	RoleOperator = "operator"
	RoleFinance  = "finance"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return r == RoleOwner || r == RoleOperator || r == RoleFinance }

// Brand is one tenant as the service sees it. Credentials appear only as "is set" flags and,
// for the clients at the edge, as sealed bytes opened through the Service.
type Brand struct {
	ID, Slug, Name, City, Timezone string
	MPAppID                        string
	ChannelsAppID, FinderUserName  string
	PayMchID, PaySerialNo          string
	PayPublicKeyID, PayPublicKey   string
	PayTransferSceneID             string
	OutBillPrefix                  string
	Rules                          Rules
	Sealed                         map[string][]byte // credential field → sealed value
	CreatedAt                      time.Time
}

// Credential fields (write-only through the API).
const (
	CredMPAppSecret       = "mp_app_secret"
	CredChannelsAppSecret = "channels_app_secret"
	CredPushToken         = "push_token"
	CredPushAESKey        = "push_encoding_aes_key"
	CredPayPrivateKey     = "pay_private_key"
	CredPayAPIv3Key       = "pay_apiv3_key"
)

// CredentialFields lists every write-only credential.
var CredentialFields = []string{CredMPAppSecret, CredChannelsAppSecret, CredPushToken, CredPushAESKey, CredPayPrivateKey, CredPayAPIv3Key}

// HasCredential reports whether a credential is set.
func (b Brand) HasCredential(field string) bool { return len(b.Sealed[field]) > 0 }

// Admin is a console user of one brand.
type Admin struct {
	ID, BrandID, Username, Role string
	PasswordHash                string
	Disabled                    bool
	LastLoginAt                 *time.Time
	CreatedAt                   time.Time
}

// Session is one admin login.
type Session struct {
	ID, BrandID, AdminID string
	SecretHash           []byte
	CreatedAt, ExpiresAt time.Time
	RevokedAt            *time.Time
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID, BrandID          string
	ActorType, ActorID   string // admin | cli | system
	Action               string
	TargetType, TargetID string
	Detail               map[string]any
	RequestID            string
	CreatedAt            time.Time
}

// BrandPatch changes a brand; nil fields stay.
type BrandPatch struct {
	Name, City, Timezone, MPAppID         *string
	ChannelsAppID, FinderUserName         *string
	PayMchID, PaySerialNo, PayPublicKeyID *string
	PayPublicKey, PayTransferSceneID      *string
	Rules                                 *Rules
	Sealed                                map[string][]byte // credential field → new sealed value
}

// AdminPatch changes an admin; nil fields stay.
type AdminPatch struct {
	Role         *string
	Disabled     *bool
	PasswordHash *string
	LastLoginAt  *time.Time
}

// Page is a cursor page request.
type Page struct {
	Cursor string
	Limit  int
}

// ErrNotFound, ErrDuplicate are what Store implementations answer.
var (
	ErrNotFound  = errors.New("brands: not found")
	ErrDuplicate = errors.New("brands: duplicate")
)

// Store is the storage the package needs.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateBrand(ctx context.Context, b Brand) (Brand, error)
	BrandByID(ctx context.Context, id string) (Brand, error)
	BrandBySlug(ctx context.Context, slug string) (Brand, error)
	BrandByAppID(ctx context.Context, appID string) (Brand, error)
	UpdateBrand(ctx context.Context, id string, p BrandPatch) (Brand, error)

	CreateAdmin(ctx context.Context, a Admin) (Admin, error)
	AdminByID(ctx context.Context, brandID, id string) (Admin, error)
	AdminByUsername(ctx context.Context, brandID, username string) (Admin, error)
	ListAdmins(ctx context.Context, brandID string) ([]Admin, error)
	UpdateAdmin(ctx context.Context, brandID, id string, p AdminPatch) (Admin, error)
	CountActiveOwners(ctx context.Context, brandID string) (int, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByID(ctx context.Context, id string) (Session, error)
	RevokeSession(ctx context.Context, brandID, id string, at time.Time) error
	RevokeAdminSessions(ctx context.Context, brandID, adminID string, at time.Time) error

	AppendAudit(ctx context.Context, e AuditEntry) error
	ListAudit(ctx context.Context, brandID string, p Page) ([]AuditEntry, string, error)
}
