package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/leaderboard"
)

// BoardOutputs is what the leaderboard and WeCom robots pages use (leaderboard.Outputs, as
// the /admin/v1 leaderboard output and robot routes use it).
type BoardOutputs interface {
	Text(ctx context.Context, brandID, liveID, memberID string, q leaderboard.BoardQuery) (string, error)
	CreateShare(ctx context.Context, a brands.Actor, brandID, liveID string, q leaderboard.BoardQuery) (string, leaderboard.Share, error)
	PushNow(ctx context.Context, a brands.Actor, brandID, liveID string, r leaderboard.PushRequest) ([]leaderboard.Push, error)
	Robots(ctx context.Context, brandID string) ([]leaderboard.Robot, error)
	CreateRobot(ctx context.Context, a brands.Actor, brandID string, in leaderboard.RobotInput) (leaderboard.Robot, error)
	DeleteRobot(ctx context.Context, a brands.Actor, brandID, id string) error
}

func init() {
	register(Page{
		Name: "board",
		Perm: brands.PermRead, // every role reads leaderboards; sharing and pushing are live ops
		Routes: []Route{
			{Method: http.MethodGet, Path: "/lives/:id/leaderboard", Handle: showBoard},
			{Method: http.MethodPost, Path: "/lives/:id/leaderboard/share", Perm: brands.PermLiveOps, Handle: shareBoard},
			{Method: http.MethodPost, Path: "/lives/:id/leaderboard/push", Perm: brands.PermLiveOps, Handle: pushBoard},
		},
	})
	register(Page{
		Name: "robots",
		Perm: brands.PermLiveOps, // WeCom robots: owner, operator
		Nav:  &NavEntry{Label: "nav.robots", Order: 150},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/wecom-robots", Handle: listRobots},
			{Method: http.MethodPost, Path: "/wecom-robots", Handle: createRobot},
			{Method: http.MethodPost, Path: "/wecom-robots/:id/delete", Handle: deleteRobot},
		},
	})
	addCatalogue(map[string]msg{
		"nav.robots":              {"企微群机器人", "WeCom robots"},
		"board.title":             {"邀请排行榜", "Invitation leaderboard"},
		"board.unavailable":       {"排行榜输出暂不可用：此版本尚未接入。", "Leaderboard outputs are not available in this build."},
		"board.window":            {"榜单", "Board"},
		"board.window.live":       {"有效预约", "Counted reservations"},
		"board.window.ignition":   {"开播前 20 分钟引流", "First 20 minutes' inflow"},
		"board.privacy":           {"昵称显示", "Names"},
		"board.privacy.nickname":  {"昵称", "Nickname"},
		"board.privacy.masked":    {"打码（张*）", "Masked (Z*)"},
		"board.privacy.rank_only": {"只显示名次", "Ranks only"},
		"board.top_n":             {"前 N 名", "Top N"},
		"board.show":              {"预览", "Preview"},
		"board.text":              {"可粘贴文本", "Paste-ready text"},
		"board.poster":            {"海报", "Poster"},
		"board.share":             {"生成公开链接", "Create a public link"},
		"board.share_done":        {"公开链接（可发到群里）：", "Public link (for group chats):"},
		"board.push":              {"推送到企微群", "Push to WeCom groups"},
		"board.format":            {"格式", "Format"},
		"board.format.markdown":   {"文字", "Text"},
		"board.format.image":      {"图片", "Image"},
		"board.format.both":       {"文字 + 图片", "Text + image"},
		"board.no_robots":         {"还没有企微群机器人：先在“企微群机器人”页添加。", "No WeCom robots yet: add one on the WeCom robots page."},
		"board.pushed":            {"已排队推送 %d 条。", "%d pushes queued."},
		"board.bad_top_n":         {"前 N 名须为 1 到 100 的整数", "Top N must be a whole number from 1 to 100"},
		"robots.title":            {"企微群机器人", "WeCom group robots"},
		"robots.help":             {"群机器人的 Webhook 地址（或其中的 key）只保存加密后的值，不再显示。", "The robot's webhook URL (or its key) is stored sealed and never shown again."},
		"robots.unavailable":      {"企微群机器人暂不可用：此版本尚未接入。", "WeCom robots are not available in this build."},
		"robots.name":             {"名称", "Name"},
		"robots.key":              {"Webhook 地址或 key", "Webhook URL or key"},
		"robots.status":           {"状态", "Status"},
		"robots.last_sent":        {"最近发送", "Last sent"},
		"robots.add":              {"添加", "Add"},
		"robots.delete":           {"删除", "Delete"},
		"robots.delete_confirm":   {"删除这个机器人？它的定时推送也会停止。", "Delete this robot? Its scheduled pushes stop too."},
		"flash.robot_created":     {"已添加。", "Added."},
		"flash.robot_deleted":     {"已删除。", "Deleted."},
	})
}

var (
	boardWindows = []string{leaderboard.WindowLive, leaderboard.WindowIgnition}
	boardPrivacy = []string{"nickname", "masked", "rank_only"}
	boardFormats = []string{"markdown", "image", "both"}
)

type boardData struct {
	Available                   bool
	LiveID                      string
	Window                      string
	Privacy                     string
	TopN                        int
	Text                        string
	PosterHref                  string
	ShareURL                    string
	Pushed                      string
	Problem                     string
	CanOperate                  bool
	Robots                      []leaderboard.Robot
	Windows, Privacies, Formats []string
}

