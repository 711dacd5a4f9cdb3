package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	qrenc "github.com/skip2/go-qrcode"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/store/storetest"
)

// e2eBoard stands in for the board service (another area builds it): boards per brand and
// live; a member's snapshot carries their standing, link and QR.
type e2eBoard struct {
	mu    sync.Mutex
	lives map[string]leaderboard.Snapshot
	qr    []byte
}

func (b *e2eBoard) put(brandID, liveID string, s leaderboard.Snapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lives == nil {
		b.lives = map[string]leaderboard.Snapshot{}
	}
	s.LiveID = liveID
	b.lives[brandID+"/"+liveID] = s
}

func (b *e2eBoard) Snapshot(_ context.Context, r leaderboard.SnapshotRequest) (leaderboard.Snapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.lives[r.BrandID+"/"+r.LiveID]
	if !ok {
		return leaderboard.Snapshot{}, apperr.NotFoundf("no such live")
	}
	s.Window, s.Group, s.TakenAt = r.Window, r.Group, time.Now()
	if len(s.Rows) > r.TopN {
		s.Rows = s.Rows[:r.TopN]
	}
	if r.MemberID != "" {
		s.Me = &leaderboard.Row{Rank: 3, Count: 12}
		s.LinkURL = "https://wxaurl.cn/e2e-" + r.MemberID[:8]
		s.QR = b.qr
	}
	return s, nil
}

const e2eLive = "live-e2e"

func chineseBoard(start time.Time) leaderboard.Snapshot {
	return leaderboard.Snapshot{BrandName: "演示品牌", BrandColor: "#07C160", LiveTitle: "新品首发直播", StartAt: start,
		Location: time.FixedZone("CST", 8*3600), Target: 500, Total: 123,
		Rows: []leaderboard.Row{{Rank: 1, Name: "张三丰", Count: 23}, {Rank: 2, Name: "李小龙", Count: 19},
			{Rank: 3, Name: "王五", Count: 12}, {Rank: 4, Name: "隐身的人", Count: 8, Anonymous: true}}}
}

func outputsSetup(board *e2eBoard) setupFunc {
	return func(_ map[string]string, o *buildOptions) {
		o.snapshots = board
		o.pageRefresh = time.Second
		o.pushBackoff = 200 * time.Millisecond
	}
}

func newE2EBoard(t *testing.T) *e2eBoard {
	qr, err := qrenc.Encode("https://sharecast.example/s/e2e", qrenc.Medium, 430)
	if err != nil {
		t.Fatal(err)
	}
	return &e2eBoard{qr: qr}
}

// brandOf answers the demo brand's id and an owner token.
func (s *svc) ownerOfDemo() (token, brandID string) {
	s.t.Helper()
	r := s.do("POST", "/admin/v1/login", "", map[string]any{"brand": "demo", "username": "admin", "password": s.password})
	expect(s.t, r, 200, "")
	return r.str("token"), r.str("brand_id")
}

func (s *svc) adminWithRole(owner, username, role string) string {
	s.t.Helper()
	expect(s.t, s.do("POST", "/admin/v1/admins", owner, map[string]any{"username": username, "password": role + "-password-1", "role": role}), 201, "")
	return s.adminLogin(username, role+"-password-1")
}

func decodePNG(t *testing.T, raw []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a PNG (%d bytes): %v", len(raw), err)
	}
	return img
}

func readQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code on the poster: %v", err)
	}
	return res.GetText()
}

