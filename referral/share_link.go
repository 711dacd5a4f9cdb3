package referral

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Channels a member shares through (DESIGN §2).
const (
	ChannelGroup           = "group"
	ChannelMoments         = "moments"
	ChannelOfficialAccount = "official_account"
	ChannelWeComOneToOne   = "wecom_1v1"
	ChannelPoster          = "poster"
	ChannelOther           = "other"
)

// AllChannels is every channel, in the order links are answered.
var AllChannels = []string{ChannelGroup, ChannelMoments, ChannelOfficialAccount, ChannelWeComOneToOne, ChannelPoster, ChannelOther}

// ValidChannel reports whether c is a channel.
func ValidChannel(c string) bool {
	for _, v := range AllChannels {
		if v == c {
			return true
		}
	}
	return false
}

// LivePage is the mini-program page a share code opens. A QR code carries the code as its
// scene (the page reads query.scene); a path or URL link carries it as ?code=.
const LivePage = "pages/live/index"

// ShareLink is a member's link for one live and channel (and group label for group).
type ShareLink struct {
	ID, BrandID, LiveID, MemberID string
	Channel, Group, Code          string
	URLLink                       string
	URLLinkExpiresAt              *time.Time
	CreatedAt                     time.Time
}

// Path is the mini-program path that opens the link.
func (l ShareLink) Path() string { return LivePage + "?code=" + l.Code }

// LinkStore keeps share links.
type LinkStore interface {
	// CreateLink inserts; ErrDuplicate when the key (brand, live, member, channel, group) or
	// the code exists.
	CreateLink(ctx context.Context, l ShareLink) (ShareLink, error)
	LinkByKey(ctx context.Context, brandID, liveID, memberID, channel, group string) (ShareLink, error)
	// LinkByCode looks a code up globally: QR scans and opens arrive before the brand is
	// known. Callers check the brand.
	LinkByCode(ctx context.Context, code string) (ShareLink, error)
	SetURLLink(ctx context.Context, brandID, id, url string, expiresAt time.Time) error
	// LinkQR answers the stored image (nil when none yet); ErrNotFound for an unknown code.
	LinkQR(ctx context.Context, code string) (image []byte, contentType string, err error)
	// SetLinkQR stores the image only when none is stored yet: the first writer wins, so
	// every replica serves the same bytes.
	SetLinkQR(ctx context.Context, code string, image []byte, contentType string) error
}

// WeChatLinks makes QR codes and URL links (the WeChat client at the edge).
type WeChatLinks interface {
	// QRCode calls wxacode.getUnlimited for scene on page.
	QRCode(ctx context.Context, appID, secret, scene, page string) (image []byte, contentType string, err error)
	// URLLink calls generate_urllink for path?query, valid for lifetime from now.
	URLLink(ctx context.Context, appID, secret, path, query string, lifetime time.Duration) (url string, err error)
}

// Codes: 14 characters of [0-9A-Za-z] are 83 random bits (not guessable, not enumerable),
// inside WeChat's scene charset and ≤ 32 characters, and safe in a URL without escaping.
const (
	codeAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	CodeLen      = 14
)

// NewCode returns a fresh random share code.
func NewCode() string {
	out := make([]byte, 0, CodeLen)
	var buf [32]byte
	for len(out) < CodeLen {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
		for _, v := range buf {
			// 248 = 4·62: rejecting the top 8 values keeps every character equally likely.
			if v < 248 && len(out) < CodeLen {
				out = append(out, codeAlphabet[v%62])
			}
		}
	}
	return string(out)
}

