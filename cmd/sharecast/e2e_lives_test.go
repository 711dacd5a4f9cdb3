package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// Lives through the admin API: roles, the status machine, audit in the same transaction,
// the mini-program list.
func TestLivesAdmin(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		for _, a := range []struct{ name, role string }{{"fin", "finance"}, {"ops", "operator"}} {
			expect(t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": a.name, "password": "a-long-password-1", "role": a.role}), 201, "")
		}
		finance, operator := s.adminLogin("fin", "a-long-password-1"), s.adminLogin("ops", "a-long-password-1")
		start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)

		// Every role reads; finance does not write.
		body := map[string]any{"title": "春季新品", "planned_start_at": start.Format(time.RFC3339)}
		expect(t, s.do("POST", "/admin/v1/lives", finance, body), 403, "FORBIDDEN")
		r := s.do("POST", "/admin/v1/lives", operator, body)
		expect(t, r, 201, "")
		id := r.str("live.id")
		if r.str("live.status") != "planned" || r.body["live"].(map[string]any)["notice_id"] != nil || r.str("live.finder_user_name") != "sph_demo_finder" {
			t.Fatalf("created: %s", r.raw)
		}
		expect(t, s.do("GET", "/admin/v1/lives/"+id, finance, nil), 200, "")
		expect(t, s.do("GET", "/admin/v1/lives", finance, nil), 200, "")
		expect(t, s.do("GET", "/admin/v1/lives/"+id+"/leaderboard", finance, nil), 200, "")
		expect(t, s.do("PATCH", "/admin/v1/lives/"+id, finance, map[string]any{"title": "x"}), 403, "FORBIDDEN")
		expect(t, s.do("POST", "/admin/v1/lives/"+id+"/start", finance, nil), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/lives/"+id+"/reservations", finance, nil), 403, "FORBIDDEN")

		// Bad input.
		expect(t, s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "x"}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "x", "planned_start_at": "tomorrow"}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": strings.Repeat("长", 65), "planned_start_at": start.Format(time.RFC3339)}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"target_reservations": -1}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/admin/v1/lives/nope", owner, nil), 404, "LIVE_NOT_FOUND")
		expect(t, s.do("GET", "/admin/v1/lives?status=gone", owner, nil), 400, "INVALID_ARGUMENT")

		// planned → reservable (notice set) → planned (notice removed) → reservable.
		r = s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"notice_id": "notice-lives", "target_reservations": 300})
		expect(t, r, 200, "")
		if r.str("live.status") != "reservable" || r.str("live.notice_id") != "notice-lives" {
			t.Fatalf("notice set: %s", r.raw)
		}
		r = s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"notice_id": ""})
		if r.str("live.status") != "planned" {
			t.Fatalf("notice removed: %s", r.raw)
		}
		expect(t, s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"notice_id": "notice-lives"}), 200, "")
		// Another live may not take the same notice.
		expect(t, s.do("POST", "/admin/v1/lives", owner, map[string]any{"title": "dup", "notice_id": "notice-lives",
			"planned_start_at": start.Format(time.RFC3339)}), 409, "NOTICE_IN_USE")

		// The mini-program lists it.
		m := s.member("M")
		lives := s.do("GET", "/mp/v1/lives?status=reservable", m.token, nil)
		expect(t, lives, 200, "")
		if !strings.Contains(string(lives.raw), id) {
			t.Fatalf("reservable lives: %s", lives.raw)
		}
		expect(t, s.do("GET", "/mp/v1/lives?status=bogus", m.token, nil), 400, "INVALID_ARGUMENT")
		page := s.do("GET", "/mp/v1/lives?limit=1", m.token, nil)
		if len(page.body["lives"].([]any)) != 1 || page.body["next_cursor"] == nil {
			t.Fatalf("page: %s", page.raw)
		}
		first := page.body["lives"].([]any)[0].(map[string]any)["id"].(string)
		if p2 := s.do("GET", "/mp/v1/lives?limit=1&cursor="+page.str("next_cursor"), m.token, nil); p2.status != 200 || strings.Contains(string(p2.raw), first) {
			t.Fatalf("page 2: %s", p2.raw)
		}

		// reservable → live → ended; the wrong order is refused.
		expect(t, s.do("POST", "/admin/v1/lives/"+id+"/end", operator, nil), 422, "LIVE_TRANSITION")
		r = s.do("POST", "/admin/v1/lives/"+id+"/start", operator, nil)
		expect(t, r, 200, "")
		if r.str("live.status") != "live" || r.body["live"].(map[string]any)["actual_start_at"] == nil {
			t.Fatalf("start: %s", r.raw)
		}
		expect(t, s.do("POST", "/admin/v1/lives/"+id+"/start", operator, nil), 422, "LIVE_TRANSITION")
		expect(t, s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"notice_id": ""}), 422, "LIVE_TRANSITION")
		r = s.do("POST", "/admin/v1/lives/"+id+"/end", operator, nil)
		if r.str("live.status") != "ended" || r.body["live"].(map[string]any)["ended_at"] == nil {
			t.Fatalf("end: %s", r.raw)
		}
		expect(t, s.do("PATCH", "/admin/v1/lives/"+id, owner, map[string]any{"title": "later"}), 422, "LIVE_ENDED")

		// Every mutation is in the audit log.
		audit := string(s.do("GET", "/admin/v1/audit?limit=200", owner, nil).raw)
		for _, action := range []string{"live.create", "live.update", "live.start", "live.end"} {
			if !strings.Contains(audit, `"action":"`+action+`"`) {
				t.Errorf("audit lacks %s", action)
			}
		}
	})
}