func boardQuery(c *Ctx, get func(string) string) (leaderboard.BoardQuery, error) {
	q := leaderboard.BoardQuery{Window: get("window"), Privacy: leaderboard.Privacy(get("privacy"))}
	if q.Window == "" {
		q.Window = leaderboard.WindowLive
	}
	if q.Privacy == "" {
		q.Privacy = "masked"
	}
	q.TopN = leaderboard.DefaultTopN
	if v := get("top_n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > leaderboard.MaxTopN {
			return q, c.invalid("board.bad_top_n")
		}
		q.TopN = n
	}
	return q, nil
}

func renderBoard(c *Ctx, status int, q leaderboard.BoardQuery, d boardData) error {
	liveID := c.G.Param("id")
	d.LiveID, d.Window, d.Privacy, d.TopN = liveID, q.Window, string(q.Privacy), q.TopN
	d.Windows, d.Privacies, d.Formats = boardWindows, boardPrivacy, boardFormats
	d.CanOperate = brands.PermLiveOps.Allows(c.Admin.Role)
	if c.Deps.Board == nil {
		return c.Render(http.StatusServiceUnavailable, "board.title", d)
	}
	d.Available = true
	txt, err := c.Deps.Board.Text(c.Context(), c.Admin.BrandID, liveID, "", q)
	if err != nil {
		return err
	}
	d.Text = txt
	d.PosterHref = "/admin/v1/lives/" + url.PathEscape(liveID) + "/leaderboard.png?" + url.Values{"window": {q.Window},
		"privacy": {string(q.Privacy)}, "top_n": {strconv.Itoa(q.TopN)}}.Encode()
	if d.CanOperate {
		if d.Robots, err = c.Deps.Board.Robots(c.Context(), c.Admin.BrandID); err != nil {
			return err
		}
	}
	return c.Render(status, "board.title", d)
}

func showBoard(c *Ctx) error {
	q, err := boardQuery(c, c.G.Query)
	if err != nil {
		return err
	}
	return renderBoard(c, http.StatusOK, q, boardData{})
}

func shareBoard(c *Ctx) error {
	q, err := boardQuery(c, c.G.PostForm)
	if err != nil {
		return err
	}
	if c.Deps.Board == nil {
		return renderBoard(c, http.StatusServiceUnavailable, q, boardData{})
	}
	token, _, err := c.Deps.Board.CreateShare(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id"), q)
	if problem, ok := shownProblem(err); ok {
		return renderBoard(c, statusOf(err), q, boardData{Problem: problem})
	}
	if err != nil {
		return err
	}
	scheme := "http"
	if c.G.Request.TLS != nil || c.G.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return renderBoard(c, http.StatusOK, q, boardData{ShareURL: scheme + "://" + c.G.Request.Host + "/lb/" + token})
}

func pushBoard(c *Ctx) error {
	q, err := boardQuery(c, c.G.PostForm)
	if err != nil {
		return err
	}
	if c.Deps.Board == nil {
		return renderBoard(c, http.StatusServiceUnavailable, q, boardData{})
	}
	_ = c.G.Request.ParseForm()
	robots := c.G.Request.PostForm["robot_id"]
	pushes, err := c.Deps.Board.PushNow(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id"),
		leaderboard.PushRequest{RobotIDs: robots, Format: c.G.PostForm("format"), Query: q})
	if problem, ok := shownProblem(err); ok {
		return renderBoard(c, statusOf(err), q, boardData{Problem: problem})
	}
	if err != nil {
		return err
	}
	return renderBoard(c, http.StatusOK, q, boardData{Pushed: c.Lang.T("board.pushed", len(pushes))})
}

type robotsData struct {
	Available bool
	Robots    []leaderboard.Robot
	Problem   string
	Name      string
}

func renderRobots(c *Ctx, status int, d robotsData) error {
	if c.Deps.Board == nil {
		return c.Render(http.StatusServiceUnavailable, "robots.title", d)
	}
	d.Available = true
	list, err := c.Deps.Board.Robots(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	d.Robots = list
	return c.Render(status, "robots.title", d)
}

func listRobots(c *Ctx) error { return renderRobots(c, http.StatusOK, robotsData{}) }

func createRobot(c *Ctx) error {
	if c.Deps.Board == nil {
		return renderRobots(c, http.StatusServiceUnavailable, robotsData{})
	}
	name := strings.TrimSpace(c.G.PostForm("name"))
	_, err := c.Deps.Board.CreateRobot(c.Context(), c.Actor(), c.Admin.BrandID, leaderboard.RobotInput{Name: name,
		WebhookKey: strings.TrimSpace(c.G.PostForm("webhook_key"))})
	if problem, ok := shownProblem(err); ok {
		return renderRobots(c, statusOf(err), robotsData{Problem: problem, Name: name})
	}
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/wecom-robots", "flash.robot_created")
}

func deleteRobot(c *Ctx) error {
	if c.Deps.Board == nil {
		return renderRobots(c, http.StatusServiceUnavailable, robotsData{})
	}
	if err := c.Deps.Board.DeleteRobot(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id")); err != nil {
		return err
	}
	return c.Redirect(Prefix+"/wecom-robots", "flash.robot_deleted")
}
