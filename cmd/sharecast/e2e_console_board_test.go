package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
)

// The leaderboard page (text, poster, public link, push) and the WeCom robots page: owner
// and operator act, finance only reads the board, forms need their CSRF token, another
// brand's live is 404.
func TestConsoleLeaderboardAndRobots(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		token := s.adminLogin("admin", s.password)
		live := s.demoLiveID(token, "Demo upcoming live 新品首发直播")
		brandID := mustBrandID(t, s, "demo")
		for _, a := range []struct{ user, role string }{{"olive", brands.RoleOperator}, {"fiona", brands.RoleFinance}} {
			if _, err := s.app.brands.CreateAdmin(context.Background(), brands.CLIActor, brandID, brands.NewAdminInput{Username: a.user,
				Password: a.user + "-pass-123", Role: a.role}); err != nil {
				t.Fatal(err)
			}
		}
		op := s.console()
		op.login("demo", "olive", "olive-pass-123")

		// A robot, added through the form (without CSRF: refused).
		op.get("/admin/wecom-robots")
		form := url.Values{"name": {"核心团长群"}, "webhook_key": {"0f6b1e2a-aaaa-4bc4-97a0-0ec2e2e2e2e2"}}
		noCSRF := url.Values{"name": form["name"], "webhook_key": form["webhook_key"], "csrf_token": {""}}
		expectPage(t, "robot without CSRF", op.post("/admin/wecom-robots", noCSRF), 403)
		expectPage(t, "bad robot key", op.post("/admin/wecom-robots", url.Values{"name": {"x"}, "webhook_key": {"no"}}), 400, `id="problem"`)
		expectPage(t, "add robot", op.post("/admin/wecom-robots", form), 303)
		p := op.get("/admin/wecom-robots")
		robot := regexp.MustCompile(`data-robot="([^"]+)"`).FindStringSubmatch(p.body)
		if robot == nil || strings.Contains(p.body, "0f6b1e2a") {
			t.Fatalf("robots page (the key must not show): %s", p.body)
		}

		// The board: text and poster; a public link; a push to the robot.
		p = op.get("/admin/lives/" + live + "/leaderboard?privacy=masked&top_n=5")
		expectPage(t, "board", p, 200, `id="board-text"`, `id="board-poster"`, `id="share-form"`, `value="`+robot[1]+`"`)
		if !strings.Contains(p.body, "预约") {
			t.Fatalf("board text: %s", p.body)
		}
		poster := s.do("GET", "/admin/v1/lives/"+live+"/leaderboard.png?privacy=masked&top_n=5", token, nil)
		if poster.status != 200 || poster.header.Get("Content-Type") != "image/png" {
			t.Fatalf("poster: %d %s", poster.status, poster.header.Get("Content-Type"))
		}
		p = op.post("/admin/lives/"+live+"/leaderboard/share", url.Values{"window": {"live"}, "privacy": {"masked"}, "top_n": {"5"}})
		expectPage(t, "share", p, 200, `id="share-url"`)
		shareURL := regexp.MustCompile(`id="share-url">([^<]+)<`).FindStringSubmatch(p.body)[1]
		u, _ := url.Parse(shareURL)
		if pub := s.do("GET", u.Path+"/data", "", nil); pub.status != 200 {
			t.Fatalf("public board %s: %d", u.Path, pub.status)
		}
		p = op.post("/admin/lives/"+live+"/leaderboard/push", url.Values{"window": {"live"}, "privacy": {"masked"}, "top_n": {"5"},
			"format": {"markdown"}, "robot_id": {robot[1]}})
		expectPage(t, "push", p, 200, `id="pushed"`, "已排队推送 1 条。")
		expectPage(t, "bad top n", op.get("/admin/lives/"+live+"/leaderboard?top_n=500"), 400)

		// Finance reads the board but neither shares nor pushes nor manages robots.
		fin := s.console()
		fin.login("demo", "fiona", "fiona-pass-123")
		p = fin.get("/admin/lives/" + live + "/leaderboard")
		expectPage(t, "finance board", p, 200, `id="board-text"`)
		if strings.Contains(p.body, "share-form") || strings.Contains(p.body, "push-form") {
			t.Fatal("finance sees the share or push forms")
		}
		expectPage(t, "finance push", fin.post("/admin/lives/"+live+"/leaderboard/push", url.Values{"format": {"markdown"}, "robot_id": {robot[1]}}), 403)
		expectPage(t, "finance robots", fin.get("/admin/wecom-robots"), 403)

		// Another brand.
		s.otherBrand("rival", "rival-owner-pass")
		rival := s.console()
		rival.login("rival", "admin", "rival-owner-pass")
		expectPage(t, "rival board", rival.get("/admin/lives/"+live+"/leaderboard"), 404)
		rival.get("/admin/wecom-robots")
		expectPage(t, "rival robot delete", rival.post("/admin/wecom-robots/"+robot[1]+"/delete", nil), 404)

		expectPage(t, "delete robot", op.post("/admin/wecom-robots/"+robot[1]+"/delete", nil), 303)
	})
}

// The outgoing webhooks page: the owner adds an endpoint (secret shown once), sees its
// deliveries and deletes it; finance may not; another brand's endpoint is 404.
func TestConsoleWebhooksPage(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		owner := s.console()
		owner.login("demo", "admin", s.password)
		owner.get("/admin/webhooks")
		expectPage(t, "bad url", owner.post("/admin/webhooks", url.Values{"url": {"ftp://x"}}), 400, `id="problem"`)
		expectPage(t, "without CSRF", owner.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/hooks"}, "csrf_token": {""}}), 403)
		p := owner.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/hooks"}, "description": {"ERP"},
			"event_type": {"order.attributed", "payout.paid"}})
		expectPage(t, "create webhook", p, 201, `id="new-secret"`, "order.attributed, payout.paid")
		id := regexp.MustCompile(`data-webhook="([^"]+)"`).FindStringSubmatch(p.body)[1]
		expectPage(t, "deliveries", owner.get("/admin/webhooks/"+id+"/deliveries"), 200, `id="deliveries"`)
		if p := owner.get("/admin/webhooks"); strings.Contains(p.body, "new-secret") {
			t.Fatal("the secret is shown again")
		}
		expectPage(t, "replay unknown", owner.post("/admin/webhook-deliveries/nope/replay", nil), 404)

		if _, err := s.app.brands.CreateAdmin(context.Background(), brands.CLIActor, mustBrandID(t, s, "demo"),
			brands.NewAdminInput{Username: "fiona", Password: "fiona-pass-123", Role: brands.RoleFinance}); err != nil {
			t.Fatal(err)
		}
		fin := s.console()
		fin.login("demo", "fiona", "fiona-pass-123")
		expectPage(t, "finance webhooks", fin.get("/admin/webhooks"), 403)

		s.otherBrand("rival", "rival-owner-pass")
		rival := s.console()
		rival.login("rival", "admin", "rival-owner-pass")
		rival.get("/admin/webhooks")
		expectPage(t, "rival deliveries", rival.get("/admin/webhooks/"+id+"/deliveries"), 404)
		expectPage(t, "rival delete", rival.post("/admin/webhooks/"+id+"/delete", nil), 404)

		expectPage(t, "delete", owner.post("/admin/webhooks/"+id+"/delete", nil), 303)
	})
}
