package server

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

// registerStats mounts the per-live stats (every role) and the CSV exports (owner, finance).
func (s *Server) registerStats(admin *gin.RouterGroup) {
	if s.d.Stats != nil {
		admin.GET("/lives/:id/stats", s.liveStats)
	}
	if s.d.Exports != nil {
		finance := requireRole(brands.RoleOwner, brands.RoleFinance)
		for _, kind := range analytics.ExportKinds {
			admin.GET("/exports/"+kind+".csv", finance, s.export(kind))
		}
	}
}

// ParseStatsTime reads a baseline or range bound: RFC 3339, or a date (its midnight in UTC).
func ParseStatsTime(name, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return &t, nil
	}
	return nil, apperr.InvalidArgument(name + " must be an RFC 3339 time or a date (YYYY-MM-DD)")
}

func (s *Server) liveStats(c *gin.Context) {
	from, err := ParseStatsTime("baseline_from", c.Query("baseline_from"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	to, err := ParseStatsTime("baseline_to", c.Query("baseline_to"))
	if err != nil {
		httperr.Write(c, err)
		return
	}
	st, err := s.d.Stats.Live(c.Request.Context(), analytics.Query{BrandID: principal(c).BrandID, LiveID: c.Param("id"),
		BaselineFrom: from, BaselineTo: to})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"stats": st})
}

// export streams one kind as CSV: rows go out as the database hands them over, flushed every
// few hundred rows, so a large export never sits in memory. Once the first bytes are out a
// failure can only cut the download short (it is logged).
func (s *Server) export(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := s.exportFilter(c)
		if err != nil {
			httperr.Write(c, err)
			return
		}
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+kind+`.csv"`)
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		// A UTF-8 byte order mark, so spreadsheet programs read the Chinese text right.
		_, _ = c.Writer.WriteString("\ufeff")
		w := csv.NewWriter(c.Writer)
		n := 0
		err = s.d.Exports.Export(c.Request.Context(), kind, principal(c).BrandID, f, func(row []string) error {
			if err := w.Write(row); err != nil {
				return err
			}
			if n++; n%500 == 0 {
				w.Flush()
				c.Writer.Flush()
				return w.Error()
			}
			return nil
		})
		w.Flush()
		if err != nil {
			httperr.Logger(c.Request.Context()).ErrorContext(c.Request.Context(), "export cut short", "kind", kind, "rows", n, "err", err)
		}
	}
}

// exportFilter reads ?live_id=&from=&to= and checks the live is the brand's (404 otherwise).
func (s *Server) exportFilter(c *gin.Context) (analytics.ExportFilter, error) {
	var f analytics.ExportFilter
	var err error
	if f.From, err = ParseStatsTime("from", c.Query("from")); err != nil {
		return f, err
	}
	if f.To, err = ParseStatsTime("to", c.Query("to")); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return f, apperr.InvalidArgument("from must be before to")
	}
	if id := c.Query("live_id"); id != "" {
		if len(id) > 36 {
			return f, apperr.InvalidArgument("live_id is not valid")
		}
		if s.d.Sharing != nil {
			if _, err := s.d.Sharing.Live(c.Request.Context(), principal(c).BrandID, id); err != nil {
				return f, err
			}
		}
		f.LiveID = id
	}
	return f, nil
}
