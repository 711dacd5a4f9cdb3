package leaderboard

import (
	"fmt"
	"time"
)

// boardView is one snapshot prepared for every output (text, WeCom markdown, poster, public
// page), so they all say the same thing: names after privacy, times in the brand's zone, the
// gap to the target and the member's own standing.
type boardView struct {
	Brand   string
	Heading string // 预约邀请排行榜, or the ignition board's name
	Title   string // the live's title
	Group   string
	Start   string // the live's start in the brand's zone, "12月4日 周五 20:00"
	Taken   string // when the numbers were read, same zone
	Unit    string // what a count counts

	Total     int64
	Target    int64
	Remaining int64 // to the target; 0 when reached or no target

	Rows     []viewRow
	RankOnly bool
	Me       *meView
	Link     string
	QR       []byte
	Color    string
}

type viewRow struct {
	Rank  int
	Name  string // "" under PrivacyRankOnly
	Count int64
}

type meView struct {
	Rank  int   // 0: not on the board
	Count int64 //
	// Gap is how many more it takes to pass the row above (ties go to whoever got there
	// first, so passing needs one more than the difference); 0 when first or unknown.
	Gap      int64
	AboveRow int
}

// Heading and units per window.
const (
	headingLive     = "预约邀请排行榜"
	headingIgnition = "开播20分钟引流榜"
)

// shanghai is the default zone when a snapshot carries none (DESIGN: brands default to
// Asia/Shanghai); a fixed offset needs no tzdata on the host.
var shanghai = time.FixedZone("CST", 8*3600)

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// formatDay renders t as "12月4日 周五 20:00" in loc.
func formatDay(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return fmt.Sprintf("%d月%d日 %s %02d:%02d", int(t.Month()), t.Day(), weekdays[t.Weekday()], t.Hour(), t.Minute())
}

// formatClock renders t as "12月1日 18:30" in loc.
func formatClock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return fmt.Sprintf("%d月%d日 %02d:%02d", int(t.Month()), t.Day(), t.Hour(), t.Minute())
}

func newBoardView(s Snapshot, p Privacy) boardView {
	loc := s.Location
	if loc == nil {
		loc = shanghai
	}
	v := boardView{
		Brand: CleanName(s.BrandName), Title: CleanName(s.LiveTitle), Group: CleanName(s.Group),
		Heading: headingLive, Unit: "人",
		Start: formatDay(s.StartAt, loc), Taken: formatClock(s.TakenAt, loc),
		Total: max(s.Total, 0), Target: max(s.Target, 0),
		RankOnly: p == PrivacyRankOnly, Link: s.LinkURL, QR: s.QR, Color: s.BrandColor,
	}
	if s.Window == WindowIgnition {
		v.Heading = headingIgnition
	}
	if v.Target > 0 && v.Total < v.Target {
		v.Remaining = v.Target - v.Total
	}
	for _, r := range s.Rows {
		if r.Rank <= 0 || r.Count <= 0 {
			continue // a score of 0 is off the board
		}
		v.Rows = append(v.Rows, viewRow{Rank: r.Rank, Name: ShownName(r, p), Count: r.Count})
	}
	if s.Me != nil {
		m := &meView{Rank: s.Me.Rank, Count: max(s.Me.Count, 0)}
		if m.Rank > 1 {
			for _, r := range v.Rows {
				if r.Rank == m.Rank-1 {
					m.Gap = r.Count - m.Count + 1
					m.AboveRow = r.Rank
				}
			}
		}
		v.Me = m
	}
	return v
}

// Empty reports a board nobody is on yet.
func (v boardView) Empty() bool { return len(v.Rows) == 0 }

// medal is the mark of the first three ranks.
func medal(rank int) string {
	switch rank {
	case 1:
		return "🥇"
	case 2:
		return "🥈"
	case 3:
		return "🥉"
	}
	return ""
}

// progress is the reservations-versus-target sentence.
func (v boardView) progress() string {
	if v.Heading == headingIgnition {
		return fmt.Sprintf("开播后已带来 %d 位访客", v.Total)
	}
	switch {
	case v.Target <= 0:
		return fmt.Sprintf("已预约 %d 人", v.Total)
	case v.Remaining == 0:
		return fmt.Sprintf("已预约 %d 人，目标 %d 人已达成", v.Total, v.Target)
	}
	return fmt.Sprintf("已预约 %d 人，目标 %d 人，还差 %d 人", v.Total, v.Target, v.Remaining)
}

// meLine is the member's own standing.
func (v boardView) meLine() string {
	m := v.Me
	switch {
	case m == nil:
		return ""
	case m.Rank == 1:
		return fmt.Sprintf("我的排名：第 1 名，已邀请 %d 人，继续保持！", m.Count)
	case m.Rank > 1 && m.Gap > 0:
		return fmt.Sprintf("我的排名：第 %d 名，已邀请 %d 人，再邀请 %d 人超过第 %d 名", m.Rank, m.Count, m.Gap, m.AboveRow)
	case m.Rank > 1:
		return fmt.Sprintf("我的排名：第 %d 名，已邀请 %d 人", m.Rank, m.Count)
	}
	return "我还没有上榜，邀请好友预约就能上榜"
}

// callToAction asks the reader to reserve through the member's link, or to get their own.
func (v boardView) callToAction() string {
	if v.Link != "" {
		return "点我预约直播，帮我冲榜：" + v.Link
	}
	if v.Brand != "" {
		return "打开「" + v.Brand + "」小程序，领取你的专属邀请链接，一起冲榜"
	}
	return "打开小程序，领取你的专属邀请链接，一起冲榜"
}

const emptyBoard = "还没有人上榜，邀请好友预约，第一名就是你！"
