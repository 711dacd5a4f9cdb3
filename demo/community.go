package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// UpcomingNotice is the notice id of the demo brand's reservable live.
const UpcomingNotice = "demo-notice-upcoming"

// inviters of the demo community and how many reservations each brings: a board with ties,
// a hidden member and every channel. Each stays far under the default risk thresholds (30
// reservations within 60 s per inviter from new members; the seed sends no client IP).
var inviters = []struct {
	nickname string
	visible  bool
	brings   int
	channel  string
}{
	{"小红", true, 9, referral.ChannelGroup},
	{"阿杰", true, 7, referral.ChannelMoments},
	{"Lily", true, 7, referral.ChannelWeComOneToOne},
	{"王姐", true, 5, referral.ChannelOfficialAccount},
	{"低调的人", false, 4, referral.ChannelPoster},
	{"老周", true, 3, referral.ChannelOther},
	{"米粒", true, 2, referral.ChannelGroup},
	{"新人", true, 0, referral.ChannelMoments},
}

// demoGroup is the group label the demo's group links carry.
const demoGroup = "上海粉丝一群"

// SeedCommunity gives the demo brand's reservable live its community: members with links
// through every channel, opens and counted reservations, through the same use cases the
// mini-program calls (so the boards are filled too). It runs once, right after Seed created
// the brand; a demo live that already has reservations is left alone.
func SeedCommunity(ctx context.Context, st *store.Store, sh *referral.Sharing, brandID string) error {
	l, err := st.LiveByNoticeID(ctx, brandID, UpcomingNotice)
	if errors.Is(err, referral.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if existing, _, err := st.ListReservations(ctx, brandID, l.ID, referral.ReservationFilter{}, referral.Page{Limit: 1}); err != nil || len(existing) > 0 {
		return err
	}
	// The service is not listening yet while it seeds, so nothing may call WeChat (through the
	// mounted simulator); URL links and QR codes are made on the members' first requests.
	sh = sh.Quiet()
	for i, inv := range inviters {
		m, err := demoMember(ctx, st, brandID, fmt.Sprintf("demo-inviter-%02d", i), inv.nickname, inv.visible)
		if err != nil {
			return err
		}
		links, err := sh.Links(ctx, brandID, m.ID, l.ID, referral.LinksInput{Group: demoGroup})
		if err != nil {
			return err
		}
		code := ""
		for _, link := range links {
			if link.Channel == inv.channel {
				code = link.Code
			}
		}
		for j := range inv.brings {
			v, err := demoMember(ctx, st, brandID, fmt.Sprintf("demo-viewer-%02d-%02d", i, j), "", true)
			if err != nil {
				return err
			}
			if _, err := sh.RecordTouch(ctx, brandID, v.ID, code, ""); err != nil {
				return err
			}
			if _, err := sh.RecordReservation(ctx, referral.ReservationInput{BrandID: brandID, ViewerID: v.ID, Code: code,
				NoticeID: UpcomingNotice, State: referral.StateReserved}); err != nil {
				return err
			}
		}
	}
	return nil
}

func demoMember(ctx context.Context, st *store.Store, brandID, openID, nickname string, visible bool) (referral.Member, error) {
	return st.CreateMember(ctx, referral.Member{BrandID: brandID, OpenID: openID, Nickname: nickname,
		Status: referral.StatusActive, LeaderboardVisible: visible})
}

// pulseCap bounds how many reservations the pulse adds to the demo live.
const pulseCap = 120

// Pulse adds one reservation to the demo live through one of the demo inviters, so a new
// user watching the board sees it move (the embedded default runs it every minute). It stops
// at pulseCap, or when the live no longer takes reservations.
func Pulse(ctx context.Context, st *store.Store, sh *referral.Sharing, n int) error {
	b, err := st.BrandBySlug(ctx, Slug)
	if err != nil {
		return nil // no demo brand: nothing to animate
	}
	l, err := st.LiveByNoticeID(ctx, b.ID, UpcomingNotice)
	if err != nil || !l.AcceptsReservations() || n >= pulseCap {
		return nil
	}
	v, err := st.MemberByOpenID(ctx, b.ID, fmt.Sprintf("demo-pulse-%03d", n))
	if errors.Is(err, referral.ErrNotFound) {
		v, err = demoMember(ctx, st, b.ID, fmt.Sprintf("demo-pulse-%03d", n), "", true)
	}
	if err != nil {
		return err
	}
	// Rotate through the inviters, the top ones more often, so the order changes over time.
	pick := []int{1, 2, 0, 3, 2, 5, 1, 6, 7, 2, 3, 1}[n%12]
	inv, err := st.MemberByOpenID(ctx, b.ID, fmt.Sprintf("demo-inviter-%02d", pick))
	if err != nil {
		return nil
	}
	quiet := sh.Quiet()
	links, err := quiet.Links(ctx, b.ID, inv.ID, l.ID, referral.LinksInput{Channels: []string{inviters[pick].channel}, Group: groupFor(inviters[pick].channel)})
	if err != nil {
		return err
	}
	if _, err := quiet.RecordTouch(ctx, b.ID, v.ID, links[0].Code, ""); err != nil {
		return err
	}
	_, err = quiet.RecordReservation(ctx, referral.ReservationInput{BrandID: b.ID, ViewerID: v.ID, Code: links[0].Code,
		NoticeID: UpcomingNotice, State: referral.StateReserved})
	return err
}

func groupFor(channel string) string {
	if channel == referral.ChannelGroup {
		return demoGroup
	}
	return ""
}
