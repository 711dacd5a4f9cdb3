// Package channelsorders is the WeChat Channels shop's door for orders. It receives the shop's
// message push (verify, decrypt, check the appid, store the event in an inbox and enqueue a
// job, all before answering "success" within WeChat's 5 s), and its job reads the order (and
// for after-sales the after-sale) through the shop API and hands the result to
// referral.OrderIntake, which owns attribution, commission and the ledger.
//
// It owns the translation from WeChat's order model to the intake's and nothing of what
// happens after; it never talks HTTP to sharecast's clients (server/ does) and never writes
// SQL (it declares Store; store/ implements it).
package channelsorders

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/wechat"
)

// InboxEvent is one stored push.
type InboxEvent struct {
	ID, BrandID string
	Event       string
	OrderID     string
	// EventKey is the event's own field (see channels.Event.DedupeKey).
	EventKey    string
	Payload     []byte // the decrypted message
	ReceivedAt  time.Time
	ProcessedAt *time.Time
	Outcome     string
	LastError   string
}

// Outcomes recorded on an applied event.
const (
	OutcomePaid         = "paid"
	OutcomeConfirmed    = "confirmed"
	OutcomeCancelled    = "cancelled"
	OutcomeUnpaidCancel = "unpaid_cancel" // a cancel of an order never paid: nothing to reverse
	OutcomeSettled      = "settled"
	OutcomeAfterSale    = "aftersale"
	OutcomeInvalid      = "invalid" // the stored payload could not be applied; never retried
)

// Errors Store implementations answer.
var (
	ErrNotFound = errors.New("channelsorders: not found")
	// ErrDuplicate: an event with the same (brand, event, order, key) won a concurrent insert.
	// On PostgreSQL the transaction is then unusable and must be rolled back.
	ErrDuplicate = errors.New("channelsorders: duplicate event")
)

// Store is the inbox.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// AddChannelsEvent stores e (its ID is assigned) unless an event with the same brand,
	// event, order id and key exists: then created is false and the stored id is answered.
	AddChannelsEvent(ctx context.Context, e InboxEvent) (id string, created bool, err error)
	// ChannelsEvent reads one event of a brand (ErrNotFound).
	ChannelsEvent(ctx context.Context, brandID, id string) (InboxEvent, error)
	// FinishChannelsEvent marks an event applied with its outcome.
	FinishChannelsEvent(ctx context.Context, brandID, id, outcome string, at time.Time) error
	// NoteChannelsEventError keeps why the last attempt failed.
	NoteChannelsEventError(ctx context.Context, brandID, id, message string) error
}

// Brands reads a brand and opens its sealed credentials (brands.Service).
type Brands interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
	Credential(b brands.Brand, field string) (string, error)
}

// Enqueuer inserts a job, inside the transaction carried by ctx (jobs.Runner).
type Enqueuer interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service is the door. Intake may be nil while the orders domain is not wired: pushes are
// still received and stored, and their jobs wait and retry.
type Service struct {
	Brands Brands
	Store  Store
	Jobs   Enqueuer
	WeChat *wechat.Client
	Intake referral.OrderIntake
	Clock  clock.Clock
	Log    *slog.Logger
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
