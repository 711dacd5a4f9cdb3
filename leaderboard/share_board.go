package leaderboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Share is a public read-only page of one board (/lb/{token}). Only the token's SHA-256 is
// stored: a leaked database does not open the pages.
type Share struct {
	ID        string
	BrandID   string
	LiveID    string
	TokenHash []byte
	Query     BoardQuery
	CreatedBy string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// shareTokenBytes of randomness make a token nobody guesses (256 bits, 43 characters).
const (
	shareTokenBytes = 32
	shareTokenLen   = 43
)

func newShareToken() (string, error) {
	b := make([]byte, shareTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashShareToken answers the stored form of a token, or false for anything that cannot be a
// token (checked before any lookup, so junk never reaches the database).
func hashShareToken(token string) ([]byte, bool) {
	if len(token) != shareTokenLen {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != shareTokenBytes {
		return nil, false
	}
	h := sha256.Sum256([]byte(token))
	return h[:], true
}

var errShareNotFound = apperr.New(apperr.NotFound, "NOT_FOUND", "no such leaderboard page")

// CreateShare makes a public page for a board of a live and answers its token (shown once).
func (o *Outputs) CreateShare(ctx context.Context, a brands.Actor, brandID, liveID string, q BoardQuery) (string, Share, error) {
	q, err := q.Normalize()
	if err != nil {
		return "", Share{}, err
	}
	// The live must exist for this brand (another brand's live answers 404 here).
	if _, err := o.snapshot(ctx, brandID, liveID, "", BoardQuery{Window: q.Window, Group: q.Group, TopN: 1}); err != nil {
		return "", Share{}, err
	}
	token, err := newShareToken()
	if err != nil {
		return "", Share{}, err
	}
	hash, _ := hashShareToken(token)
	var out Share
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		out, err = o.Store.CreateShare(ctx, Share{BrandID: brandID, LiveID: liveID, TokenHash: hash, Query: q,
			CreatedBy: a.ID, CreatedAt: o.now()})
		if err != nil {
			return err
		}
		d := queryDetail(q)
		d["live_id"] = liveID
		return o.audit(ctx, brandID, a, "leaderboard.share.create", "leaderboard_share", out.ID, d)
	})
	if err != nil {
		return "", Share{}, err
	}
	return token, out, nil
}

// RevokeShare ends a public page. Revoking again is a no-op; another brand's token is 404.
func (o *Outputs) RevokeShare(ctx context.Context, a brands.Actor, brandID, token string) error {
	hash, ok := hashShareToken(token)
	if !ok {
		return errShareNotFound
	}
	return o.Store.WithTx(ctx, func(ctx context.Context) error {
		s, err := o.Store.RevokeShare(ctx, brandID, hash, o.now())
		if errors.Is(err, ErrOutputNotFound) {
			return errShareNotFound
		}
		if err != nil {
			return err
		}
		return o.audit(ctx, brandID, a, "leaderboard.share.revoke", "leaderboard_share", s.ID, map[string]any{"live_id": s.LiveID})
	})
}

// PublicBoard is what a public page shows: names after the share's privacy, no member ids,
// no openids.
type PublicBoard struct {
	BrandName      string
	BrandColor     string
	Heading        string
	Title          string
	Group          string
	Window         string
	Start          string
	StartAt        time.Time
	Taken          string
	TakenAt        time.Time
	Progress       string
	Unit           string
	Total          int64
	Target         int64
	Remaining      int64
	Rows           []PublicRow
	Empty          string // the empty-state sentence, "" when someone is on the board
	CallToAction   string
	RefreshSeconds int
}

// PublicRow is one line of a public board.
type PublicRow struct {
	Rank  int
	Name  string
	Count int64
}

// PublicBoard answers the board behind a share token; unknown and revoked tokens are 404.
func (o *Outputs) PublicBoard(ctx context.Context, token string) (PublicBoard, error) {
	hash, ok := hashShareToken(token)
	if !ok {
		return PublicBoard{}, errShareNotFound
	}
	sh, err := o.Store.ShareByTokenHash(ctx, hash)
	if errors.Is(err, ErrOutputNotFound) || (err == nil && sh.RevokedAt != nil) {
		return PublicBoard{}, errShareNotFound
	}
	if err != nil {
		return PublicBoard{}, err
	}
	s, err := o.snapshot(ctx, sh.BrandID, sh.LiveID, "", sh.Query)
	if apperr.KindOf(err) == apperr.NotFound {
		return PublicBoard{}, errShareNotFound // the live is gone: so is its page
	}
	if err != nil {
		return PublicBoard{}, err
	}
	v := newBoardView(s, sh.Query.Privacy)
	refresh := o.PageRefresh
	if refresh <= 0 {
		refresh = 15 * time.Second
	}
	pb := PublicBoard{BrandName: v.Brand, BrandColor: colorHex(ParseColor(v.Color)), Heading: v.Heading, Title: v.Title,
		Group: v.Group, Window: sh.Query.Window, Start: v.Start, StartAt: s.StartAt, Taken: v.Taken, TakenAt: s.TakenAt,
		Progress: v.progress(), Unit: v.Unit, Total: v.Total, Target: v.Target, Remaining: v.Remaining,
		CallToAction: v.callToAction(), RefreshSeconds: max(1, int(refresh/time.Second)), Rows: []PublicRow{}}
	for _, r := range v.Rows {
		name := r.Name
		if v.RankOnly {
			name = "第" + strconv.Itoa(r.Rank) + "名"
		}
		pb.Rows = append(pb.Rows, PublicRow{Rank: r.Rank, Name: fitColumns(name, 24), Count: r.Count})
	}
	if v.Empty() {
		pb.Empty = emptyBoard
	}
	return pb, nil
}