// Anti-gaming: viewers behind one address beyond the brand's threshold are held for review
// (not counted, nothing deleted); admins clear or void, audited; the board follows.
func TestReservationRiskReview(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		expect(t, s.do("PATCH", "/admin/v1/settings", owner, map[string]any{"rules": map[string]any{"risk_ip_viewers": 2}}), 200, "")
		liveID := s.newLive(owner, "Risky live", "notice-risk")
		a := s.member("A")
		code := s.links(a, liveID, nil)["other"]
		var ids []string
		for i := range 4 {
			r := s.reserve(s.member(""), code, "notice-risk", 6)
			expect(t, r, 200, "")
			ids = append(ids, r.str("reservation.id"))
			wantRisk := "clear"
			if i >= 2 { // the third viewer behind 127.0.0.1 within the window
				wantRisk = "review"
			}
			if got := r.str("reservation.risk"); got != wantRisk {
				t.Fatalf("viewer %d: risk %s, want %s: %s", i, got, wantRisk, r.raw)
			}
			if wantRisk == "review" && (r.str("reservation.reason") != "RISK_REVIEW" || r.body["reservation"].(map[string]any)["counted"] != false) {
				t.Fatalf("a reviewed reservation must not count: %s", r.raw)
			}
		}
		lb := "/admin/v1/lives/" + liveID + "/leaderboard"
		if bd := s.board(owner, lb); bd.Entries[0].Reservations != 2 {
			t.Fatalf("board counts reviewed reservations: %v", standings(bd))
		}
		q := s.do("GET", "/admin/v1/lives/"+liveID+"/reservations?risk=review", owner, nil)
		expect(t, q, 200, "")
		if n := len(q.body["reservations"].([]any)); n != 2 {
			t.Fatalf("review queue: %s", q.raw)
		}
		expect(t, s.do("GET", "/admin/v1/lives/"+liveID+"/reservations?risk=maybe", owner, nil), 400, "INVALID_ARGUMENT")

		r := s.do("POST", "/admin/v1/reservations/"+ids[2]+"/clear", owner, nil)
		expect(t, r, 200, "")
		if r.str("reservation.risk") != "clear" || r.body["reservation"].(map[string]any)["counted"] != true {
			t.Fatalf("clear: %s", r.raw)
		}
		if bd := s.board(owner, lb); bd.Entries[0].Reservations != 3 {
			t.Fatalf("board after clear: %v", standings(bd))
		}
		r = s.do("POST", "/admin/v1/reservations/"+ids[0]+"/void", owner, nil)
		if r.str("reservation.status") != "void" || r.str("reservation.reason") != "VOIDED" {
			t.Fatalf("void: %s", r.raw)
		}
		expect(t, s.do("POST", "/admin/v1/reservations/"+ids[0]+"/void", owner, nil), 200, "") // again: no change
		if bd := s.board(owner, lb); bd.Entries[0].Reservations != 2 {
			t.Fatalf("board after void: %v", standings(bd))
		}
		expect(t, s.do("POST", "/admin/v1/reservations/nope/clear", owner, nil), 404, "NOT_FOUND")
		audit := string(s.do("GET", "/admin/v1/audit?limit=200", owner, nil).raw)
		if strings.Count(audit, `"action":"reservation.void"`) != 1 || !strings.Contains(audit, `"action":"reservation.clear"`) {
			t.Fatalf("audit: %s", audit)
		}
	})
}

