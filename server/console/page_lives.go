package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/sharecast/sharecast/brands"
)

// Lives is what the lives list page reads. The lives area's admin service implements it (or
// the composition root adapts it); the console declares only what the page shows.
type Lives interface {
	// ListLives pages one brand's lives in the order of GET /admin/v1/lives. q.Status "" means
	// every status. An unknown cursor is an apperr Invalid error.
	ListLives(ctx context.Context, brandID string, q LiveQuery) (LivePage, error)
	// Live reads one of the brand's lives (NOT_FOUND for another brand's).
	Live(ctx context.Context, brandID, id string) (LiveRow, error)
}

// LiveQuery filters and pages the lives list.
type LiveQuery struct {
	Status string // planned | reservable | live | ended | settled | ""
	Cursor string // opaque, from LivePage.NextCursor
	Limit  int    // 1-200
}

// LivePage is one page of lives.
type LivePage struct {
	Lives      []LiveRow
	NextCursor string // "" on the last page
}

// LiveRow is one live as the list shows it (DESIGN.md §2 Live).
type LiveRow struct {
	ID, Title, Status, NoticeID string
	PlannedStartAt              time.Time
	ActualStartAt, EndedAt      *time.Time
	TargetReservations          int64
	// CountedReservations are the reservations that count (reserved ∧ clear ∧ inviter ≠
	// viewer) so far.
	CountedReservations int64
	// live operations: the synced notice's state and last change ("" when not synced).
	NoticeState, NoticeChange string
}

// LiveStatuses are the statuses a live moves through, in order.
var LiveStatuses = []string{"planned", "reservable", "live", "ended", "settled"}

func init() {
	register(Page{
		Name: "lives",
		Perm: brands.PermRead, // every role reads lives (API.md)
		Nav:  &NavEntry{Label: "nav.lives", Order: 100},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/lives", Handle: listLives},
		},
	})
}

type livesData struct {
	Available bool
	Lives     []LiveRow
	Statuses  []string
	Status    string
	Next      string
}

const livesPageSize = 50

func listLives(c *Ctx) error {
	status := c.G.Query("status")
	if status != "" && !slices.Contains(LiveStatuses, status) {
		return c.invalid("lives.bad_status")
	}
	cursor := c.G.Query("cursor")
	if len(cursor) > 128 {
		return c.invalid("form.cursor")
	}
	d := livesData{Statuses: LiveStatuses, Status: status}
	if c.Deps.Lives == nil {
		// Not wired in this build: say so rather than show an empty list as if it were real.
		return c.Render(http.StatusServiceUnavailable, "lives.title", d)
	}
	d.Available = true
	page, err := c.Deps.Lives.ListLives(c.Context(), c.Admin.BrandID, LiveQuery{Status: status, Cursor: cursor, Limit: livesPageSize})
	if err != nil {
		return err
	}
	d.Lives = page.Lives
	if page.NextCursor != "" {
		q := url.Values{"cursor": {page.NextCursor}}
		if status != "" {
			q.Set("status", status)
		}
		d.Next = Prefix + "/lives?" + q.Encode()
	}
	return c.Render(http.StatusOK, "lives.title", d)
}

// Progress is counted reservations as a whole percentage of the target (0 without a target),
// integer arithmetic only.
func (r LiveRow) Progress() int64 {
	if r.TargetReservations <= 0 {
		return 0
	}
	return r.CountedReservations * 100 / r.TargetReservations
}
