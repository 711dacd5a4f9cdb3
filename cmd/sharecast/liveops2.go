package main

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/wechat"
	"github.com/sharecast/sharecast/wechat/channels"
)

// wireLiveOps2 builds the notice sync, the reminder-window guard and the shortfall round,
// after the sharing and outputs services they use.
func (a *app) wireLiveOps2(wx *wechat.Client, o buildOptions) {
	a.liveops = &liveops.Service{Store: a.store, Lives: a.store, Brands: a.brands, AllBrands: a.store,
		Notices: noticeSource{wx: wx, brands: a.brands}, Queue: jobs.LiveOpsQueue{Runner: a.jobs},
		Reminders: a.reminders, Pusher: a.outputs, Clock: a.clock, Log: a.log}
	a.sharing.LiveGuard = liveops.Guard{S: a.liveops}
	jobs.AddLiveOpsWorkers(a.jobs, a.liveops, o.liveopsTick)
	if cl, ok := a.consoleLives.(consoleLives); ok { // the lives list shows each notice's state
		cl.notices = a.liveops
		a.consoleLives = cl
	}
}

// noticeSource lists a brand's Channels notices with its shop credentials.
type noticeSource struct {
	wx     *wechat.Client
	brands *brands.Service
}

func (n noticeSource) LiveNotices(ctx context.Context, brandID string) ([]liveops.RemoteNotice, error) {
	b, err := n.brands.Brand(ctx, brandID)
	if err != nil {
		return nil, err
	}
	secret := ""
	if b.HasCredential(brands.CredChannelsAppSecret) {
		if secret, err = n.brands.Credential(b, brands.CredChannelsAppSecret); err != nil {
			return nil, err
		}
	}
	list, err := channels.NewClient(n.wx, b.ChannelsAppID, secret).LiveNotices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]liveops.RemoteNotice, len(list))
	for i, x := range list {
		out[i] = liveops.RemoteNotice{NoticeID: x.NoticeID, Status: x.Status, StatusWording: x.StatusWording,
			StartAt: time.Unix(x.StartTime, 0).UTC(), Description: x.Description}
	}
	return out, nil
}