// ValidCode reports whether s can be a share code (a cheap 404 before any lookup).
func ValidCode(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// LinksInput asks for a member's links for a live.
type LinksInput struct {
	Channels []string // empty → every channel
	Group    string   // label for the group channel ("" allowed)
}

// URL links live at most 30 days; one with less than urlLinkRefreshBefore left is replaced
// when its owner next asks for links, so a shared link keeps working for days after.
const (
	urlLinkLifetime      = 30 * 24 * time.Hour
	urlLinkRefreshBefore = 7 * 24 * time.Hour
	maxGroupLabelRunes   = 32
)

// NormalizeGroup trims a group label and checks it (free text or an openGId).
func NormalizeGroup(g string) (string, error) {
	g = strings.TrimSpace(g)
	if utf8.RuneCountInString(g) > maxGroupLabelRunes || len(g) > 64 || !utf8.ValidString(g) || strings.ContainsAny(g, "\x00\r\n\t") {
		return "", apperr.InvalidArgument("group must be at most 32 characters on one line")
	}
	return g, nil
}

// Links answers the member's links for a live, creating missing ones and refreshing URL
// links near expiry. The same member, live, channel (and group label) always get the same
// code.
func (s *Sharing) Links(ctx context.Context, brandID, memberID, liveID string, in LinksInput) ([]ShareLink, error) {
	chans := in.Channels
	if len(chans) == 0 {
		chans = AllChannels
	}
	if len(chans) > len(AllChannels) {
		return nil, apperr.InvalidArgument("channels lists more channels than exist")
	}
	group, err := NormalizeGroup(in.Group)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range chans {
		if !ValidChannel(c) {
			return nil, apperr.InvalidArgument("unknown channel " + c + "; use group, moments, official_account, wecom_1v1, poster or other")
		}
		if seen[c] {
			return nil, apperr.InvalidArgument("channel listed twice: " + c)
		}
		seen[c] = true
	}
	if group != "" && !seen[ChannelGroup] {
		return nil, apperr.InvalidArgument("group is only for the group channel")
	}
	if err := s.allow(ctx, "links:"+brandID+":"+memberID, s.Limits.normalize().LinksPerMember); err != nil {
		return nil, err
	}
	l, err := s.Live(ctx, brandID, liveID)
	if err != nil {
		return nil, err
	}
	if l.Over() {
		return nil, errLiveEnded()
	}
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return nil, err
	}
	out := make([]ShareLink, 0, len(chans))
	for _, c := range chans {
		g := ""
		if c == ChannelGroup {
			g = group
		}
		link, err := s.link(ctx, brandID, memberID, liveID, c, g)
		if err != nil {
			return nil, err
		}
		out = append(out, s.freshURLLink(ctx, b, link))
	}
	return out, nil
}

// MemberLink is the link a member's own outputs (poster, text) carry: their group link for
// group when given, else their "other" link; created when missing. The QR image is
// generated when needed; a WeChat failure leaves it (and the URL link) empty rather than
// failing the output.
func (s *Sharing) MemberLink(ctx context.Context, brandID, memberID, liveID, group string) (ShareLink, []byte, error) {
	group, err := NormalizeGroup(group)
	if err != nil {
		return ShareLink{}, nil, err
	}
	channel := ChannelOther
	if group != "" {
		channel = ChannelGroup
	}
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return ShareLink{}, nil, err
	}
	link, err := s.link(ctx, brandID, memberID, liveID, channel, group)
	if err != nil {
		return ShareLink{}, nil, err
	}
	link = s.freshURLLink(ctx, b, link)
	img, _, err := s.LinkQR(ctx, link.Code)
	if err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return ShareLink{}, nil, err
		}
		img = nil
	}
	return link, img, nil
}

// link reads or creates one link. A duplicate on create is a concurrent request creating the
// same link (read it on the next round) or, astronomically rarely, a code collision (a new
// code on the next round).
func (s *Sharing) link(ctx context.Context, brandID, memberID, liveID, channel, group string) (ShareLink, error) {
	for range 4 {
		l, err := s.Store.LinkByKey(ctx, brandID, liveID, memberID, channel, group)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return ShareLink{}, err
		}
		l, err = s.Store.CreateLink(ctx, ShareLink{BrandID: brandID, LiveID: liveID, MemberID: memberID,
			Channel: channel, Group: group, Code: NewCode(), CreatedAt: s.Clock.Now()})
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return ShareLink{}, err
		}
	}
	return ShareLink{}, apperr.New(apperr.Unavailable, "LINK_BUSY", "could not create the link, try again")
}

