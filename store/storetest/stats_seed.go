package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/sharecast/sharecast/ent/schema"
	"github.com/sharecast/sharecast/store"
)

// Reservation is a reservation row as the stats tests seed it (the reservation use case with
// its anti-gaming rules is the links area's; the stats only read the stored rows).
type Reservation struct {
	LiveID, ViewerID, InviterID, Channel, Status, Risk string
	Counted                                            bool
	CountedAt                                          *time.Time
	CreatedAt                                          time.Time
}

// SeedReservation writes one reservation row and answers its id.
func SeedReservation(t testing.TB, st *store.Store, brandID string, r Reservation) string {
	t.Helper()
	id := schema.NewID()
	var inviter any
	if r.InviterID != "" {
		inviter = r.InviterID
	}
	if r.Risk == "" {
		r.Risk = "clear"
	}
	var countedAt any
	if r.CountedAt != nil {
		countedAt = r.CountedAt.UTC()
	}
	_, err := st.DB().ExecContext(context.Background(), `INSERT INTO reservations
		(id, brand_id, live_id, viewer_id, inviter_id, code, channel, group_label, status, risk, counted, reason,
		 last_state, client_ip, counted_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '', $6, '', $7, $8, $9, '', 6, '', $10, $11, $11)`,
		id, brandID, r.LiveID, r.ViewerID, inviter, r.Channel, r.Status, r.Risk, r.Counted, countedAt, r.CreatedAt.UTC())
	if err != nil {
		t.Fatalf("seed reservation: %v", err)
	}
	return id
}

// SeedTouchAt writes one open of a share link of inviter by visitor at `at` (a new link).
func SeedTouchAt(t testing.TB, st *store.Store, brandID, liveID, inviterID, visitorID, code string, at time.Time) {
	t.Helper()
	link := SeedShareLink(t, st, brandID, liveID, inviterID, code)
	SeedTouch(t, st, brandID, liveID, link, inviterID, visitorID, at)
}