func TestLeaderboardTextAndPosterRoutes(t *testing.T) {
	board := newE2EBoard(t)
	enginesWith(t, outputsSetup(board), func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		board.put(brandID, e2eLive, chineseBoard(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)))
		base := "/admin/v1/lives/" + e2eLive

		txt := s.do("GET", base+"/leaderboard.txt?top_n=3", owner, nil)
		expect(t, txt, 200, "")
		body := string(txt.raw)
		if !strings.HasPrefix(txt.header.Get("Content-Type"), "text/plain") || !strings.Contains(body, "🥇 张三丰") ||
			!strings.Contains(body, "12月4日 周五 20:00") || !strings.Contains(body, "王五") || strings.Contains(body, "隐身的人") {
			t.Fatalf("text: %s", body)
		}
		masked := s.do("GET", base+"/leaderboard.txt?privacy=masked", owner, nil)
		if !strings.Contains(string(masked.raw), "张*") || strings.Contains(string(masked.raw), "张三丰") {
			t.Fatalf("masked: %s", masked.raw)
		}
		for _, q := range []string{"?window=week", "?top_n=0", "?top_n=x", "?privacy=real", "?window=ignition&group=g"} {
			expect(t, s.do("GET", base+"/leaderboard.txt"+q, owner, nil), 400, "INVALID_ARGUMENT")
		}
		expect(t, s.do("GET", "/admin/v1/lives/nope/leaderboard.txt", owner, nil), 404, "NOT_FOUND")

		poster := s.do("GET", base+"/leaderboard.png?top_n=20", owner, nil)
		expect(t, poster, 200, "")
		if poster.header.Get("Content-Type") != "image/png" || len(poster.raw) >= 2<<20 {
			t.Fatalf("poster: %s, %d bytes", poster.header.Get("Content-Type"), len(poster.raw))
		}
		if img := decodePNG(t, poster.raw); img.Bounds().Dx() != 750 {
			t.Fatalf("poster %v", img.Bounds())
		}
		t.Logf("admin poster: %d bytes", len(poster.raw))

		// Every role reads; finance neither shares nor pushes.
		fin := s.adminWithRole(owner, "fiona", "finance")
		expect(t, s.do("GET", base+"/leaderboard.txt", fin, nil), 200, "")
		expect(t, s.do("POST", base+"/leaderboard/share", fin, map[string]any{}), 403, "FORBIDDEN")
		expect(t, s.do("GET", "/admin/v1/wecom-robots", fin, nil), 403, "FORBIDDEN")

		// Another brand's live is not there for this brand.
		other, err := s.app.brands.CreateBrand(context.Background(), brands.CLIActor, brands.NewBrandInput{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		board.put(other.ID, "their-live", chineseBoard(time.Now()))
		expect(t, s.do("GET", "/admin/v1/lives/their-live/leaderboard.png", owner, nil), 404, "NOT_FOUND")

		// The member's own outputs carry their link and their QR.
		member := s.login().str("access_token")
		mtxt := s.do("GET", "/mp/v1/lives/"+e2eLive+"/leaderboard.txt", member, nil)
		expect(t, mtxt, 200, "")
		if !strings.Contains(string(mtxt.raw), "https://wxaurl.cn/e2e-") || !strings.Contains(string(mtxt.raw), "我的排名：第 3 名") {
			t.Fatalf("member text: %s", mtxt.raw)
		}
		mp := s.do("GET", "/mp/v1/lives/"+e2eLive+"/poster?group=", member, nil)
		expect(t, mp, 200, "")
		if got := readQR(t, decodePNG(t, mp.raw)); got != "https://sharecast.example/s/e2e" {
			t.Fatalf("member poster QR reads %q", got)
		}
		t.Logf("member poster with QR: %d bytes", len(mp.raw))
		expect(t, s.do("GET", "/mp/v1/lives/their-live/poster", member, nil), 404, "NOT_FOUND")
	})
}

// Without a CJK TrueType font the poster routes say which package to install; text still works.
func TestPosterWithoutAFontAnswersFontMissing(t *testing.T) {
	board := newE2EBoard(t)
	setup := func(env map[string]string, o *buildOptions) {
		outputsSetup(board)(env, o)
		env["SHARECAST_FONT_PATH"] = "/nonexistent/wqy-zenhei.ttc"
	}
	s := start(t, storetest.Engines(t)[0], "", setup)
	owner, brandID := s.ownerOfDemo()
	board.put(brandID, e2eLive, chineseBoard(time.Now()))
	r := s.do("GET", "/admin/v1/lives/"+e2eLive+"/leaderboard.png", owner, nil)
	expect(t, r, 503, "FONT_MISSING")
	if !strings.Contains(r.str("message"), "fonts-wqy-zenhei") {
		t.Fatalf("message does not name the package: %s", r.raw)
	}
	member := s.login().str("access_token")
	expect(t, s.do("GET", "/mp/v1/lives/"+e2eLive+"/poster", member, nil), 503, "FONT_MISSING")
	expect(t, s.do("GET", "/admin/v1/lives/"+e2eLive+"/leaderboard.txt", owner, nil), 200, "")
}

