package brands

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/sharecast/sharecast/apperr"
)

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	appIDRe  = regexp.MustCompile(`^wx[0-9a-f]{16}$`)
	prefixRe = regexp.MustCompile(`^[A-Za-z0-9]{1,8}$`)
)

// NewBrandInput provisions a brand.
type NewBrandInput struct {
	Slug, Name, City, Timezone string
	OutBillPrefix              string
	Settings                   SettingsInput // optional credentials and rules at creation
}

// CreateBrand provisions a brand (CLI, demo). The first owner is created with CreateAdmin.
func (s *Service) CreateBrand(ctx context.Context, a Actor, in NewBrandInput) (Brand, error) {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if !slugRe.MatchString(in.Slug) {
		return Brand{}, apperr.InvalidArgument("slug must be 2-64 lowercase letters, digits or '-'")
	}
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 128 {
		return Brand{}, apperr.InvalidArgument("name is required (≤ 128 bytes)")
	}
	if in.Timezone == "" {
		in.Timezone = "Asia/Shanghai"
	}
	if !ValidTimezone(in.Timezone) {
		return Brand{}, apperr.InvalidArgument("timezone is not a known IANA zone")
	}
	if in.OutBillPrefix == "" {
		in.OutBillPrefix = strings.ToUpper(strings.ReplaceAll(in.Slug, "-", ""))
		if len(in.OutBillPrefix) > 8 {
			in.OutBillPrefix = in.OutBillPrefix[:8]
		}
	}
	if !prefixRe.MatchString(in.OutBillPrefix) {
		return Brand{}, apperr.InvalidArgument("out_bill_prefix must be 1-8 letters or digits")
	}
	var out Brand
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		b, err := s.Store.CreateBrand(ctx, Brand{Slug: in.Slug, Name: in.Name, City: in.City,
			Timezone: in.Timezone, OutBillPrefix: in.OutBillPrefix, Rules: DefaultRules()})
		if errors.Is(err, ErrDuplicate) {
			return apperr.New(apperr.Conflict, "BRAND_EXISTS", "a brand with this slug or out_bill_prefix exists")
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, b.ID, a, "brand.create", "brand", b.ID, map[string]any{"slug": b.Slug}); err != nil {
			return err
		}
		out, err = s.updateSettings(ctx, a, b, in.Settings)
		return err
	})
	return out, err
}
