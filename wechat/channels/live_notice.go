package channels

import (
	"context"
)

// Live notice statuses of getfinderlivenoticerecordlist.
const (
	NoticeAvailable = 0
	NoticeCancelled = 1
	NoticeUsed      = 2
)

// LiveNotice is one live notice (直播预告) of the Channels account.
type LiveNotice struct {
	NoticeID      string
	Status        int
	StatusWording string
	StartTime     int64 // Unix seconds
	Description   string
	Nickname      string
	HeadURL       string
}

// LiveNotices lists the account's live notices (POST
// /channels/ec/finderlive/getfinderlivenoticerecordlist, empty body). It carries no reservers
// and no counts. WeChat documents it for the 视频号助手 token; this client asks with the shop's
// appid token, which works when the shop and the Channels account are one (uncertain
// otherwise). 48001 (the open-scene switch is off) and every other errcode are Unavailable.
func (c *Client) LiveNotices(ctx context.Context) ([]LiveNotice, error) {
	var out struct {
		List []struct {
			NoticeID      ID     `json:"notice_id"`
			Status        Int    `json:"status"`
			StatusWording string `json:"status_wording"`
			StartTime     Int    `json:"start_time"`
			Description   string `json:"description"`
			Nickname      string `json:"nickname"`
			HeadURL       string `json:"head_url"`
		} `json:"live_notice_list"`
	}
	if err := c.post(ctx, PathLiveNoticeRecord, struct{}{}, &out); err != nil {
		return nil, err
	}
	notices := make([]LiveNotice, 0, len(out.List))
	for _, n := range out.List {
		notices = append(notices, LiveNotice{NoticeID: string(n.NoticeID), Status: int(n.Status), StatusWording: n.StatusWording,
			StartTime: int64(n.StartTime), Description: n.Description, Nickname: n.Nickname, HeadURL: n.HeadURL})
	}
	return notices, nil
}
