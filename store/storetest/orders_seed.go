package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/sharecast/sharecast/ent/schema"
	"github.com/sharecast/sharecast/store"
)

// Seeding for the order and attribution tests: rows other areas write through their own use
// cases (share links and touches from the links work, a member's recruiter from an invite
// code), written here with plain SQL so the tests need none of those use cases.

// SeedShareLink writes a share link of member for live and answers its id.
func SeedShareLink(t testing.TB, st *store.Store, brandID, liveID, memberID, code string) string {
	t.Helper()
	id := schema.NewID()
	_, err := st.DB().ExecContext(context.Background(), `INSERT INTO share_links
		(id, brand_id, live_id, member_id, channel, group_label, code, url_link, qr_content_type, created_at)
		VALUES ($1, $2, $3, $4, 'group', $5, $6, '', '', $7)`, id, brandID, liveID, memberID, id, code, time.Now())
	if err != nil {
		t.Fatalf("seed share link: %v", err)
	}
	return id
}

// SeedTouch writes one open of a share link by visitor at `at`.
func SeedTouch(t testing.TB, st *store.Store, brandID, liveID, linkID, inviterID, visitorID string, at time.Time) string {
	t.Helper()
	id := schema.NewID()
	_, err := st.DB().ExecContext(context.Background(), `INSERT INTO touches
		(id, brand_id, live_id, link_id, inviter_id, visitor_id, channel, group_label, client_ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'group', '', '', $7)`, id, brandID, liveID, linkID, inviterID, visitorID, at.UTC())
	if err != nil {
		t.Fatalf("seed touch: %v", err)
	}
	return id
}

// SetRecruiter sets a member's recruiter (what an invite code does at member creation).
func SetRecruiter(t testing.TB, st *store.Store, brandID, memberID, recruiterID string) {
	t.Helper()
	if _, err := st.DB().ExecContext(context.Background(), `UPDATE members SET recruiter_id = $1 WHERE brand_id = $2 AND id = $3`,
		recruiterID, brandID, memberID); err != nil {
		t.Fatalf("set recruiter: %v", err)
	}
}

// SetLiveStatus moves a live (start and end times as given).
func SetLiveStatus(t testing.TB, st *store.Store, brandID, liveID, status string, startedAt, endedAt *time.Time) {
	t.Helper()
	if _, err := st.DB().ExecContext(context.Background(), `UPDATE lives SET status = $1, actual_start_at = $2, ended_at = $3
		WHERE brand_id = $4 AND id = $5`, status, startedAt, endedAt, brandID, liveID); err != nil {
		t.Fatalf("set live status: %v", err)
	}
}
