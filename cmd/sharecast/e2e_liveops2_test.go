package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
)

// liveopsFast ticks the notice sync and the shortfall check every 100 ms.
func liveopsFast(_ map[string]string, o *buildOptions) { o.liveopsTick = 100 * time.Millisecond }

// simNotice creates or changes a notice of the brand's Channels account in the simulator.
func (s *svc) simNotice(brandID string, body map[string]any) string {
	s.t.Helper()
	r := s.do("POST", "/_sim/control/channels/"+brandID+"/notices", "", body)
	if r.status != 200 {
		s.t.Fatalf("sim notice: %d %s", r.status, r.raw)
	}
	return r.str("notice_id")
}

func (s *svc) liveNotice(token, liveID string) map[string]any {
	s.t.Helper()
	r := s.do("GET", "/admin/v1/lives/"+liveID, token, nil)
	expect(s.t, r, 200, "")
	n, _ := r.body["live"].(map[string]any)["notice"].(map[string]any)
	return n
}

// The notice sync links the Channels account's notices to lives, and sees a notice revoked or
// moved in Channels; the admin live JSON and the notices list show it.
func TestNoticeSyncShowsRevokedAndMovedNotices(t *testing.T) {
	enginesWith(t, liveopsFast, func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		start := s.app.clock.Now().Add(3 * time.Hour).Truncate(time.Second).UTC()
		n1 := s.simNotice(brandID, map[string]any{"start_time": start.Format(time.RFC3339), "description": "周五直播"})
		n2 := s.simNotice(brandID, map[string]any{"start_time": start.Add(24 * time.Hour).Format(time.RFC3339)})
		l1 := s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "周五直播", "notice_id": n1,
			"planned_start_at": start.Format(time.RFC3339), "target_reservations": 500})
		expect(t, l1, 201, "")
		live1 := l1.str("live.id")

		poll(t, "the sync links the notice", func() bool {
			n := s.liveNotice(owner, live1)
			return n != nil && n["state"] == "available" && n["live_id"] == live1
		})
		list := s.do("GET", "/admin/v1/notices", owner, nil)
		expect(t, list, 200, "")
		if !strings.Contains(string(list.raw), n2) || !strings.Contains(string(list.raw), `"live_id":null`) {
			t.Fatalf("notices: %s", list.raw)
		}

		// Channels moves the start, then cancels the notice.
		s.simNotice(brandID, map[string]any{"notice_id": n1, "start_time": start.Add(30 * time.Minute).Format(time.RFC3339)})
		poll(t, "the move is seen", func() bool {
			n := s.liveNotice(owner, live1)
			return n["change"] == "start_moved" && n["previous_start_at"] == start.Format(time.RFC3339)
		})
		s.simNotice(brandID, map[string]any{"notice_id": n1, "start_time": start.Add(30 * time.Minute).Format(time.RFC3339), "status": 1})
		poll(t, "the revocation is seen", func() bool {
			n := s.liveNotice(owner, live1)
			return n["state"] == "revoked" && n["change"] == "revoked" && n["changed_at"] != nil && n["status"] == float64(1)
		})
		// Every role reads the notices.
		fin := s.adminWithRole(owner, "fin", "finance")
		expect(t, s.do("GET", "/admin/v1/notices", fin, nil), 200, "")
	})
}

