// Package reminders owns WeChat subscribe messages (订阅消息) as sharecast uses them: the
// one-time credits members grant in wx.requestSubscribeMessage, each brand's templates and
// how their fields are filled per purpose, and the sender that other areas call ("send
// purpose P to member M of brand B with these values"). A send spends one credit, runs as a
// durable job, is idempotent per a caller-given key and is recorded with its outcome.
//
// It declares what it needs (Store, Queue, Messenger, Members) and never imports HTTP, SQL or
// Redis packages, nor the WeChat client: the composition root adapts those.
package reminders

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
)

// Purpose is what a template is used for.
type Purpose string

// Purposes.
const (
	// LiveReminder reminds a member of a live they care about (e.g. before it starts).
	LiveReminder Purpose = "live_reminder"
	// ShortfallReminder is the second round when reservations fall short (DESIGN §0).
	ShortfallReminder Purpose = "shortfall_reminder"
	// ShortfallTask is the second round's task message to a top inviter or group owner:
	// fresh copy and their own share code (the page opens their link).
	ShortfallTask Purpose = "shortfall_task"
	// PayoutConfirmation asks a member to confirm a WeChat Pay transfer (DESIGN §3.6).
	PayoutConfirmation Purpose = "payout_confirmation"
)

// Variables lists, per purpose, the values a caller supplies and a template may use as
// {name} in its fields and page. Callers format them (FormatTime, FormatFen).
var Variables = map[Purpose][]string{
	LiveReminder:       {"live_id", "live_title", "start_time", "finder_nickname", "member_nickname"},
	ShortfallReminder:  {"live_id", "live_title", "start_time", "reserved", "target", "gap", "member_nickname"},
	ShortfallTask:      {"live_id", "live_title", "start_time", "reserved", "target", "gap", "code", "copy", "member_nickname"},
	PayoutConfirmation: {"payout_id", "amount", "requested_at", "expires_at", "member_nickname"},
}

// Purposes lists every purpose in a stable order.
var Purposes = []Purpose{LiveReminder, ShortfallReminder, ShortfallTask, PayoutConfirmation}

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool {
	_, ok := Variables[p]
	return ok
}

// Template is a brand's subscribe template for one purpose. Fields maps WeChat data keys
// (thing1, time2, …) to text with {variable} placeholders; Page is the mini-program page the
// message opens, with placeholders too (their values are query-escaped).
type Template struct {
	BrandID          string
	Purpose          Purpose
	TemplateID       string
	Page             string
	Fields           map[string]string
	MiniprogramState string // formal | trial | developer
	Lang             string // zh_CN | en_US | zh_HK | zh_TW
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Credit statuses.
const (
	CreditAvailable = "available"
	CreditSpent     = "spent"
	CreditVoid      = "void"
)

// Status is what became of a send.
type Status string

// Send statuses. queued and sending still change (queued → sending → a final status, or back
// to queued for a retry); no_credit becomes queued when the same key is sent again after the
// member granted a credit.
const (
	StatusNoCredit Status = "no_credit" // the member had no credit for the template: nothing sent
	StatusQueued   Status = "queued"    // a credit is held; the job will send
	StatusSending  Status = "sending"   // the job is calling WeChat now
	StatusSent     Status = "sent"      // WeChat accepted it
	StatusRefused  Status = "refused"   // 43101: the user refused or has no credit left at WeChat
	StatusInvalid  Status = "invalid"   // 47003: WeChat refused the data; credit given back
	StatusFailed   Status = "failed"    // WeChat refused otherwise or stayed unavailable; credit given back
	StatusExpired  Status = "expired"   // not sent before the caller's deadline; credit given back
	StatusUnknown  Status = "unknown"   // the call may have reached WeChat; not repeated (at most once)
)

// Statuses lists every status.
var Statuses = []Status{StatusNoCredit, StatusQueued, StatusSending, StatusSent, StatusRefused, StatusInvalid, StatusFailed, StatusExpired, StatusUnknown}

// Send is one recorded send.
type Send struct {
	ID, BrandID, MemberID string
	Purpose               Purpose
	Key, Batch            string
	TemplateID, Page      string
	Data                  map[string]string
	MiniprogramState      string
	Lang                  string
	Status                Status
	CreditID              string
	Attempts              int
	ErrCode               int
	Error                 string
	ExpiresAt             *time.Time
	CreatedAt, UpdatedAt  time.Time
	SentAt                *time.Time
}

// SendChange moves a send out of a status (guarded by the store).
type SendChange struct {
	Status   Status
	CreditID *string // set (to "" to clear) when the held credit changes
	Attempts int
	ErrCode  int
	Error    string
	At       time.Time
	SentAt   *time.Time
}

// SendFilter narrows the send log.
type SendFilter struct {
	MemberID, Batch string
	Purpose         Purpose
	Status          Status
}

// ErrNotFound, ErrDuplicate are what Store implementations answer.
var (
	ErrNotFound  = errors.New("reminders: not found")
	ErrDuplicate = errors.New("reminders: duplicate")
)

// Store is the storage the package needs. Methods take brand_id explicitly.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error

	SubscribeTemplates(ctx context.Context, brandID string) ([]Template, error)
	SubscribeTemplate(ctx context.Context, brandID string, p Purpose) (Template, error)
	PutSubscribeTemplate(ctx context.Context, t Template) (Template, error)
	DeleteSubscribeTemplate(ctx context.Context, brandID string, p Purpose) error

	// AddSubscribeCredits adds n available credits.
	AddSubscribeCredits(ctx context.Context, brandID, memberID, templateID string, n int, at time.Time) error
	// CountSubscribeCredits counts available credits per template id.
	CountSubscribeCredits(ctx context.Context, brandID, memberID string, templateIDs []string) (map[string]int, error)
	// SpendSubscribeCredit marks the oldest available credit spent by sendID; ok is false
	// when there is none. Concurrent calls never spend one credit twice.
	SpendSubscribeCredit(ctx context.Context, brandID, memberID, templateID, sendID string, at time.Time) (creditID string, ok bool, err error)
	// ReleaseSubscribeCredit makes a spent credit available again.
	ReleaseSubscribeCredit(ctx context.Context, brandID, creditID string) error
	// VoidSubscribeCredits voids every available credit of (member, template).
	VoidSubscribeCredits(ctx context.Context, brandID, memberID, templateID string, at time.Time) (int, error)

	// InsertSubscribeSend inserts s unless a send with its (brand, key) exists; it answers
	// the stored send and whether it was inserted. It must not abort the caller's
	// transaction on a duplicate key.
	InsertSubscribeSend(ctx context.Context, s Send) (Send, bool, error)
	SubscribeSend(ctx context.Context, brandID, id string) (Send, error)
	// ChangeSubscribeSend applies ch if the send is still in status from; it reports
	// whether it did.
	ChangeSubscribeSend(ctx context.Context, brandID, id string, from Status, ch SendChange) (bool, error)
	ListSubscribeSends(ctx context.Context, brandID string, f SendFilter, p brands.Page) ([]Send, string, error)
	CountSubscribeSends(ctx context.Context, brandID, batch string) (map[Status]int, error)
}