func TestLeaderboardSharePublicPage(t *testing.T) {
	board := newE2EBoard(t)
	enginesWith(t, outputsSetup(board), func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		board.put(brandID, e2eLive, chineseBoard(time.Now().Add(time.Hour)))
		op := s.adminWithRole(owner, "olive", "operator")

		sh := s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/share", op, map[string]any{"privacy": "nickname", "top_n": 10})
		expect(t, sh, 201, "")
		token, url := sh.str("token"), sh.str("url")
		if len(token) != 43 || url != s.base+"/lb/"+token {
			t.Fatalf("share: %s", sh.raw)
		}
		page := s.do("GET", "/lb/"+token, "", nil)
		expect(t, page, 200, "")
		html := string(page.raw)
		for _, want := range []string{"张三丰", "李小龙", "匿名", "新品首发直播", "预约邀请排行榜"} {
			if !strings.Contains(html, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'nonce-") {
			t.Errorf("CSP %q", csp)
		}
		if page.header.Get("Referrer-Policy") != "no-referrer" {
			t.Error("the page leaks its token as a referrer")
		}
		data := s.do("GET", "/lb/"+token+"/data", "", nil)
		expect(t, data, 200, "")
		if rows := data.body["rows"].([]any); len(rows) != 4 || rows[0].(map[string]any)["name"] != "张三丰" {
			t.Fatalf("data: %s", data.raw)
		}
		for _, secret := range []string{"member_id", "openid", brandID} {
			if strings.Contains(string(data.raw), secret) || strings.Contains(html, secret) {
				t.Errorf("the public board shows %q", secret)
			}
		}

		expect(t, s.do("DELETE", "/admin/v1/leaderboard-shares/"+token, op, nil), 204, "")
		if r := s.do("GET", "/lb/"+token, "", nil); r.status != 404 || !strings.Contains(string(r.raw), "已失效") {
			t.Fatalf("revoked page: %d %s", r.status, r.raw)
		}
		expect(t, s.do("GET", "/lb/"+token+"/data", "", nil), 404, "NOT_FOUND")
		expect(t, s.do("GET", "/lb/"+strings.Repeat("A", 43)+"/data", "", nil), 404, "NOT_FOUND")
		expect(t, s.do("DELETE", "/admin/v1/leaderboard-shares/nope", op, nil), 404, "NOT_FOUND")
	})
}

// waitPushes polls the live's push results until every one reached an end.
func (s *svc) waitPushes(token string, n int) []map[string]any {
	s.t.Helper()
	var r resp
	var out []map[string]any
	if !within(30*time.Second, func() bool {
		r = s.do("GET", "/admin/v1/lives/"+e2eLive+"/leaderboard/pushes?limit=200", token, nil)
		expect(s.t, r, 200, "")
		out = nil
		done := true
		for _, p := range r.body["pushes"].([]any) {
			m := p.(map[string]any)
			out = append(out, m)
			if m["status"] != "sent" && m["status"] != "failed" {
				done = false
			}
		}
		return done && len(out) >= n
	}) {
		s.t.Fatalf("%d pushes not done within 30s: %s", n, r.raw)
	}
	return out
}