// A live edit that risks the reminder window or the notice answers 409 RISK_ACK_REQUIRED with
// the risks and counts until acknowledged; the acknowledged change snapshots the counts first.
func TestLiveGuardAsksForAcknowledgement(t *testing.T) {
	enginesWith(t, liveopsFast, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner, brandID := s.ownerOfDemo()
		start := s.app.clock.Now().Add(5 * time.Hour).Truncate(time.Second).UTC()
		notice := s.simNotice(brandID, map[string]any{"start_time": start.Format(time.RFC3339)})
		created := s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "守护测试", "notice_id": notice,
			"planned_start_at": start.Format(time.RFC3339), "target_reservations": 100})
		expect(t, created, 201, "")
		liveID := created.str("live.id")
		seedReservations(t, s, brandID, liveID, "", 7)
		poll(t, "the sync sees the notice", func() bool { return s.liveNotice(owner, liveID) != nil })

		cases := []struct {
			name string
			body map[string]any
			risk string
		}{
			{"start 2 h later", map[string]any{"planned_start_at": start.Add(2 * time.Hour).Format(time.RFC3339)}, liveops.RiskStartOutsideWindow},
			{"start 50 min earlier", map[string]any{"planned_start_at": start.Add(-50 * time.Minute).Format(time.RFC3339)}, liveops.RiskStartNearEdge},
			{"notice removed", map[string]any{"notice_id": ""}, liveops.RiskNoticeRemoved},
			{"notice replaced", map[string]any{"notice_id": "another-notice"}, liveops.RiskNoticeReplaced},
		}
		for _, c := range cases {
			r := s.do("PATCH", "/admin/v1/lives/"+liveID, owner, c.body)
			expect(t, r, 409, liveops.CodeRiskAckRequired)
			risks, _ := r.body["risks"].([]any)
			if len(risks) != 1 || risks[0].(map[string]any)["code"] != c.risk || !strings.Contains(string(r.raw), `"reserved":7`) {
				t.Fatalf("%s: %s", c.name, r.raw)
			}
		}
		// Safe edits pass without acknowledging.
		expect(t, s.do("PATCH", "/admin/v1/lives/"+liveID, owner, map[string]any{"planned_start_at": start.Add(20 * time.Minute).Format(time.RFC3339)}), 200, "")
		expect(t, s.do("PATCH", "/admin/v1/lives/"+liveID, owner, map[string]any{"title": "新标题"}), 200, "")
		if n, _ := s.app.store.RiskSnapshots(ctx, brandID, liveID); len(n) != 0 {
			t.Fatalf("%d snapshots before any acknowledgement", len(n))
		}

		// Acknowledged: the change applies and the counts are kept.
		ack := s.do("PATCH", "/admin/v1/lives/"+liveID, owner, map[string]any{"notice_id": "", "acknowledge_risk": true})
		expect(t, ack, 200, "")
		if ack.str("live.status") != referral.LivePlanned {
			t.Fatalf("after removing the notice: %s", ack.raw)
		}
		snaps := s.do("GET", "/admin/v1/lives/"+liveID+"/risk-snapshots", owner, nil)
		expect(t, snaps, 200, "")
		list := snaps.body["snapshots"].([]any)
		if len(list) != 1 || !strings.Contains(string(snaps.raw), `"risks":["NOTICE_REMOVED"]`) ||
			list[0].(map[string]any)["reserved"] != float64(7) || list[0].(map[string]any)["notice_id"] != notice {
			t.Fatalf("snapshots: %s", snaps.raw)
		}
		// A live without a notice has nothing to lose.
		expect(t, s.do("PATCH", "/admin/v1/lives/"+liveID, owner, map[string]any{"planned_start_at": start.Add(9 * time.Hour).Format(time.RFC3339)}), 200, "")
		// Another brand's live reads as 404.
		expect(t, s.do("GET", "/admin/v1/lives/not-a-live/risk-snapshots", owner, nil), 404, "")
	})
}

// seedReservations writes n counted reservations of the live by new members (the load a live
// team reaches through the mini-program; written directly so the test stays fast), credited to
// inviter when given.
var seedSeq atomic.Int64

func seedReservations(t *testing.T, s *svc, brandID, liveID, inviter string, n int) {
	t.Helper()
	ctx := context.Background()
	now := s.app.clock.Now()
	for i := 0; i < n; i++ {
		m, err := s.app.store.CreateMember(ctx, referral.Member{BrandID: brandID, OpenID: fmt.Sprintf("seed-%d", seedSeq.Add(1)),
			Nickname: fmt.Sprintf("观众%d", i), Status: "active", LeaderboardVisible: true})
		if err != nil {
			t.Fatal(err)
		}
		reserve(t, s, brandID, liveID, m.ID, inviter, now)
	}
}