// Queue enqueues the job that sends a queued send, inside the transaction in ctx.
type Queue interface {
	EnqueueSubscribeSend(ctx context.Context, brandID, sendID string) error
}

// Message is one subscribeMessage.send call.
type Message struct {
	BrandID          string
	OpenID           string
	TemplateID       string
	Page             string
	Data             map[string]string
	MiniprogramState string
	Lang             string
}

// Messenger sends a subscribe message with the brand's mini-program. Its error is nil on
// success, wraps one of ErrRefused, ErrBadData, ErrRejected, ErrOutcomeUnknown when WeChat
// said so, and is anything else when the call may be retried (WeChat busy, network down
// before the request left).
type Messenger interface {
	SendSubscribeMessage(ctx context.Context, m Message) error
}

// What a Messenger reports (WECHAT.md §2).
var (
	ErrRefused        = errors.New("reminders: 43101 the user refused or has no subscription left")
	ErrBadData        = errors.New("reminders: 47003 WeChat refused the data")
	ErrRejected       = errors.New("reminders: WeChat refused the message")
	ErrOutcomeUnknown = errors.New("reminders: the request may have reached WeChat")
)

// Members finds the member a send is addressed to (store.Store satisfies it).
type Members interface {
	MemberByID(ctx context.Context, brandID, id string) (referral.Member, error)
}

// Auditor records admin actions (store.Store satisfies it).
type Auditor interface {
	AppendAudit(ctx context.Context, e brands.AuditEntry) error
}

// Service is the reminders use cases.
type Service struct {
	Store     Store
	Queue     Queue
	Messenger Messenger
	Members   Members
	Audit     Auditor
	Clock     clock.Clock
}

// Errors callers may check.
var (
	// ErrNoTemplate: the brand configured no template for the purpose (a round goes on
	// without its subscribe part and says why).
	ErrNoTemplate = apperr.New(apperr.Rule, "SUBSCRIBE_TEMPLATE_MISSING", "the brand has no subscribe template for this purpose")
)

func (s *Service) audit(ctx context.Context, a brands.Actor, brandID, action, targetID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID,
		Action: action, TargetType: "subscribe_template", TargetID: targetID, Detail: detail,
		RequestID: a.RequestID, CreatedAt: s.Clock.Now()})
}
