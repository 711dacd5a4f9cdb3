package liveops

import (
	"testing"
	"time"

	"github.com/sharecast/sharecast/referral"
)

func TestAssess(t *testing.T) {
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	str := func(s string) *string { return &s }
	withNotice := referral.Live{ID: "l", NoticeID: "n1", PlannedStartAt: start, Status: referral.LiveReservable}
	noNotice := referral.Live{ID: "l", PlannedStartAt: start, Status: referral.LivePlanned}
	ended := withNotice
	ended.Status = referral.LiveEnded
	moved := withNotice
	moved.PlannedStartAt = start.Add(50 * time.Minute) // already near the edge of the notice at 20:00

	cases := []struct {
		name        string
		live        referral.Live
		change      referral.LiveChange
		noticeStart *time.Time
		want        []string
	}{
		{"title only", withNotice, referral.LiveChange{Title: str("x")}, nil, nil},
		{"same start", withNotice, referral.LiveChange{PlannedStartAt: at(0)}, nil, nil},
		{"30 min later stays inside", withNotice, referral.LiveChange{PlannedStartAt: at(30 * time.Minute)}, nil, nil},
		{"44 min earlier stays inside", withNotice, referral.LiveChange{PlannedStartAt: at(-44 * time.Minute)}, nil, nil},
		{"45 min later is near the edge", withNotice, referral.LiveChange{PlannedStartAt: at(45 * time.Minute)}, nil, []string{RiskStartNearEdge}},
		{"exactly 1 h earlier is near the edge", withNotice, referral.LiveChange{PlannedStartAt: at(-time.Hour)}, nil, []string{RiskStartNearEdge}},
		{"61 min later is outside", withNotice, referral.LiveChange{PlannedStartAt: at(61 * time.Minute)}, nil, []string{RiskStartOutsideWindow}},
		{"2 h earlier is outside", withNotice, referral.LiveChange{PlannedStartAt: at(-2 * time.Hour)}, nil, []string{RiskStartOutsideWindow}},
		{"synced notice time wins over planned start", withNotice, referral.LiveChange{PlannedStartAt: at(10 * time.Minute)}, at(-55 * time.Minute),
			[]string{RiskStartOutsideWindow}},
		{"moving back toward the notice is safe", moved, referral.LiveChange{PlannedStartAt: at(20 * time.Minute)}, at(0), nil},
		{"moving back toward the notice is safe even near the edge", moved, referral.LiveChange{PlannedStartAt: at(47 * time.Minute)}, at(0), nil},
		{"moving further toward the edge", moved, referral.LiveChange{PlannedStartAt: at(55 * time.Minute)}, at(5 * time.Minute),
			[]string{RiskStartNearEdge}},
		{"moving past the edge from near it", moved, referral.LiveChange{PlannedStartAt: at(65 * time.Minute)}, at(0), []string{RiskStartOutsideWindow}},
		{"removing the notice", withNotice, referral.LiveChange{NoticeID: str("")}, nil, []string{RiskNoticeRemoved}},
		{"replacing the notice", withNotice, referral.LiveChange{NoticeID: str("n2")}, nil, []string{RiskNoticeReplaced}},
		{"same notice id is no change", withNotice, referral.LiveChange{NoticeID: str("n1")}, nil, nil},
		{"replacing wins over a start move", withNotice, referral.LiveChange{NoticeID: str("n2"), PlannedStartAt: at(3 * time.Hour)}, nil,
			[]string{RiskNoticeReplaced}},
		{"a live without a notice risks nothing", noNotice, referral.LiveChange{PlannedStartAt: at(5 * time.Hour), NoticeID: str("n9")}, nil, nil},
		{"an ended live risks nothing", ended, referral.LiveChange{PlannedStartAt: at(5 * time.Hour)}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Assess(c.live, c.change, c.noticeStart)
			var codes []string
			for _, r := range got {
				codes = append(codes, r.Code)
				if r.Message == "" {
					t.Errorf("risk %s has no message", r.Code)
				}
			}
			if len(codes) != len(c.want) {
				t.Fatalf("risks %v, want %v", codes, c.want)
			}
			for i := range codes {
				if codes[i] != c.want[i] {
					t.Fatalf("risks %v, want %v", codes, c.want)
				}
			}
		})
	}
}

func TestChangeOf(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	n := func(state string, start time.Time) Notice { return Notice{State: state, StartAt: start} }
	cases := []struct {
		name      string
		prev, cur Notice
		want      string
	}{
		{"unchanged", n(NoticeAvailable, t0), n(NoticeAvailable, t0), ""},
		{"revoked", n(NoticeAvailable, t0), n(NoticeRevoked, t0), ChangeRevoked},
		{"used", n(NoticeAvailable, t0), n(NoticeUsed, t0), ChangeUsed},
		{"start moved", n(NoticeAvailable, t0), n(NoticeAvailable, t0.Add(time.Hour)), ChangeStartMoved},
		{"back after missing", n(NoticeMissing, t0), n(NoticeAvailable, t0), ChangeRestored},
		{"revoked and moved reads as revoked", n(NoticeAvailable, t0), n(NoticeRevoked, t0.Add(time.Hour)), ChangeRevoked},
	}
	for _, c := range cases {
		if got := changeOf(c.prev, c.cur); got != c.want {
			t.Errorf("%s: change %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTaskCopyFitsAThingField(t *testing.T) {
	for _, gap := range []int64{1, 180, 100_000_000} {
		if n := len([]rune(TaskCopy(gap))); n > 20 {
			t.Errorf("gap %d: copy %q is %d characters, over thing's 20", gap, TaskCopy(gap), n)
		}
	}
}
