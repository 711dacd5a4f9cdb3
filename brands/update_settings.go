package brands

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/sharecast/sharecast/apperr"
)

// SettingsInput is a PATCH of brand settings; nil fields stay. Credentials are write-only: a
// non-nil empty string clears one.
type SettingsInput struct {
	Name, City, Timezone                   *string
	MPAppID, ChannelsAppID, FinderUserName *string
	PayMchID, PaySerialNo, PayPublicKeyID  *string
	PayPublicKey, PayTransferSceneID       *string
	// Rules merges into the brand's stored rules (nil fields keep theirs); the result must
	// validate. An explicit 0 is kept (e.g. auto_approve_below_fen 0: review every payout).
	Rules       *RulesPatch
	Credentials map[string]*string
}

// UpdateSettings applies a settings change (owner only; the edge checks the role) and audits
// it, naming changed credentials but never their values.
func (s *Service) UpdateSettings(ctx context.Context, a Actor, brandID string, in SettingsInput) (Brand, error) {
	var out Brand
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		b, err := s.Brand(ctx, brandID)
		if err != nil {
			return err
		}
		out, err = s.updateSettings(ctx, a, b, in)
		return err
	})
	return out, err
}

func (s *Service) updateSettings(ctx context.Context, a Actor, b Brand, in SettingsInput) (Brand, error) {
	p := BrandPatch{Name: in.Name, City: in.City, Timezone: in.Timezone, MPAppID: in.MPAppID,
		ChannelsAppID: in.ChannelsAppID, FinderUserName: in.FinderUserName, PayMchID: in.PayMchID,
		PaySerialNo: in.PaySerialNo, PayPublicKeyID: in.PayPublicKeyID, PayPublicKey: in.PayPublicKey,
		PayTransferSceneID: in.PayTransferSceneID}
	changed := []string{}
	mark := func(name string, v *string) {
		if v != nil {
			changed = append(changed, name)
		}
	}
	mark("name", in.Name)
	mark("city", in.City)
	mark("timezone", in.Timezone)
	mark("mp_app_id", in.MPAppID)
	mark("channels_app_id", in.ChannelsAppID)
	mark("finder_user_name", in.FinderUserName)
	mark("pay_mch_id", in.PayMchID)
	mark("pay_serial_no", in.PaySerialNo)
	mark("pay_public_key_id", in.PayPublicKeyID)
	mark("pay_public_key", in.PayPublicKey)
	mark("pay_transfer_scene_id", in.PayTransferSceneID)

	if in.Name != nil && (strings.TrimSpace(*in.Name) == "" || len(*in.Name) > 128) {
		return Brand{}, apperr.InvalidArgument("name must be 1-128 bytes")
	}
	if in.City != nil && len(*in.City) > 64 {
		return Brand{}, apperr.InvalidArgument("city must be ≤ 64 bytes")
	}
	if in.Timezone != nil && !ValidTimezone(*in.Timezone) {
		return Brand{}, apperr.InvalidArgument("timezone is not a known IANA zone")
	}
	if in.MPAppID != nil && *in.MPAppID != "" && !appIDRe.MatchString(*in.MPAppID) {
		return Brand{}, apperr.InvalidArgument("mp_app_id must look like wx followed by 16 hex digits")
	}
	if in.MPAppID != nil && *in.MPAppID == "" {
		// Clearing the appid would lock every member out of login.
		return Brand{}, apperr.InvalidArgument("mp_app_id cannot be cleared")
	}
	for name, v := range map[string]*string{"channels_app_id": in.ChannelsAppID, "finder_user_name": in.FinderUserName,
		"pay_mch_id": in.PayMchID, "pay_serial_no": in.PaySerialNo, "pay_public_key_id": in.PayPublicKeyID,
		"pay_transfer_scene_id": in.PayTransferSceneID} {
		if v != nil && len(*v) > 64 {
			return Brand{}, apperr.InvalidArgument(name + " must be ≤ 64 bytes")
		}
	}
	if in.PayPublicKey != nil && len(*in.PayPublicKey) > 8192 {
		return Brand{}, apperr.InvalidArgument("pay_public_key must be ≤ 8 KiB of PEM")
	}
	if in.Rules != nil {
		r := b.Rules.With(*in.Rules)
		if err := r.Validate(); err != nil {
			return Brand{}, err
		}
		p.Rules = &r
		changed = append(changed, "rules")
	}
	if len(in.Credentials) > 0 {
		p.Sealed = map[string][]byte{}
		for field, v := range in.Credentials {
			if !isCredential(field) {
				return Brand{}, apperr.InvalidArgument("unknown credential " + field)
			}
			if v == nil {
				continue
			}
			if len(*v) > 8192 {
				return Brand{}, apperr.InvalidArgument(field + " must be ≤ 8 KiB")
			}
			sealed, err := s.Sealer.Seal(b.ID, field, []byte(*v))
			if err != nil {
				return Brand{}, err
			}
			p.Sealed[field] = sealed
			changed = append(changed, field)
		}
	}
	if len(changed) == 0 {
		return b, nil
	}
	sort.Strings(changed)
	nb, err := s.Store.UpdateBrand(ctx, b.ID, p)
	if errors.Is(err, ErrDuplicate) {
		return Brand{}, apperr.New(apperr.Conflict, "APPID_IN_USE", "another brand uses this mini-program appid")
	}
	if err != nil {
		return Brand{}, err
	}
	if err := s.audit(ctx, b.ID, a, "settings.update", "brand", b.ID, map[string]any{"changed": changed}); err != nil {
		return Brand{}, err
	}
	return nb, nil
}

func isCredential(f string) bool {
	for _, c := range CredentialFields {
		if c == f {
			return true
		}
	}
	return false
}