func (s *svc) simMessages(key string) []map[string]any {
	s.t.Helper()
	r := s.do("GET", "/_sim/control/wecom/messages?key="+key, "", nil)
	var out []map[string]any
	for _, m := range r.body["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func TestWecomRobotPushesReachTheSimulator(t *testing.T) {
	board := newE2EBoard(t)
	enginesWith(t, outputsSetup(board), func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		board.put(brandID, e2eLive, chineseBoard(time.Now().Add(time.Hour)))
		const key = "0f6b1e2a-aaaa-4bc4-97a0-0ec2e2e2e2e2"
		created := s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "核心团长群",
			"webhook_key": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key})
		expect(t, created, 201, "")
		robotID := created.str("robot.id")
		list := s.do("GET", "/admin/v1/wecom-robots", owner, nil)
		for _, r := range []resp{created, list} {
			if strings.Contains(string(r.raw), key) || strings.Contains(string(r.raw), "0f6b1e2a") {
				t.Fatalf("the webhook key is shown: %s", r.raw)
			}
		}
		expect(t, s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "x", "webhook_key": "no"}), 400, "INVALID_WEBHOOK_KEY")

		push := s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/push", owner, map[string]any{
			"robot_ids": []string{robotID}, "format": "both", "privacy": "masked", "top_n": 10})
		expect(t, push, 202, "")
		results := s.waitPushes(owner, 2)
		for _, p := range results {
			if p["status"] != "sent" || p["bytes"].(float64) <= 0 {
				t.Fatalf("push result: %v", p)
			}
		}
		msgs := s.simMessages(key)
		if len(msgs) != 2 {
			t.Fatalf("simulator received %d messages", len(msgs))
		}
		var sawMarkdown, sawImage bool
		for _, m := range msgs {
			if m["errcode"].(float64) != 0 {
				t.Fatalf("simulator refused: %v", m)
			}
			switch m["msgtype"] {
			case "markdown":
				sawMarkdown = strings.Contains(m["content"].(string), "张＊") && !strings.Contains(m["content"].(string), "张三丰") &&
					len(m["content"].(string)) <= 4096
			case "image":
				raw, err := base64.StdEncoding.DecodeString(m["image_base64"].(string))
				if err != nil {
					t.Fatal(err)
				}
				sum := md5.Sum(raw)
				sawImage = m["image_md5"] == hex.EncodeToString(sum[:]) && len(raw) < 2<<20 && m["image_format"] == "png" &&
					int(m["image_bytes"].(float64)) == len(raw)
				decodePNG(t, raw)
				t.Logf("pushed poster: %d bytes", len(raw))
			}
		}
		if !sawMarkdown || !sawImage {
			t.Fatalf("markdown %v image %v: %.600v", sawMarkdown, sawImage, msgs)
		}

		// WeCom's rate limit once: retried after the backoff, then sent.
		expect(t, s.do("POST", "/_sim/control/faults", "", map[string]any{"wecom": map[string]any{
			"fail": []any{map[string]any{"key": key, "errcode": 45009, "times": 1}}}}), 200, "")
		expect(t, s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/push", owner, map[string]any{
			"robot_ids": []string{robotID}, "format": "markdown"}), 202, "")
		latest := s.waitPushes(owner, 3)[0]
		if latest["status"] != "sent" || latest["attempts"].(float64) != 1 {
			t.Fatalf("after 45009: %v", latest)
		}

		// A removed robot (93000): shown to the admin, not retried.
		expect(t, s.do("POST", "/_sim/control/faults", "", map[string]any{"wecom": map[string]any{"invalid_keys": []string{key}}}), 200, "")
		before := len(s.simMessages(key))
		expect(t, s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/push", owner, map[string]any{
			"robot_ids": []string{robotID}, "format": "markdown"}), 202, "")
		latest = s.waitPushes(owner, 4)[0]
		if latest["status"] != "failed" || latest["errcode"].(float64) != 93000 || latest["error"] == "" {
			t.Fatalf("after 93000: %v", latest)
		}
		if n := len(s.simMessages(key)) - before; n != 1 {
			t.Fatalf("93000 was retried: %d sends", n)
		}
		robots := s.do("GET", "/admin/v1/wecom-robots", owner, nil)
		rb := robots.body["robots"].([]any)[0].(map[string]any)
		if rb["status"] != "broken" || rb["last_errcode"].(float64) != 93000 {
			t.Fatalf("robot after 93000: %v", rb)
		}

		// Another brand's robot is 404 everywhere.
		other, err := s.app.brands.CreateBrand(context.Background(), brands.CLIActor, brands.NewBrandInput{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := s.app.outputs.CreateRobot(context.Background(), brands.CLIActor, other.ID, leaderboard.RobotInput{Name: "别人的群", WebhookKey: "their-robot-key-1234"})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, s.do("POST", "/admin/v1/lives/"+e2eLive+"/leaderboard/push", owner, map[string]any{"robot_ids": []string{theirs.ID}}), 404, "NOT_FOUND")
		expect(t, s.do("PATCH", "/admin/v1/wecom-robots/"+theirs.ID, owner, map[string]any{"name": "mine now"}), 404, "NOT_FOUND")
		expect(t, s.do("DELETE", "/admin/v1/wecom-robots/"+theirs.ID, owner, nil), 404, "NOT_FOUND")

		// Re-keying heals the robot; deleting removes it.
		healed := s.do("PATCH", "/admin/v1/wecom-robots/"+robotID, owner, map[string]any{"webhook_key": "1a2b3c4d-0000-4bc4-97a0-0ec2e2e2e2e2"})
		expect(t, healed, 200, "")
		if healed.str("robot.status") != "ok" {
			t.Fatalf("re-keyed: %s", healed.raw)
		}
		expect(t, s.do("DELETE", "/admin/v1/wecom-robots/"+robotID, owner, nil), 204, "")
		expect(t, s.do("DELETE", "/admin/v1/wecom-robots/"+robotID, owner, nil), 404, "NOT_FOUND")
	})
}

