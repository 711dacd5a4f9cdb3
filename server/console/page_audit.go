package console

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sharecast/sharecast/brands"
)

func init() {
	register(Page{
		Name: "audit",
		Perm: brands.PermFinanceRead,
		Nav:  &NavEntry{Label: "nav.audit", Order: 800},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/audit", Handle: showAudit},
		},
	})
}

type auditRow struct {
	At                         time.Time
	Actor, Action, Target      string
	Detail, RequestID, ActorID string
}

type auditData struct {
	Rows []auditRow
	Next string // the next (older) page's URL, "" on the last page
}

const auditPageSize = 50

func showAudit(c *Ctx) error {
	cursor := c.G.Query("cursor")
	if len(cursor) > 64 {
		return c.invalid("form.cursor")
	}
	entries, next, err := c.Deps.Brands.Audit(c.Context(), c.Admin.BrandID, brands.Page{Cursor: cursor, Limit: auditPageSize})
	if err != nil {
		return err
	}
	// Name admins by username; the log keeps ids so renames never rewrite history.
	admins, err := c.Deps.Brands.Admins(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, a := range admins {
		names[a.ID] = a.Username
	}
	d := auditData{}
	for _, e := range entries {
		actor := e.ActorType
		if e.ActorType == "admin" {
			actor = names[e.ActorID]
			if actor == "" {
				actor = e.ActorID
			}
		}
		detail := ""
		if len(e.Detail) > 0 {
			b, _ := json.Marshal(e.Detail)
			detail = string(b)
		}
		d.Rows = append(d.Rows, auditRow{At: e.CreatedAt, Actor: actor, ActorID: e.ActorID, Action: e.Action,
			Target: e.TargetType + " " + e.TargetID, Detail: detail, RequestID: e.RequestID})
	}
	if next != "" {
		d.Next = Prefix + "/audit?cursor=" + next
	}
	return c.Render(http.StatusOK, "audit.title", d)
}
