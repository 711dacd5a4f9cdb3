package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // WeChat's (and the simulator's) QR codes are JPEG
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
)

const demoAppID = "wx0000000000000001"

// member is a logged-in community member of the demo brand.
type member struct {
	id, token string
}

func (s *svc) member(nickname string) member {
	s.t.Helper()
	r := s.login()
	m := member{id: r.str("member.id"), token: r.str("access_token")}
	if nickname != "" {
		expect(s.t, s.do("PATCH", "/mp/v1/me", m.token, map[string]any{"nickname": nickname}), 200, "")
	}
	return m
}

// newLive creates a live through the admin API (reservable when notice is not "").
func (s *svc) newLive(admin, title, notice string) string {
	s.t.Helper()
	body := map[string]any{"title": title, "planned_start_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "target_reservations": 100}
	if notice != "" {
		body["notice_id"] = notice
	}
	r := s.do("POST", "/admin/v1/lives", admin, body)
	expect(s.t, r, 201, "")
	return r.str("live.id")
}

// links asks for a member's links and answers code by channel ("group" for the group link).
func (s *svc) links(m member, liveID string, body any) map[string]string {
	s.t.Helper()
	r := s.do("POST", "/mp/v1/lives/"+liveID+"/links", m.token, body)
	expect(s.t, r, 200, "")
	out := map[string]string{}
	for _, l := range r.body["links"].([]any) {
		l := l.(map[string]any)
		out[l["channel"].(string)] = l["code"].(string)
	}
	return out
}

func (s *svc) reserve(m member, code, notice string, state int) resp {
	s.t.Helper()
	body := map[string]any{"notice_id": notice, "state": state}
	if code != "" {
		body["code"] = code
	}
	return s.do("POST", "/mp/v1/reservations", m.token, body)
}

type boardEntry struct {
	Rank         int     `json:"rank"`
	MemberID     *string `json:"member_id"`
	Nickname     string  `json:"nickname"`
	Reservations int64   `json:"reservations"`
	Touches      int64   `json:"touches"`
}

type board struct {
	Window  string       `json:"window"`
	Entries []boardEntry `json:"entries"`
	Me      *struct {
		Rank         *int  `json:"rank"`
		Reservations int64 `json:"reservations"`
		Touches      int64 `json:"touches"`
	} `json:"me"`
}

func (s *svc) board(token, path string) board {
	s.t.Helper()
	r := s.do("GET", path, token, nil)
	expect(s.t, r, 200, "")
	var b board
	if err := json.Unmarshal(r.raw, &b); err != nil {
		s.t.Fatal(err)
	}
	return b
}

// standings renders a board as "id:count" lines in rank order, for comparisons.
func standings(b board) []string {
	out := make([]string, len(b.Entries))
	for i, e := range b.Entries {
		id := "<anon>"
		if e.MemberID != nil {
			id = *e.MemberID
		}
		out[i] = fmt.Sprintf("%d %s %s %d", e.Rank, id, e.Nickname, e.Reservations+e.Touches)
	}
	return out
}

func decodeQR(t *testing.T, raw []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("QR image does not decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		// gozxing's finder-pattern search misreads about 1 in 150 clean codes (versionNumber
		// = 0); the image is the bare code, so read it as one, as a phone's scanner would.
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	if err != nil {
		t.Fatalf("no QR code in the image: %v", err)
	}
	return res.GetText()
}

// The "Done when": members driven through the simulator build the board step by
// step; the QR code decodes to A's scene; a wiped board rebuilds entry by entry.
func TestReservationLeaderboardJourney(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		const notice = "notice-journey"
		liveID := s.newLive(admin, "Journey live 旅程", notice)
		lb := "/mp/v1/lives/" + liveID + "/leaderboard"

		a, b, c, d, e, f := s.member("阿A"), s.member("B"), s.member("C"), s.member("D"), s.member("E"), s.member("F")
		aLinks := s.links(a, liveID, map[string]any{"group": "上海一群"})
		if len(aLinks) != 6 {
			t.Fatalf("want a link per channel, got %v", aLinks)
		}
		// Idempotent: the same channel (and group label) answers the same code.
		if again := s.links(a, liveID, map[string]any{"channels": []string{"group", "moments"}, "group": "上海一群"}); again["group"] != aLinks["group"] || again["moments"] != aLinks["moments"] {
			t.Fatalf("links are not idempotent: %v vs %v", again, aLinks)
		}
		if other := s.links(a, liveID, map[string]any{"channels": []string{"group"}, "group": "北京群"}); other["group"] == aLinks["group"] {
			t.Fatal("another group label must get another code")
		}
		aCode := aLinks["group"]

		// The QR code is served without a token and decodes to A's scene.
		qr := s.do("GET", "/mp/v1/links/"+aCode+"/qr", "", nil)
		if qr.status != 200 || qr.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("QR: %d %s", qr.status, qr.header.Get("Content-Type"))
		}
		if got, want := decodeQR(t, qr.raw), "pages/live/index?scene="+aCode; got != want {
			t.Fatalf("QR decodes to %q, want %q", got, want)
		}
		if again := s.do("GET", "/mp/v1/links/"+aCode+"/qr", "", nil); !bytes.Equal(again.raw, qr.raw) {
			t.Fatal("the QR image must be generated once and served as stored")
		}

		// B opens A's code, reserves: A = 1.
		touch := s.do("POST", "/mp/v1/touches", b.token, map[string]any{"code": aCode})
		expect(t, touch, 200, "")
		if touch.str("live.id") != liveID || touch.str("live.notice_id") != notice || touch.str("inviter.nickname") != "阿A" {
			t.Fatalf("touch answer: %s", touch.raw)
		}
		r := s.reserve(b, aCode, notice, 6)
		expect(t, r, 200, "")
		if r.str("reservation.status") != "reserved" || r.body["reservation"].(map[string]any)["counted"] != true || r.str("reservation.inviter_member_id") != a.id {
			t.Fatalf("reservation: %s", r.raw)
		}
		expect(t, s.reserve(b, aCode, notice, 6), 200, "") // a replay changes nothing
		bd := s.board(a.token, lb)
		if len(bd.Entries) != 1 || *bd.Entries[0].MemberID != a.id || bd.Entries[0].Reservations != 1 || bd.Me.Rank == nil || *bd.Me.Rank != 1 {
			t.Fatalf("after B reserves: %s", standings(bd))
		}
		// The group board has A too.
		if g := s.board(a.token, lb+"?group=%E4%B8%8A%E6%B5%B7%E4%B8%80%E7%BE%A4"); len(g.Entries) != 1 || g.Entries[0].Reservations != 1 {
			t.Fatalf("group board: %s", standings(g))
		}

		// B cancels: A = 0 and leaves the board.
		r = s.reserve(b, aCode, notice, 7)
		expect(t, r, 200, "")
		if r.str("reservation.status") != "cancelled" || r.str("reservation.reason") != "CANCELLED" {
			t.Fatalf("cancel: %s", r.raw)
		}
		bd = s.board(a.token, lb)
		if len(bd.Entries) != 0 || bd.Me.Rank != nil || bd.Me.Reservations != 0 {
			t.Fatalf("after B cancels: %s me=%+v", standings(bd), bd.Me)
		}
		// B reserves again, through C's code this time: the original inviter A gets it back.
		cCode := s.links(c, liveID, map[string]any{"channels": []string{"moments"}})["moments"]
		expect(t, s.reserve(b, cCode, notice, 6), 200, "")
		if bd = s.board(a.token, lb); len(bd.Entries) != 1 || *bd.Entries[0].MemberID != a.id || bd.Entries[0].Reservations != 1 {
			t.Fatalf("after B reserves again: %s", standings(bd))
		}

		// C reserves through A, D through C: A = 2 ranks above C = 1.
		expect(t, s.reserve(c, aCode, notice, 6), 200, "")
		expect(t, s.reserve(d, cCode, notice, 6), 200, "")
		// E and F each bring one reservation; E's comes first (a second apart at least).
		g1, g2 := s.member("G1"), s.member("G2")
		s.advanceClock(2 * time.Second)
		eCode := s.links(e, liveID, nil)["other"]
		expect(t, s.reserve(g1, eCode, notice, 6), 200, "")
		s.advanceClock(2 * time.Second)
		fCode := s.links(f, liveID, nil)["other"]
		expect(t, s.reserve(g2, fCode, notice, 6), 200, "")

		bd = s.board(c.token, lb)
		want := []string{"1 " + a.id + " 阿A 2", "2 " + c.id + " C 1", "3 " + e.id + " E 1", "4 " + f.id + " F 1"}
		if got := standings(bd); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("board:\n got %v\nwant %v", got, want)
		}
		if bd.Me.Rank == nil || *bd.Me.Rank != 2 || bd.Me.Reservations != 1 {
			t.Fatalf("C's own rank: %+v", bd.Me)
		}

		// A self-invite is kept, not counted; an organic reservation has no inviter.
		r = s.reserve(a, aCode, notice, 6)
		if r.str("reservation.reason") != "SELF_INVITE" || r.body["reservation"].(map[string]any)["counted"] != false {
			t.Fatalf("self invite: %s", r.raw)
		}
		r = s.reserve(e, "", notice, 6)
		if r.str("reservation.reason") != "NO_INVITER" || r.body["reservation"].(map[string]any)["inviter_member_id"] != nil {
			t.Fatalf("organic: %s", r.raw)
		}
		// Other states only land in last_state.
		r = s.reserve(b, "", notice, 8)
		if r.str("reservation.status") != "reserved" || r.body["reservation"].(map[string]any)["last_state"] != float64(8) {
			t.Fatalf("state 8: %s", r.raw)
		}
		if r = s.reserve(g1, "", notice, 5); r.body["reservation"] == nil {
			t.Fatalf("state 5 on an existing reservation: %s", r.raw)
		}
		if r = s.reserve(s.member(""), "", notice, 5); r.status != 200 || r.body["reservation"] != nil {
			t.Fatalf("state 5 without a reservation stores nothing: %d %s", r.status, r.raw)
		}

		// F opts out of public boards: 匿名 without member_id, except in F's own view.
		expect(t, s.do("PATCH", "/mp/v1/me", f.token, map[string]any{"leaderboard_visible": false}), 200, "")
		_ = s.app.kv.Delete(context.Background(), "lbnames:{"+demoBrandID(t, s)+"}")
		if e4 := s.board(a.token, lb).Entries[3]; e4.MemberID != nil || e4.Nickname != leaderboard.Anonymous || e4.Reservations != 1 {
			t.Fatalf("hidden member on A's view: %+v", e4)
		}
		if own := s.board(f.token, lb); own.Entries[3].MemberID == nil || *own.Entries[3].MemberID != f.id || *own.Me.Rank != 4 {
			t.Fatalf("hidden member's own view: %+v", own.Entries[3])
		}

		// Snapshots for the outputs: ranked and named rows; a member's own row, link and QR.
		brandID := demoBrandID(t, s)
		snap, err := s.app.boards.Snapshot(context.Background(), leaderboard.SnapshotRequest{BrandID: brandID, LiveID: liveID, TopN: 3})
		if err != nil || len(snap.Rows) != 3 || snap.Rows[0].Name != "阿A" || snap.Rows[0].Count != 2 || snap.Total != 5 || snap.Me != nil ||
			snap.LiveTitle != "Journey live 旅程" || snap.Target != 100 || snap.Location.String() != "Asia/Shanghai" {
			t.Fatalf("admin snapshot: %+v %v", snap, err)
		}
		own, err := s.app.boards.Snapshot(context.Background(), leaderboard.SnapshotRequest{BrandID: brandID, LiveID: liveID,
			MemberID: c.id, Group: "上海一群"})
		if err != nil || own.Me == nil || own.Me.Rank != 0 || own.Group != "上海一群" || len(own.Rows) != 1 {
			t.Fatalf("C's group snapshot: %+v %v", own, err)
		}
		if !strings.HasPrefix(own.LinkURL, "https://wxaurl.cn/") || !strings.HasPrefix(decodeQR(t, own.QR), "pages/live/index?scene=") {
			t.Fatalf("C's link %q and QR", own.LinkURL)
		}
		if cGroup := s.links(c, liveID, map[string]any{"channels": []string{"group"}, "group": "上海一群"})["group"]; !strings.HasSuffix(decodeQR(t, own.QR), cGroup) {
			t.Fatal("a member's snapshot carries their own group link")
		}

		// Lists: my reservations, my invitees.
		mine := s.do("GET", "/mp/v1/me/reservations?live_id="+liveID, b.token, nil)
		expect(t, mine, 200, "")
		if n := len(mine.body["reservations"].([]any)); n != 1 {
			t.Fatalf("B has %d reservations", n)
		}
		inv := s.do("GET", "/mp/v1/lives/"+liveID+"/invitees?limit=1", a.token, nil)
		expect(t, inv, 200, "")
		if len(inv.body["invitees"].([]any)) != 1 || inv.body["next_cursor"] == nil {
			t.Fatalf("invitees page 1: %s", inv.raw)
		}
		inv2 := s.do("GET", "/mp/v1/lives/"+liveID+"/invitees?limit=5&cursor="+inv.str("next_cursor"), a.token, nil)
		if n := len(inv2.body["invitees"].([]any)); n != 2 || inv2.body["next_cursor"] != nil {
			t.Fatalf("invitees page 2 (three in all: B, C and A's own self-invite): %s", inv2.raw)
		}

		// The admin board equals the members' (without me); wipe Redis, rebuild, compare.
		adminBoard := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard")
		groupBoard := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard?group=%E4%B8%8A%E6%B5%B7%E4%B8%80%E7%BE%A4")
		before := s.rawBoards(t, liveID)
		if fmt.Sprint(standings(adminBoard)) != fmt.Sprint(standings(s.board(a.token, lb))) {
			t.Fatal("admin and member boards differ")
		}
		s.wipeBoards(t, liveID)
		if len(s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard").Entries) != 0 {
			t.Fatal("wipe left a board")
		}
		var progress bytes.Buffer
		n, err := rebuildBoards(context.Background(), s.app, liveID, &progress)
		if err != nil || n < 3 {
			t.Fatalf("rebuild: %d boards, %v", n, err)
		}
		if got := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard"); fmt.Sprint(standings(got)) != fmt.Sprint(standings(adminBoard)) {
			t.Fatalf("rebuilt board differs:\n%v\n%v", standings(got), standings(adminBoard))
		}
		if got := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard?group=%E4%B8%8A%E6%B5%B7%E4%B8%80%E7%BE%A4"); fmt.Sprint(standings(got)) != fmt.Sprint(standings(groupBoard)) {
			t.Fatal("rebuilt group board differs")
		}
		if after := s.rawBoards(t, liveID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rebuilt scores differ:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// rawBoards reads every board of a live as stored (member and exact score).
func (s *svc) rawBoards(t *testing.T, liveID string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rdb := s.app.kv.Client()
	keys, err := rdb.Keys(ctx, s.app.kv.Key("lb:{"+liveID+"}:*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, k := range keys {
		zs, err := rdb.ZRangeWithScores(ctx, k, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range zs {
			out[k] = append(out[k], fmt.Sprintf("%s=%.0f", z.Member, z.Score))
		}
	}
	return out
}

func (s *svc) wipeBoards(t *testing.T, liveID string) {
	t.Helper()
	ctx := context.Background()
	rdb := s.app.kv.Client()
	keys, err := rdb.Keys(ctx, s.app.kv.Key("lb:{"+liveID+"}:*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		if err := rdb.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// Every bad input of the issue, each with its status and code.
func TestReservationBadInput(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		liveID := s.newLive(admin, "Bad input live", "notice-bad")
		a, v := s.member("A"), s.member("V")
		code := s.links(a, liveID, nil)["other"]

		expect(t, s.do("POST", "/mp/v1/touches", v.token, map[string]any{"code": "NoSuchCode1234"}), 404, "CODE_NOT_FOUND")
		expect(t, s.do("POST", "/mp/v1/touches", v.token, map[string]any{"code": "bad code!"}), 404, "CODE_NOT_FOUND")
		expect(t, s.reserve(v, "NoSuchCode1234", "notice-bad", 6), 404, "CODE_NOT_FOUND")
		expect(t, s.do("GET", "/mp/v1/links/NoSuchCode1234/qr", "", nil), 404, "CODE_NOT_FOUND")
		for _, st := range []int{0, 11, -1} {
			expect(t, s.reserve(v, code, "notice-bad", st), 400, "INVALID_ARGUMENT")
		}
		expect(t, s.do("POST", "/mp/v1/reservations", v.token, map[string]any{"code": code, "notice_id": "notice-bad"}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/mp/v1/reservations", v.token, map[string]any{"code": code, "notice_id": "notice-bad", "state": "6"}), 400, "INVALID_ARGUMENT")
		expect(t, s.reserve(v, code, "another-notice", 6), 422, "NOTICE_MISMATCH")
		expect(t, s.reserve(v, "", "unknown-notice", 6), 404, "LIVE_NOT_FOUND")
		expect(t, s.do("POST", "/mp/v1/lives/"+liveID+"/links", a.token, map[string]any{"channels": []string{"fax"}}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/mp/v1/lives/"+liveID+"/leaderboard?window=weekly", a.token, nil), 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/mp/v1/lives/"+liveID+"/leaderboard?window=ignition&group=x", a.token, nil), 400, "INVALID_ARGUMENT")
		expect(t, s.do("GET", "/mp/v1/lives/nope/leaderboard", a.token, nil), 404, "")

		// A planned live (no notice yet) takes no reservations.
		planned := s.newLive(admin, "Planned live", "")
		pCode := s.links(a, planned, nil)["other"]
		expect(t, s.reserve(v, pCode, "notice-bad", 6), 422, "LIVE_NOT_RESERVABLE")

		// An ended live takes none either, and no new links.
		expect(t, s.do("POST", "/admin/v1/lives/"+liveID+"/start", admin, nil), 200, "")
		expect(t, s.reserve(v, code, "notice-bad", 6), 200, "") // accepted while live
		expect(t, s.do("POST", "/admin/v1/lives/"+liveID+"/end", admin, nil), 200, "")
		expect(t, s.reserve(s.member(""), code, "notice-bad", 6), 422, "LIVE_ENDED")
		expect(t, s.do("POST", "/mp/v1/lives/"+liveID+"/links", a.token, nil), 422, "LIVE_ENDED")

		// Another brand's code is unknown here.
		other := s.otherBrandCode(t)
		expect(t, s.do("POST", "/mp/v1/touches", v.token, map[string]any{"code": other}), 404, "CODE_NOT_FOUND")
	})
}

// 1,000 concurrent duplicate reports for one viewer: exactly one reservation, a score of
// exactly 1, no 5xx (429s are fine).
func TestConcurrentDuplicateReservations(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		liveID := s.newLive(admin, "Concurrent live", "notice-conc")
		a, v := s.member("A"), s.member("V")
		code := s.links(a, liveID, nil)["other"]
		body, _ := json.Marshal(map[string]any{"code": code, "notice_id": "notice-conc", "state": 6})
		client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
		const n = 1000
		statuses := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, _ := http.NewRequest("POST", s.base+"/mp/v1/reservations", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+v.token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					statuses[i] = -1
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, st := range statuses {
			count[st]++
		}
		if count[200] < 1 || count[200]+count[429] != n {
			t.Fatalf("statuses: %v (want only 200 and 429)", count)
		}
		ctx := context.Background()
		brandID := demoBrandID(t, s)
		list, _, err := s.app.store.ListReservations(ctx, brandID, liveID, referral.ReservationFilter{}, referral.Page{})
		if err != nil || len(list) != 1 || !list[0].Counted {
			t.Fatalf("reservations: %+v, %v", list, err)
		}
		bd := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard")
		if len(bd.Entries) != 1 || bd.Entries[0].Reservations != 1 {
			t.Fatalf("board: %v", standings(bd))
		}
	})
}

func demoBrandID(t *testing.T, s *svc) string {
	t.Helper()
	b, err := s.app.store.BrandBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// otherBrandCode makes a share code of another brand.
func (s *svc) otherBrandCode(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	b, err := s.app.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "other-links", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.app.store.CreateMember(ctx, referral.Member{BrandID: b.ID, OpenID: "other-openid", Status: referral.StatusActive, LeaderboardVisible: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(time.Hour)
	title, notice := "other live", "other-notice"
	l, err := s.app.sharing.CreateLive(ctx, brands.CLIActor, b.ID, referral.LiveChange{Title: &title, NoticeID: &notice, PlannedStartAt: &start})
	if err != nil {
		t.Fatal(err)
	}
	links, err := s.app.sharing.Links(ctx, b.ID, m.ID, l.ID, referral.LinksInput{Channels: []string{referral.ChannelOther}})
	if err != nil {
		t.Fatal(err)
	}
	return links[0].Code
}

// A new user of the embedded default finds the demo live with a community: links through
// every channel, counted reservations (none held for review), a hidden member shown as 匿名,
// and a board that moves.
func TestDemoCommunity(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		lives := s.do("GET", "/admin/v1/lives?status=reservable", admin, nil)
		liveID := lives.body["lives"].([]any)[0].(map[string]any)["id"].(string)
		bd := s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard")
		if len(bd.Entries) != 7 || bd.Entries[0].Nickname != "小红" || bd.Entries[0].Reservations != 9 {
			t.Fatalf("demo board: %v", standings(bd))
		}
		anon := 0
		for _, e := range bd.Entries {
			if e.Nickname == leaderboard.Anonymous && e.MemberID == nil {
				anon++
			}
		}
		if anon != 1 {
			t.Fatalf("want one anonymous entry: %v", standings(bd))
		}
		review := s.do("GET", "/admin/v1/lives/"+liveID+"/reservations?risk=review", admin, nil)
		if n := len(review.body["reservations"].([]any)); n != 0 {
			t.Fatalf("demo reservations held for review: %d", n)
		}
		channels := map[string]bool{}
		all := s.do("GET", "/admin/v1/lives/"+liveID+"/reservations?limit=200", admin, nil)
		for _, r := range all.body["reservations"].([]any) {
			channels[r.(map[string]any)["channel"].(string)] = true
		}
		if len(channels) != 6 {
			t.Fatalf("demo reservations through %d channels: %v", len(channels), channels)
		}
		total := func() int64 {
			var n int64
			for _, e := range s.board(admin, "/admin/v1/lives/"+liveID+"/leaderboard").Entries {
				n += e.Reservations
			}
			return n
		}
		before := total()
		if err := demo.Pulse(context.Background(), s.app.store, s.app.sharing, 0); err != nil {
			t.Fatal(err)
		}
		if err := demo.Pulse(context.Background(), s.app.store, s.app.sharing, 0); err != nil { // a replayed tick is a no-op
			t.Fatal(err)
		}
		if after := total(); after != before+1 {
			t.Fatalf("pulse: %d → %d", before, after)
		}
	})
}