func TestPushSchedulesRunAsDurableJobs(t *testing.T) {
	board := newE2EBoard(t)
	enginesWith(t, outputsSetup(board), func(t *testing.T, s *svc) {
		owner, brandID := s.ownerOfDemo()
		// The live starts in 10 minutes: the "every 5 minutes in the half hour before" phase is due.
		board.put(brandID, e2eLive, chineseBoard(time.Now().Add(10*time.Minute)))
		const key = "5c4e3d2b-bbbb-4bc4-97a0-0ec2e2e2e2e2"
		robotID := s.do("POST", "/admin/v1/wecom-robots", owner, map[string]any{"name": "一群", "webhook_key": key}).str("robot.id")
		sc := s.do("POST", "/admin/v1/lives/"+e2eLive+"/push-schedules", owner, map[string]any{"robot_ids": []string{robotID},
			"format": "markdown", "phases": []any{map[string]any{"from_minutes": -30, "to_minutes": 0, "every_minutes": 5},
				map[string]any{"from_minutes": 0, "to_minutes": 20, "every_minutes": 5}}})
		expect(t, sc, 201, "")
		schedID := sc.str("schedule.id")
		expect(t, s.do("POST", "/admin/v1/lives/"+e2eLive+"/push-schedules", owner, map[string]any{"robot_ids": []string{robotID},
			"phases": []any{map[string]any{"from_minutes": 10, "to_minutes": 0, "every_minutes": 5}}}), 400, "INVALID_ARGUMENT")
		expect(t, s.do("POST", "/admin/v1/lives/nope/push-schedules", owner, map[string]any{"robot_ids": []string{robotID},
			"phases": []any{map[string]any{"from_minutes": 0, "to_minutes": 10, "every_minutes": 5}}}), 404, "NOT_FOUND")

		// The periodic tick (wall time) finds the due slot; a second tick does not push it again.
		for range 2 {
			if _, err := s.app.jobs.Insert(context.Background(), jobs.PushScheduleTickArgs{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		pushes := s.waitPushes(owner, 1)
		if len(pushes) != 1 || pushes[0]["schedule_id"] != schedID || pushes[0]["status"] != "sent" {
			t.Fatalf("scheduled pushes: %v", pushes)
		}
		if msgs := s.simMessages(key); len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]["content"]), "张三丰") {
			t.Fatalf("simulator got %v", msgs)
		}
		list := s.do("GET", "/admin/v1/lives/"+e2eLive+"/push-schedules", owner, nil)
		expect(t, list, 200, "")
		if got := list.body["schedules"].([]any)[0].(map[string]any); got["last_slot_at"] == nil {
			t.Fatalf("schedule: %v", got)
		}
		off := s.do("PATCH", "/admin/v1/push-schedules/"+schedID, owner, map[string]any{"enabled": false})
		expect(t, off, 200, "")
		expect(t, s.do("PATCH", "/admin/v1/push-schedules/nope", owner, map[string]any{"enabled": true}), 404, "NOT_FOUND")
		expect(t, s.do("DELETE", "/admin/v1/push-schedules/"+schedID, owner, nil), 204, "")
		expect(t, s.do("DELETE", "/admin/v1/push-schedules/"+schedID, owner, nil), 404, "NOT_FOUND")
	})
}
