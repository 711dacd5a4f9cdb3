package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/sharelink"
	"github.com/sharecast/sharecast/referral"
)

func toLink(l *ent.ShareLink) referral.ShareLink {
	return referral.ShareLink{ID: l.ID, BrandID: l.BrandID, LiveID: l.LiveID, MemberID: l.MemberID,
		Channel: string(l.Channel), Group: l.GroupLabel, Code: l.Code, URLLink: l.URLLink,
		URLLinkExpiresAt: l.URLLinkExpiresAt, CreatedAt: l.CreatedAt}
}

// linkFields are the columns a link read needs: never the QR image, which only the QR route
// reads.
var linkFields = []string{sharelink.FieldID, sharelink.FieldBrandID, sharelink.FieldLiveID, sharelink.FieldMemberID,
	sharelink.FieldChannel, sharelink.FieldGroupLabel, sharelink.FieldCode, sharelink.FieldURLLink,
	sharelink.FieldURLLinkExpiresAt, sharelink.FieldCreatedAt}

// CreateLink inserts a share link.
func (s *Store) CreateLink(ctx context.Context, l referral.ShareLink) (referral.ShareLink, error) {
	row, err := s.ent(ctx).ShareLink.Create().SetBrandID(l.BrandID).SetLiveID(l.LiveID).SetMemberID(l.MemberID).
		SetChannel(sharelink.Channel(l.Channel)).SetGroupLabel(l.Group).SetCode(l.Code).SetCreatedAt(dbTime(l.CreatedAt)).Save(ctx)
	if err != nil {
		return referral.ShareLink{}, memberErr(err)
	}
	return toLink(row), nil
}

// LinkByKey reads a member's link for a live, channel and group label.
func (s *Store) LinkByKey(ctx context.Context, brandID, liveID, memberID, channel, group string) (referral.ShareLink, error) {
	row, err := s.ent(ctx).ShareLink.Query().Where(sharelink.BrandID(brandID), sharelink.LiveID(liveID),
		sharelink.MemberID(memberID), sharelink.ChannelEQ(sharelink.Channel(channel)), sharelink.GroupLabel(group)).
		Select(linkFields...).Only(ctx)
	if err != nil {
		return referral.ShareLink{}, memberErr(err)
	}
	return toLink(row), nil
}

// LinkByCode reads a link by its global code.
func (s *Store) LinkByCode(ctx context.Context, code string) (referral.ShareLink, error) {
	row, err := s.ent(ctx).ShareLink.Query().Where(sharelink.Code(code)).Select(linkFields...).Only(ctx)
	if err != nil {
		return referral.ShareLink{}, memberErr(err)
	}
	return toLink(row), nil
}

// SetURLLink stores a link's URL link and its expiry.
func (s *Store) SetURLLink(ctx context.Context, brandID, id, url string, expiresAt time.Time) error {
	return s.ent(ctx).ShareLink.Update().Where(sharelink.BrandID(brandID), sharelink.ID(id)).
		SetURLLink(url).SetURLLinkExpiresAt(dbTime(expiresAt)).Exec(ctx)
}

// LinkQR reads a code's stored QR image (nil when none yet).
func (s *Store) LinkQR(ctx context.Context, code string) ([]byte, string, error) {
	row, err := s.ent(ctx).ShareLink.Query().Where(sharelink.Code(code)).
		Select(sharelink.FieldQrImage, sharelink.FieldQrContentType).Only(ctx)
	if err != nil {
		return nil, "", memberErr(err)
	}
	return row.QrImage, row.QrContentType, nil
}

// SetLinkQR stores a QR image unless one is stored already (first writer wins).
func (s *Store) SetLinkQR(ctx context.Context, code string, image []byte, contentType string) error {
	return s.ent(ctx).ShareLink.Update().Where(sharelink.Code(code), sharelink.QrContentType("")).
		SetQrImage(image).SetQrContentType(contentType).Exec(ctx)
}
