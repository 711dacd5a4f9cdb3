package server

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/channelsorders"
	"github.com/sharecast/sharecast/server/httperr"
)

// maxChannelsPushBytes bounds a push body: real ones are well under 4 KiB.
const maxChannelsPushBytes = 64 << 10

// registerChannelsWebhook mounts the Channels shop's message push (public: WeChat signs it).
// No per-IP rate limit: WeChat pushes from a few addresses, in bursts during a live, and a
// forged request costs one primary-key read and a SHA-1 before it is refused.
func (s *Server) registerChannelsWebhook(e *gin.Engine) {
	e.GET("/webhooks/channels/:brand_id", s.channelsURLCheck)
	e.POST("/webhooks/channels/:brand_id", s.channelsPush)
}

// channelsURLCheck is WeChat's check of the push URL: a valid signature over (token,
// timestamp, nonce) is answered with echostr, unchanged.
func (s *Server) channelsURLCheck(c *gin.Context) {
	if s.d.ChannelsOrders == nil {
		httperr.Write(c, apperr.New(apperr.Unavailable, "CHANNELS_UNAVAILABLE", "the Channels shop door is not running"))
		return
	}
	echo := c.Query("echostr")
	if echo == "" || len(echo) > 512 {
		httperr.Write(c, apperr.InvalidArgument("echostr is required (≤ 512 bytes)"))
		return
	}
	if err := s.d.ChannelsOrders.CheckURL(c.Request.Context(), c.Param("brand_id"), c.Query("signature"), c.Query("timestamp"), c.Query("nonce")); err != nil {
		httperr.Write(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(echo))
}

// channelsPush takes one push: verified, decrypted, stored with its job, answered "success"
// (resends and events sharecast ignores too, so WeChat stops resending). Refusals are 4xx and
// store nothing.
func (s *Server) channelsPush(c *gin.Context) {
	if s.d.ChannelsOrders == nil {
		httperr.Write(c, apperr.New(apperr.Unavailable, "CHANNELS_UNAVAILABLE", "the Channels shop door is not running"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxChannelsPushBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httperr.Write(c, apperr.New(apperr.TooLarge, httperr.CodeBodyTooLarge, "the push body is too large"))
			return
		}
		httperr.Write(c, apperr.InvalidArgument("could not read the body"))
		return
	}
	if len(body) > maxChannelsPushBytes {
		httperr.Write(c, apperr.New(apperr.TooLarge, httperr.CodeBodyTooLarge, "the push body is too large"))
		return
	}
	_, err = s.d.ChannelsOrders.Receive(c.Request.Context(), c.Param("brand_id"), channelsorders.Push{
		MsgSignature: c.Query("msg_signature"), Timestamp: c.Query("timestamp"), Nonce: c.Query("nonce"), Body: body})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("success"))
}
