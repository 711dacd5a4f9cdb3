package miniprogramapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerOutputs mounts the member's own board outputs: the poster with their QR and the
// paste-ready text with their link (the live window, or one group with ?group=).
func (h *Handlers) registerOutputs(authed *gin.RouterGroup) {
	authed.GET("/lives/:live_id/poster", h.memberPoster)
	authed.GET("/lives/:live_id/leaderboard.txt", h.memberBoardText)
}

func memberBoardQuery(c *gin.Context) leaderboard.BoardQuery {
	return leaderboard.BoardQuery{Window: leaderboard.WindowLive, Group: c.Query("group"),
		Privacy: leaderboard.Privacy(c.Query("privacy"))}
}

func (h *Handlers) memberPoster(c *gin.Context) {
	brandID, memberID := Caller(c)
	png, err := h.Outputs.Poster(c.Request.Context(), brandID, c.Param("live_id"), memberID, memberBoardQuery(c))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", `inline; filename="poster.png"`)
	c.Data(http.StatusOK, "image/png", png)
}

func (h *Handlers) memberBoardText(c *gin.Context) {
	brandID, memberID := Caller(c)
	txt, err := h.Outputs.Text(c.Request.Context(), brandID, c.Param("live_id"), memberID, memberBoardQuery(c))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(txt+"\n"))
}
