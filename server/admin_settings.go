package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/server/httperr"
)

// settingsDTO shows the brand's settings; credentials appear only as "is set" flags.
type settingsDTO struct {
	ID                 string          `json:"id"`
	Slug               string          `json:"slug"`
	Name               string          `json:"name"`
	City               string          `json:"city"`
	Timezone           string          `json:"timezone"`
	MPAppID            string          `json:"mp_app_id"`
	ChannelsAppID      string          `json:"channels_app_id"`
	FinderUserName     string          `json:"finder_user_name"`
	PayMchID           string          `json:"pay_mch_id"`
	PaySerialNo        string          `json:"pay_serial_no"`
	PayPublicKeyID     string          `json:"pay_public_key_id"`
	PayPublicKey       string          `json:"pay_public_key"`
	PayTransferSceneID string          `json:"pay_transfer_scene_id"`
	OutBillPrefix      string          `json:"out_bill_prefix"`
	Rules              brands.Rules    `json:"rules"`
	Credentials        map[string]bool `json:"credentials"`
}

func toSettingsDTO(b brands.Brand) settingsDTO {
	creds := map[string]bool{}
	for _, f := range brands.CredentialFields {
		creds[f] = b.HasCredential(f)
	}
	return settingsDTO{ID: b.ID, Slug: b.Slug, Name: b.Name, City: b.City, Timezone: b.Timezone, MPAppID: b.MPAppID,
		ChannelsAppID: b.ChannelsAppID, FinderUserName: b.FinderUserName, PayMchID: b.PayMchID,
		PaySerialNo: b.PaySerialNo, PayPublicKeyID: b.PayPublicKeyID, PayPublicKey: b.PayPublicKey,
		PayTransferSceneID: b.PayTransferSceneID, OutBillPrefix: b.OutBillPrefix, Rules: b.Rules, Credentials: creds}
}

func (s *Server) getSettings(c *gin.Context) {
	b, err := s.d.Brands.Brand(c.Request.Context(), principal(c).BrandID)
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"settings": toSettingsDTO(b)})
}

func (s *Server) patchSettings(c *gin.Context) {
	var req struct {
		Name               *string            `json:"name"`
		City               *string            `json:"city"`
		Timezone           *string            `json:"timezone"`
		MPAppID            *string            `json:"mp_app_id"`
		ChannelsAppID      *string            `json:"channels_app_id"`
		FinderUserName     *string            `json:"finder_user_name"`
		PayMchID           *string            `json:"pay_mch_id"`
		PaySerialNo        *string            `json:"pay_serial_no"`
		PayPublicKeyID     *string            `json:"pay_public_key_id"`
		PayPublicKey       *string            `json:"pay_public_key"`
		PayTransferSceneID *string            `json:"pay_transfer_scene_id"`
		Rules              *brands.RulesPatch `json:"rules"`
		Credentials        map[string]*string `json:"credentials"`
	}
	if err := httperr.BindJSON(c, &req); err != nil {
		httperr.Write(c, err)
		return
	}
	b, err := s.d.Brands.UpdateSettings(c.Request.Context(), actor(c), principal(c).BrandID, brands.SettingsInput{
		Name: req.Name, City: req.City, Timezone: req.Timezone, MPAppID: req.MPAppID, ChannelsAppID: req.ChannelsAppID,
		FinderUserName: req.FinderUserName, PayMchID: req.PayMchID, PaySerialNo: req.PaySerialNo,
		PayPublicKeyID: req.PayPublicKeyID, PayPublicKey: req.PayPublicKey, PayTransferSceneID: req.PayTransferSceneID,
		Rules: req.Rules, Credentials: req.Credentials})
	if err != nil {
		httperr.Write(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"settings": toSettingsDTO(b)})
}