func reserve(t *testing.T, s *svc, brandID, liveID, viewer, inviter string, at time.Time) {
	t.Helper()
	r := referral.Reservation{BrandID: brandID, LiveID: liveID, ViewerID: viewer, InviterID: inviter, Status: "reserved",
		Risk: "clear", Counted: inviter != "" && inviter != viewer, CreatedAt: at, UpdatedAt: at}
	if r.Counted {
		r.CountedAt = &at
	} else {
		r.Reason = "NO_INVITER"
	}
	if _, err := s.app.store.CreateReservation(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// member logs a new simulated WeChat user in and, for each template given, grants one
// credit in WeChat and reports it.
func (s *svc) creditMember(templates ...string) (openid, memberID, access string) {
	s.t.Helper()
	code, openid := s.wxLogin(demoAppID, "")
	sess := s.do("POST", "/mp/v1/session", "", map[string]any{"appid": demoAppID, "code": code})
	expect(s.t, sess, 200, "")
	results := map[string]any{}
	for _, tmpl := range templates {
		results[tmpl] = "accept"
	}
	if len(results) > 0 {
		if g := s.do("POST", "/_sim/control/subscribe/grants", "", map[string]any{"appid": demoAppID, "openid": openid, "results": results}); g.status != 200 {
			s.t.Fatalf("grant: %d %s", g.status, g.raw)
		}
		expect(s.t, s.do("POST", "/mp/v1/subscriptions", sess.str("access_token"), map[string]any{"results": results}), 200, "")
	}
	return openid, sess.str("member.id"), sess.str("access_token")
}

func outreachActions(t *testing.T, r resp) map[string]map[string]any {
	t.Helper()
	rounds, _ := r.body["rounds"].([]any)
	if len(rounds) != 1 {
		return nil
	}
	out := map[string]map[string]any{}
	for _, a := range rounds[0].(map[string]any)["actions"].([]any) {
		m := a.(map[string]any)
		out[m["kind"].(string)] = m
	}
	return out
}

func allEnded(acts map[string]map[string]any) bool {
	if len(acts) != 3 {
		return false
	}
	for _, a := range acts {
		if a["status"] == "pending" {
			return false
		}
	}
	return true
}

// The done-when: a live with a target of 500 and 320 counted reservations at T-30
// gets the second round: subscribe reminders to reservers and openers holding a credit, the
// board with the gap pushed to WeCom, task messages with their links to the top inviters and
// group owners; the admin sees what went to how many; checking again sends nothing twice. A
// brand without templates still gets the round without its subscribe part and is told why.
func TestShortfallSecondRound(t *testing.T) {
	enginesWith(t, liveopsFast, func(t *testing.T, s *svc) {
		ctx := context.Background()
		owner, brandID := s.ownerOfDemo()
		op := s.adminWithRole(owner, "olive", "operator")
		const robotKey = "7d1e2f3a-cccc-4bc4-97a0-0ec2e2e2e2e2"
		expect(t, s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "团长群", "webhook_key": robotKey}), 201, "")
		now := s.app.clock.Now().Truncate(time.Second).UTC()

		// The demo brand comes with templates: remove them to see a round without any.
		for _, p := range []string{"shortfall_reminder", "shortfall_task"} {
			expect(t, s.do("DELETE", "/admin/v1/subscribe-templates/"+p, op, nil), 204, "")
		}
		// A live due in 10 minutes (past its T-30) while the brand has no subscribe template.
		early := s.do("POST", "/admin/v1/lives", op, map[string]any{"title": "无模板场", "notice_id": "notice-early",
			"planned_start_at": now.Add(10 * time.Minute).Format(time.RFC3339), "target_reservations": 50})
		expect(t, early, 201, "")
		earlyID := early.str("live.id")
		seedReservations(t, s, brandID, earlyID, "", 3)
		var acts map[string]map[string]any
		poll(t, "the early round ran", func() bool {
			r := s.do("GET", "/admin/v1/lives/"+earlyID+"/outreach", op, nil)
			expect(t, r, 200, "")
			acts = outreachActions(t, r)
			return allEnded(acts)
		})
		for _, k := range []string{liveops.ActionSubscribeReminders, liveops.ActionInviterTasks} {
			if acts[k]["status"] != "skipped" || !strings.Contains(acts[k]["note"].(string), "no subscribe template") {
				t.Fatalf("%s without templates: %v", k, acts[k])
			}
		}
		if acts[liveops.ActionWeComPush]["status"] != "done" || acts[liveops.ActionWeComPush]["queued"] != float64(1) {
			t.Fatalf("push without templates: %v", acts[liveops.ActionWeComPush])
		}
		poll(t, "the early push reached WeCom", func() bool { return len(s.simMessages(robotKey)) == 1 })

		// The templates, then the live of the issue: target 500, starting in 2 h.
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/shortfall_reminder", op, map[string]any{
			"template_id": "tmplShortfall01", "page": "pages/live/index?live_id={live_id}",
			"fields": map[string]any{"thing1": "{live_title}", "time2": "{start_time}", "number3": "{gap}", "thing4": "{member_nickname}"}}), 200, "")
		expect(t, s.do("PUT", "/admin/v1/subscribe-templates/shortfall_task", op, map[string]any{
			"template_id": "tmplTask01", "page": "pages/share/index?code={code}",
			"fields": map[string]any{"thing1": "{copy}", "time2": "{start_time}", "character_string3": "{code}"}}), 200, "")
		start := now.Add(2 * time.Hour)
		created := s.do("POST", "/admin/v1/lives", op, map[string]any{"title": "双十二直播", "notice_id": "notice-1212",
			"planned_start_at": start.Format(time.RFC3339), "target_reservations": 500})
		expect(t, created, 201, "")
		liveID := created.str("live.id")

		// Two inviters with group links and task credits; reservers and an opener with reminder credits.
		inviterOpenIDs, inviterCodes := []string{}, []string{}
		inviterIDs := []string{}
		for i := 0; i < 2; i++ {
			oid, id, access := s.creditMember("tmplTask01")
			links := s.do("POST", "/mp/v1/lives/"+liveID+"/links", access, map[string]any{"channels": []string{"group"}, "group": fmt.Sprintf("%d群", i+1)})
			expect(t, links, 200, "")
			inviterOpenIDs, inviterIDs = append(inviterOpenIDs, oid), append(inviterIDs, id)
			inviterCodes = append(inviterCodes, links.body["links"].([]any)[0].(map[string]any)["code"].(string))
		}
		reserverOpenIDs := []string{}
		for i := 0; i < 3; i++ {
			oid, id, _ := s.creditMember("tmplShortfall01")
			reserve(t, s, brandID, liveID, id, inviterIDs[0], now)
			reserverOpenIDs = append(reserverOpenIDs, oid)
		}
		// A credit holder whose nickname is over thing's 20 characters: skipped, and the admin told.
		_, longID, longAccess := s.creditMember("tmplShortfall01")
		expect(t, s.do("PATCH", "/mp/v1/me", longAccess, map[string]any{"nickname": strings.Repeat("长", 21)}), 200, "")
		reserve(t, s, brandID, liveID, longID, inviterIDs[0], now)
		_, noCreditID, _ := s.creditMember() // reserved, but gave no credit: no message
		reserve(t, s, brandID, liveID, noCreditID, inviterIDs[1], now)
		openerOpenID, _, openerAccess := s.creditMember("tmplShortfall01")
		expect(t, s.do("POST", "/mp/v1/touches", openerAccess, map[string]any{"code": inviterCodes[1]}), 200, "")
		seedReservations(t, s, brandID, liveID, inviterIDs[0], 200)
		seedReservations(t, s, brandID, liveID, inviterIDs[1], 115) // 3 + 1 + 1 + 200 + 115 = 320 counted

		// Not due yet: a shortfall check that ran after the reservations finds nothing before T-30.
		s.awaitTick(jobs.OutreachTickArgs{}.Kind())
		if r := s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", op, nil); len(r.body["rounds"].([]any)) != 0 {
			t.Fatalf("a round before T-30: %s", r.raw)
		}
		s.advanceClock(91 * time.Minute) // T-29

		poll(t, "the round ran", func() bool {
			acts = outreachActions(t, s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", op, nil))
			return allEnded(acts)
		})
		r := s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", op, nil)
		round := r.body["rounds"].([]any)[0].(map[string]any)
		if round["counted"] != float64(320) || round["target"] != float64(500) || round["gap"] != float64(180) || round["outcome"] != "shortfall" {
			t.Fatalf("round: %v", round)
		}
		rem, push, task := acts[liveops.ActionSubscribeReminders], acts[liveops.ActionWeComPush], acts[liveops.ActionInviterTasks]
		// 320 reservers + 1 opener addressed; the 4 holding a credit get a message.
		if rem["status"] != "done" || rem["recipients"] != float64(321) || rem["queued"] != float64(4) ||
			!strings.Contains(rem["note"].(string), "1 not sent: SUBSCRIBE_FIELD_INVALID") {
			t.Fatalf("reminders: %v", rem)
		}
		if push["status"] != "done" || push["recipients"] != float64(1) || push["queued"] != float64(1) {
			t.Fatalf("push: %v", push)
		}
		if task["status"] != "done" || task["recipients"] != float64(2) || task["queued"] != float64(2) {
			t.Fatalf("tasks: %v", task)
		}

		// The simulated WeChat shows one reminder per credit holder and one task per inviter.
		for _, oid := range append(reserverOpenIDs, openerOpenID) {
			poll(t, "reminder for "+oid, func() bool { return len(s.simSubscribeMessages(oid)) == 1 })
			m := s.simSubscribeMessages(oid)[0].(map[string]any)
			if m["template_id"] != "tmplShortfall01" || m["data"].(map[string]any)["number3"] != "180" || m["data"].(map[string]any)["thing4"] == "" {
				t.Fatalf("reminder: %v", m)
			}
		}
		for i, oid := range inviterOpenIDs {
			poll(t, "task for "+oid, func() bool { return len(s.simSubscribeMessages(oid)) == 1 })
			m := s.simSubscribeMessages(oid)[0].(map[string]any)
			data := m["data"].(map[string]any)
			if m["page"] != "pages/share/index?code="+inviterCodes[i] || data["character_string3"] != inviterCodes[i] ||
				data["thing1"] != liveops.TaskCopy(180) {
				t.Fatalf("task: %v", m)
			}
		}
		poll(t, "the board push reached WeCom", func() bool { return len(s.simMessages(robotKey)) == 2 })
		md := fmt.Sprint(s.simMessages(robotKey)[1])
		if !strings.Contains(md, "目标 500 人") || !strings.Contains(md, `还差 <font color="warning">180</font> 人`) {
			t.Fatalf("board push: %s", md)
		}
		poll(t, "the sends are recorded as sent", func() bool {
			r := s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", op, nil)
			a := outreachActions(t, r)
			sends := a[liveops.ActionSubscribeReminders]["sends"].(map[string]any)
			return sends["sent"] == float64(4) && sends["no_credit"] == float64(316)
		})

		// Checking again, and running every action again, sends nothing twice.
		l, err := s.app.store.LiveByID(ctx, brandID, liveID)
		if err != nil {
			t.Fatal(err)
		}
		if _, inserted, err := s.app.liveops.CheckRound(ctx, l, 30); err != nil || inserted {
			t.Fatalf("second check: %v %v", inserted, err)
		}
		for _, a := range acts {
			if err := s.app.liveops.RunAction(ctx, brandID, a["id"].(string)); err != nil {
				t.Fatal(err)
			}
		}
		s.advanceClock(5 * time.Minute)
		// A shortfall check after the move, and every send the reruns or that check could have
		// queued, have run: nothing may have gone out twice.
		s.awaitTick(jobs.OutreachTickArgs{}.Kind())
		s.awaitIdle(jobs.OutreachActionArgs{}.Kind(), jobs.SendSubscribeMessageArgs{}.Kind(), jobs.LeaderboardPushArgs{}.Kind())
		for _, oid := range append(append(reserverOpenIDs, openerOpenID), inviterOpenIDs...) {
			if n := len(s.simSubscribeMessages(oid)); n != 1 {
				t.Fatalf("%s received %d messages", oid, n)
			}
		}
		if n := len(s.simMessages(robotKey)); n != 2 {
			t.Fatalf("WeCom received %d pushes", n)
		}
		if r := s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", op, nil); len(r.body["rounds"].([]any)) != 1 {
			t.Fatalf("rounds: %s", r.raw)
		}
		// Roles and tenancy.
		fin := s.adminWithRole(owner, "fin", "finance")
		expect(t, s.do("GET", "/admin/v1/lives/"+liveID+"/outreach", fin, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/lives/not-a-live/outreach", op, nil), 404, "")
	})
}