// The ignition board ranks distinct visitors per inviter in the first 20 minutes after the
// actual start; opens before the start, after the window or of one's own link do not count.
func TestIgnitionBoard(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.adminLogin("admin", s.password)
		liveID := s.newLive(owner, "Ignition live", "notice-ign")
		a, b := s.member("A"), s.member("B")
		aCode, bCode := s.links(a, liveID, nil)["moments"], s.links(b, liveID, nil)["moments"]
		v1, v2, v3 := s.member(""), s.member(""), s.member("")
		touch := func(m member, code string) {
			t.Helper()
			expect(t, s.do("POST", "/mp/v1/touches", m.token, map[string]any{"code": code}), 200, "")
		}
		touch(v1, aCode) // before the start: not ignition
		expect(t, s.do("POST", "/admin/v1/lives/"+liveID+"/start", owner, nil), 200, "")
		touch(v1, aCode)
		touch(v1, aCode) // the same visitor twice counts once
		touch(a, aCode)  // one's own link never counts
		touch(v1, bCode)
		s.advanceClock(2 * time.Second)
		touch(v2, bCode)
		s.advanceClock(2 * time.Second)
		touch(v2, aCode)
		ign := "/mp/v1/lives/" + liveID + "/leaderboard?window=ignition"
		bd := s.board(a.token, ign)
		if bd.Window != "ignition" || len(bd.Entries) != 2 || bd.Entries[0].Touches != 2 || bd.Entries[1].Touches != 2 {
			t.Fatalf("ignition: %v", standings(bd))
		}
		// Equal counts: A reached 2 at v2's open of A's link, after B reached 2.
		if *bd.Entries[0].MemberID != b.id || bd.Me.Touches != 2 || *bd.Me.Rank != 2 {
			t.Fatalf("tie-break: %v me=%+v", standings(bd), bd.Me)
		}
		s.advanceClock(21 * time.Minute)
		touch(v3, aCode) // after the window
		if bd = s.board(a.token, ign); bd.Entries[1].Touches != 2 {
			t.Fatalf("after the window: %v", standings(bd))
		}
		before := s.rawBoards(t, liveID)
		s.wipeBoards(t, liveID)
		if _, err := rebuildBoards(t.Context(), s.app, liveID, io.Discard); err != nil {
			t.Fatal(err)
		}
		if after := s.rawBoards(t, liveID); len(after) == 0 || strings.Join(flatten(after), ",") != strings.Join(flatten(before), ",") {
			t.Fatalf("rebuilt ignition board differs:\n%v\n%v", before, after)
		}
	})
}

func flatten(m map[string][]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+strings.Join(v, ";"))
	}
	slices.Sort(out)
	return out
}