// freshURLLink makes or renews the link's URL link. WeChat failing here does not fail the
// request: the link still works by path and QR code, and the next request tries again.
func (s *Sharing) freshURLLink(ctx context.Context, b brands.Brand, l ShareLink) ShareLink {
	now := s.Clock.Now()
	if s.WeChat == nil || (l.URLLink != "" && l.URLLinkExpiresAt != nil && l.URLLinkExpiresAt.Sub(now) > urlLinkRefreshBefore) {
		return l
	}
	secret, err := s.Brands.Credential(b, brands.CredMPAppSecret)
	if err != nil || secret == "" || b.MPAppID == "" {
		return l
	}
	url, err := s.WeChat.URLLink(ctx, b.MPAppID, secret, LivePage, "code="+l.Code, urlLinkLifetime)
	if err != nil {
		return l
	}
	exp := now.Add(urlLinkLifetime)
	if err := s.Store.SetURLLink(ctx, l.BrandID, l.ID, url, exp); err != nil {
		return l
	}
	l.URLLink, l.URLLinkExpiresAt = url, &exp
	return l
}

// qrFlight collapses concurrent first requests for one code in this process into one
// WeChat call (the store's first-writer-wins settles it across replicas).
var qrFlight singleflight.Group

type qrImage struct {
	img []byte
	ct  string
}

// LinkQR answers the QR image of a code, generating it through WeChat the first time and
// storing it. No token is needed: the code is unguessable.
func (s *Sharing) LinkQR(ctx context.Context, code string) ([]byte, string, error) {
	if !ValidCode(code) {
		return nil, "", errCodeNotFound()
	}
	img, ct, err := s.Store.LinkQR(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, "", errCodeNotFound()
	}
	if err != nil || len(img) > 0 {
		return img, ct, err
	}
	v, err, _ := qrFlight.Do(code, func() (any, error) {
		img, ct, err := s.generateQR(ctx, code)
		return qrImage{img, ct}, err
	})
	if err != nil {
		return nil, "", err
	}
	q := v.(qrImage)
	return q.img, q.ct, nil
}

func (s *Sharing) generateQR(ctx context.Context, code string) ([]byte, string, error) {
	l, err := s.Store.LinkByCode(ctx, code)
	if err != nil {
		return nil, "", err
	}
	b, err := s.Brands.Brand(ctx, l.BrandID)
	if err != nil {
		return nil, "", err
	}
	secret, err := s.Brands.Credential(b, brands.CredMPAppSecret)
	if err != nil {
		return nil, "", err
	}
	if s.WeChat == nil || secret == "" || b.MPAppID == "" {
		return nil, "", apperr.New(apperr.Unavailable, "BRAND_NOT_CONFIGURED", "the brand has no mini-program credentials for QR codes")
	}
	img, ct, err := s.WeChat.QRCode(ctx, b.MPAppID, secret, code, LivePage)
	if err != nil {
		return nil, "", err
	}
	if err := s.Store.SetLinkQR(ctx, code, img, ct); err != nil {
		return nil, "", err
	}
	// Answer what is stored: another replica may have stored its image first.
	return s.Store.LinkQR(ctx, code)
}

// linkForBrand resolves a code of brandID; another brand's code is unknown here.
func (s *Sharing) linkForBrand(ctx context.Context, brandID, code string) (ShareLink, error) {
	if !ValidCode(code) {
		return ShareLink{}, errCodeNotFound()
	}
	link, err := s.Store.LinkByCode(ctx, code)
	if errors.Is(err, ErrNotFound) || (err == nil && link.BrandID != brandID) {
		return ShareLink{}, errCodeNotFound()
	}
	return link, err
}
