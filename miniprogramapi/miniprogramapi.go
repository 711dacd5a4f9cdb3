// Package miniprogramapi is the HTTP surface the brand's mini-program calls (/mp/v1): bind →
// validate → call the domain → map to the DTOs of API.md. The brand and member come from the
// access token only, never from the body.
package miniprogramapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
)

// Handlers serves /mp/v1.
type Handlers struct {
	Referral *referral.Service
	Tokens   *auth.Issuer
	// Limiter backs the routes' named budgets (middleware.PayoutRequests.WithKey(MemberKey)).
	Limiter middleware.Limiter

	// Later areas add their fields below their comment (keep the comments: they
	// keep merges apart); handlers go in files of their own.
	// lives, links, touches, reservations, leaderboard
	Sharing     *referral.Sharing
	Leaderboard *leaderboard.Service

	// leaderboard outputs: poster, text
	Outputs *leaderboard.Outputs

	// orders: balances, commissions
	Ledger *payouts.Ledger
	Book   *payouts.Book

	// payouts
	Payouts      *payouts.Payouts
	PayoutBrands PayoutBrands

	// live operations: subscriptions
	Reminders *reminders.Service
}

const (
	ctxBrandID  = "sharecast.brand_id"
	ctxMemberID = "sharecast.member_id"
)

// RequireMember authenticates the access token and puts brand and member in the context.
func (h *Handlers) RequireMember() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || tok == "" {
			httperr.Abort(c, errNoToken)
			return
		}
		claims, err := h.Tokens.VerifyAccess(tok)
		if err != nil {
			httperr.Abort(c, err)
			return
		}
		c.Set(ctxBrandID, claims.BrandID)
		c.Set(ctxMemberID, claims.MemberID)
		c.Next()
	}
}

// MemberKey keys a rate-limit budget by the authenticated member (after RequireMember); ""
// before it, which RateLimit turns into the client address.
func MemberKey(c *gin.Context) string {
	if m := c.GetString(ctxMemberID); m != "" {
		return "member:" + c.GetString(ctxBrandID) + ":" + m
	}
	return ""
}

// Caller returns the authenticated brand and member.
func Caller(c *gin.Context) (brandID, memberID string) {
	return c.GetString(ctxBrandID), c.GetString(ctxMemberID)
}

// Register mounts the routes. public is the group for routes without a member token (login);
// authed requires one (RequireMember is added here).
func (h *Handlers) Register(public, authed *gin.RouterGroup) {
	public.POST("/session", h.createSession)
	public.POST("/session/refresh", h.refreshSession)
	authed.Use(h.RequireMember())
	authed.GET("/me", h.getMe)
	authed.PATCH("/me", h.patchMe)

	// Later areas add their fields / routes below their comment (keep the comments: they
	// keep merges apart); handlers go in files of their own.
	// lives, links, touches, reservations, leaderboard
	h.registerSharing(authed)

	// leaderboard outputs: poster, text
	h.registerOutputs(authed)

	// orders: balances, commissions
	authed.GET("/me/commissions", h.listMyCommissions)

	// payouts
	h.registerPayouts(authed)

	// live operations: subscriptions
	authed.POST("/subscriptions", h.recordSubscriptions)
	authed.GET("/subscriptions", h.listSubscriptions)
}

type memberDTO struct {
	ID                 string `json:"id"`
	BrandID            string `json:"brand_id"`
	Nickname           string `json:"nickname"`
	AvatarURL          string `json:"avatar_url"`
	LeaderboardVisible bool   `json:"leaderboard_visible"`
	Status             string `json:"status"`
	HasRealName        bool   `json:"has_real_name"`
	CreatedAt          string `json:"created_at"`
}

func toMemberDTO(m referral.Member) memberDTO {
	return memberDTO{ID: m.ID, BrandID: m.BrandID, Nickname: m.Nickname, AvatarURL: m.AvatarURL,
		LeaderboardVisible: m.LeaderboardVisible, Status: m.Status, HasRealName: m.HasRealName,
		CreatedAt: m.CreatedAt.Format(time.RFC3339)}
}

type sessionDTO struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresIn    int       `json:"expires_in"`
	Member       memberDTO `json:"member"`
}

func toSessionDTO(s referral.Session) sessionDTO {
	return sessionDTO{AccessToken: s.Tokens.AccessToken, RefreshToken: s.Tokens.RefreshToken,
		ExpiresIn: s.Tokens.ExpiresIn, Member: toMemberDTO(s.Member)}
}

func (h *Handlers) createSession(c *gin.Context) {
	var req struct {
		AppID      string `json:"appid"`
		Code       string `json:"code"`
		InviteCode string `json:"invite_code"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	s, err := h.Referral.Login(c.Request.Context(), referral.LoginInput{AppID: req.AppID, Code: req.Code, InviteCode: req.InviteCode})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, toSessionDTO(s))
}

func (h *Handlers) refreshSession(c *gin.Context) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	s, err := h.Referral.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, toSessionDTO(s))
}

// balancesDTO is the member's ledger projection; every balance is zero until the member has
// entries, as API.md specifies.
type balancesDTO struct {
	PendingFen   int64 `json:"pending_fen"`
	AvailableFen int64 `json:"available_fen"`
	InFlightFen  int64 `json:"in_flight_fen"`
	PaidFen      int64 `json:"paid_fen"`
	DebtFen      int64 `json:"debt_fen"`
}

func (h *Handlers) getMe(c *gin.Context) {
	brandID, memberID := Caller(c)
	m, err := h.Referral.Member(c.Request.Context(), brandID, memberID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	var bal balancesDTO
	if h.Ledger != nil {
		b, err := h.Ledger.MemberBalances(c.Request.Context(), brandID, memberID)
		if err != nil {
			httperr.Write(c, err)
			return
		}
		bal = balancesDTO(b)
	}
	c.JSON(http.StatusOK, gin.H{"member": toMemberDTO(m), "balances": bal})
}

func (h *Handlers) patchMe(c *gin.Context) {
	var req struct {
		Nickname           *string `json:"nickname"`
		AvatarURL          *string `json:"avatar_url"`
		LeaderboardVisible *bool   `json:"leaderboard_visible"`
		RealName           *string `json:"real_name"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	brandID, memberID := Caller(c)
	m, err := h.Referral.UpdateProfile(c.Request.Context(), brandID, memberID, referral.ProfileInput{
		Nickname: req.Nickname, AvatarURL: req.AvatarURL, LeaderboardVisible: req.LeaderboardVisible, RealName: req.RealName})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"member": toMemberDTO(m)})
}
