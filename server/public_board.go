package server

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/server/httperr"
)

//go:embed templates/public_board.html templates/public_board_gone.html
var publicBoardFiles embed.FS

var publicBoardTmpl = template.Must(template.ParseFS(publicBoardFiles, "templates/public_board.html"))

var publicBoardGone, _ = publicBoardFiles.ReadFile("templates/public_board_gone.html")

// publicHeaders lock the public page down: only its own inline style and script (by nonce)
// run, it fetches only its own data, it is never framed or indexed, and the token in its URL
// is not sent on as a referrer.
func publicHeaders(c *gin.Context, nonce string) {
	csp := "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; connect-src 'self'"
	if nonce != "" {
		csp += "; style-src 'nonce-" + nonce + "'; script-src 'nonce-" + nonce + "'"
	}
	c.Header("Content-Security-Policy", csp)
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Robots-Tag", "noindex, nofollow")
	c.Header("Cache-Control", "no-store")
}

// publicBoardPage serves /lb/{token}: a read-only, mobile-first page that refreshes its
// numbers from /lb/{token}/data without reloading. Unknown and revoked tokens get a 404 page.
func (s *Server) publicBoardPage(c *gin.Context) {
	b, err := s.d.Outputs.PublicBoard(c.Request.Context(), c.Param("token"))
	if apperr.KindOf(err) == apperr.NotFound {
		publicHeaders(c, "")
		c.Data(http.StatusNotFound, "text/html; charset=utf-8", publicBoardGone)
		return
	}
	if err != nil {
		httperr.Write(c, err)
		return
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		httperr.Write(c, err)
		return
	}
	nonce := base64.RawStdEncoding.EncodeToString(raw)
	var buf bytes.Buffer
	if err := publicBoardTmpl.Execute(&buf, struct {
		B     leaderboard.PublicBoard
		Nonce string
	}{b, nonce}); err != nil {
		httperr.Write(c, err)
		return
	}
	publicHeaders(c, nonce)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

type publicRowDTO struct {
	Rank  int    `json:"rank"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// publicBoardDTO carries no member ids and no openids: rank, shown name and count only.
type publicBoardDTO struct {
	BrandName      string         `json:"brand_name"`
	BrandColor     string         `json:"brand_color"`
	Heading        string         `json:"heading"`
	Title          string         `json:"title"`
	Group          string         `json:"group"`
	Window         string         `json:"window"`
	StartAt        *string        `json:"start_at"`
	Start          string         `json:"start"`
	TakenAt        *string        `json:"taken_at"`
	Taken          string         `json:"taken"`
	Progress       string         `json:"progress"`
	Unit           string         `json:"unit"`
	Total          int64          `json:"total"`
	Target         int64          `json:"target"`
	Remaining      int64          `json:"remaining"`
	Rows           []publicRowDTO `json:"rows"`
	Empty          string         `json:"empty"`
	CallToAction   string         `json:"call_to_action"`
	RefreshSeconds int            `json:"refresh_seconds"`
}

// nonZeroTime is optTime for a time that is zero when unknown.
func nonZeroTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return optTime(&t)
}

func (s *Server) publicBoardData(c *gin.Context) {
	b, err := s.d.Outputs.PublicBoard(c.Request.Context(), c.Param("token"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	rows := make([]publicRowDTO, len(b.Rows))
	for i, r := range b.Rows {
		rows[i] = publicRowDTO{Rank: r.Rank, Name: r.Name, Count: r.Count}
	}
	publicHeaders(c, "")
	c.JSON(http.StatusOK, publicBoardDTO{BrandName: b.BrandName, BrandColor: b.BrandColor, Heading: b.Heading,
		Title: b.Title, Group: b.Group, Window: b.Window, StartAt: nonZeroTime(b.StartAt), Start: b.Start,
		TakenAt: nonZeroTime(b.TakenAt), Taken: b.Taken, Progress: b.Progress, Unit: b.Unit, Total: b.Total,
		Target: b.Target, Remaining: b.Remaining, Rows: rows, Empty: b.Empty, CallToAction: b.CallToAction,
		RefreshSeconds: b.RefreshSeconds})
}