// The console's live operations page: the synced notice, the editor that lists the risks of a
// risky change with the acknowledge checkbox (409), saves once it is ticked, and the
// shortfall rounds; the lives list shows the notice state and links to the page.
func TestConsoleLiveOpsPage(t *testing.T) {
	enginesWith(t, liveopsFast, func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		start := s.app.clock.Now().Add(4 * time.Hour).Truncate(time.Second).UTC()
		notice := s.simNotice(brandID, map[string]any{"start_time": start.Format(time.RFC3339)})
		created := s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "控制台场", "notice_id": notice,
			"planned_start_at": start.Format(time.RFC3339), "target_reservations": 100})
		expect(t, created, 201, "")
		liveID := created.str("live.id")
		poll(t, "the sync sees the notice", func() bool { return s.liveNotice(owner, liveID) != nil })

		cc := s.console()
		cc.login("demo", "admin", s.password)
		expectPage(t, "lives list", cc.get("/admin/lives"), 200, `href="/admin/lives/`+liveID+`/ops"`, "notice-available")
		expectPage(t, "ops page", cc.get("/admin/lives/"+liveID+"/ops"), 200, `id="notice-state"`, notice, `id="outreach-none"`)

		form := url.Values{"title": {"控制台场"}, "planned_start_at": {start.Add(3 * time.Hour).Format(time.RFC3339)},
			"notice_id": {notice}, "target_reservations": {"100"}}
		expectPage(t, "risky save", cc.post("/admin/lives/"+liveID+"/ops", form), 409, `data-risk="START_OUTSIDE_REMINDER_WINDOW"`, `id="acknowledge-risk"`)
		if l := s.do("GET", "/admin/v1/lives/"+liveID, owner, nil); l.str("live.planned_start_at") != start.Format(time.RFC3339) {
			t.Fatalf("a refused change was saved: %s", l.raw)
		}
		form.Set("acknowledge_risk", "1")
		saved := cc.post("/admin/lives/"+liveID+"/ops", form)
		if saved.status != 303 || !strings.Contains(saved.location(), "/admin/lives/"+liveID+"/ops") {
			t.Fatalf("acknowledged save: %d %s", saved.status, saved.location())
		}
		if l := s.do("GET", "/admin/v1/lives/"+liveID, owner, nil); l.str("live.planned_start_at") != start.Add(3*time.Hour).Format(time.RFC3339) {
			t.Fatalf("the acknowledged change was not saved: %s", l.raw)
		}
		expectPage(t, "bad start", cc.post("/admin/lives/"+liveID+"/ops", url.Values{"title": {"x"}, "planned_start_at": {"tomorrow"},
			"notice_id": {notice}, "target_reservations": {"1"}}), 400, `id="problem"`)

		// Revoked in Channels: the page and the list say so.
		s.simNotice(brandID, map[string]any{"notice_id": notice, "start_time": start.Format(time.RFC3339), "status": 1})
		poll(t, "revocation synced", func() bool { return s.liveNotice(owner, liveID)["state"] == "revoked" })
		expectPage(t, "ops page after revocation", cc.get("/admin/lives/"+liveID+"/ops"), 200, `id="notice-change"`, "notice-revoked")
		expectPage(t, "lives list after revocation", cc.get("/admin/lives"), 200, "notice-revoked", "notice-change")

		// Finance reads the list but not the operations page; another brand's live is 404.
		s.adminWithRole(owner, "fin", "finance")
		fc := s.console()
		fc.login("demo", "fin", "finance-password-1")
		if p := fc.get("/admin/lives"); strings.Contains(p.body, "/ops\"") {
			t.Fatal("finance sees the operations link")
		}
		expectPage(t, "finance on ops", fc.get("/admin/lives/"+liveID+"/ops"), 403)
		expectPage(t, "unknown live", cc.get("/admin/lives/not-a-live/ops"), 404)
	})
}
