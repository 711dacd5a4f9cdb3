package leaderboard

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var startUTC = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) // 20:00 in Shanghai, a Friday

func sampleSnapshot() Snapshot {
	return Snapshot{BrandName: "演示品牌", BrandColor: "#E5484D", LiveID: "live-1", LiveTitle: "新品首发直播",
		Window: WindowLive, StartAt: startUTC, Location: time.FixedZone("Asia/Shanghai", 8*3600),
		TakenAt: startUTC.Add(-2 * time.Hour), Target: 500, Total: 123,
		Rows: []Row{{Rank: 1, Name: "张三丰", Count: 23}, {Rank: 2, Name: "Alice", Count: 19},
			{Rank: 3, Name: "李四", Count: 12, Anonymous: true}, {Rank: 4, Name: "王五", Count: 8}}}
}

// rowLines returns the lines of the rows block (between the header's blank line and the next).
func rowLines(t *testing.T, text string) []string {
	t.Helper()
	blocks := strings.Split(text, "\n\n")
	if len(blocks) < 3 {
		t.Fatalf("want header, rows and footer blocks, got:\n%s", text)
	}
	return strings.Split(blocks[1], "\n")
}

func TestRenderTextShowsTheBoard(t *testing.T) {
	s := sampleSnapshot()
	s.Me = &Row{Rank: 4, Count: 8}
	s.LinkURL = "https://wxaurl.cn/abcDEF"
	txt := RenderText(s, PrivacyNickname)
	for _, want := range []string{"预约邀请排行榜｜演示品牌", "新品首发直播", "开播：12月4日 周五 20:00",
		"已预约 123 人，目标 500 人，还差 377 人", "数据截至 12月4日 18:00", "🥇 张三丰", "🥈 Alice", "🥉 匿名", "4. 王五",
		"我的排名：第 4 名，已邀请 8 人，再邀请 5 人超过第 3 名", "https://wxaurl.cn/abcDEF"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "李四") {
		t.Error("an opted-out member's nickname is shown")
	}
	for _, bad := range []string{"|", "\t", "<", "```"} {
		if strings.Contains(txt, bad) {
			t.Errorf("table or markup %q in paste-ready text", bad)
		}
	}
	// The brand's zone decides the times shown.
	s.Location = time.FixedZone("EST", -5*3600)
	if txt := RenderText(s, PrivacyNickname); !strings.Contains(txt, "12月4日 周五 07:00") {
		t.Errorf("start not in the brand's zone:\n%s", txt)
	}
}

func TestRenderTextAlignsNamesByDisplayWidth(t *testing.T) {
	s := sampleSnapshot()
	s.Rows = []Row{{Rank: 1, Name: "张三丰", Count: 123}, {Rank: 2, Name: "Al", Count: 19}, {Rank: 3, Name: "李四四四四", Count: 7}}
	lines := rowLines(t, RenderText(s, PrivacyNickname))
	widths := map[int]bool{}
	for _, l := range lines {
		// mark, space, padded name, space, count: the name column is the 3rd field by the
		// plain spaces we put around it.
		parts := strings.SplitN(l, " ", 3)
		nameAndCount := parts[1]
		w := width.StringWidth(strings.ReplaceAll(strings.ReplaceAll(nameAndCount, ideoSpace, "xx"), enSpace, "x"))
		widths[w] = true
	}
	if len(widths) != 1 {
		t.Fatalf("name columns differ in width %v:\n%s", widths, strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[1], figureSpace+"19") || !strings.Contains(lines[2], figureSpace+figureSpace+"7") {
		t.Errorf("counts not right-aligned with figure spaces: %q", lines)
	}
}

func TestRenderTextPrivacyModes(t *testing.T) {
	s := sampleSnapshot()
	masked := RenderText(s, PrivacyMasked)
	if !strings.Contains(masked, "张*") || strings.Contains(masked, "张三丰") || !strings.Contains(masked, "A*") {
		t.Errorf("masked:\n%s", masked)
	}
	rankOnly := RenderText(s, PrivacyRankOnly)
	for _, name := range []string{"张", "Alice", "匿名", "王五"} {
		if strings.Contains(rankOnly, name) {
			t.Errorf("rank_only shows %q:\n%s", name, rankOnly)
		}
	}
	if !strings.Contains(rankOnly, "第1名") || !strings.Contains(rankOnly, "23 人") {
		t.Errorf("rank_only lacks ranks or counts:\n%s", rankOnly)
	}
}

func TestRenderTextEmptyBoardAndNoTarget(t *testing.T) {
	s := sampleSnapshot()
	s.Rows, s.Target, s.Total = nil, 0, 0
	txt := RenderText(s, PrivacyNickname)
	if !strings.Contains(txt, emptyBoard) || !strings.Contains(txt, "已预约 0 人") || strings.Contains(txt, "目标") {
		t.Errorf("empty board:\n%s", txt)
	}
	if !strings.Contains(txt, "打开「演示品牌」小程序") {
		t.Errorf("admin text without a link should say where to get one:\n%s", txt)
	}
	s.Total, s.Target = 600, 500
	if txt := RenderText(s, PrivacyNickname); !strings.Contains(txt, "目标 500 人已达成") {
		t.Errorf("reached target:\n%s", txt)
	}
	s.Window = WindowIgnition
	if txt := RenderText(s, PrivacyNickname); !strings.Contains(txt, headingIgnition) {
		t.Errorf("ignition heading:\n%s", txt)
	}
}

// hostileNames are nicknames people really set, and some they set to break things.
var hostileNames = []string{
	"😀🎉👨‍👩‍👧‍👦🇨🇳",
	"مرحبا بالعالم",
	"שלום עולם 123",
	strings.Repeat("很长的昵称", 13)[:0] + strings.Repeat("长", 64),
	"line1\nline2\r\nline3",
	"\u202Eevil\u202C override",
	"**bold** <font color=\"warning\">x</font> [link](http://x) `code` # h",
	"\x00\x07\x1b[31mred",
	"Zalgo" + strings.Repeat("\u0336", 50),
	"",
}

func TestRenderTextSurvivesHostileNames(t *testing.T) {
	s := sampleSnapshot()
	s.Rows = nil
	for i, n := range hostileNames {
		s.Rows = append(s.Rows, Row{Rank: i + 1, Name: n, Count: int64(100 - i)})
	}
	txt := RenderText(s, PrivacyNickname)
	if !utf8.ValidString(txt) {
		t.Fatal("invalid UTF-8")
	}
	lines := rowLines(t, txt)
	if len(lines) != len(hostileNames) {
		t.Fatalf("%d names made %d row lines:\n%s", len(hostileNames), len(lines), txt)
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, fmt.Sprintf("%d 人", 100-i)) {
			t.Errorf("row %d lost its count: %q", i+1, l)
		}
		if strings.ContainsAny(l, "\u202E\u202C\x00\x07\x1b\r") {
			t.Errorf("row %d carries control or override characters: %q", i+1, l)
		}
		if width.StringWidth(strings.ReplaceAll(l, ideoSpace, "xx")) > 40 {
			t.Errorf("row %d too wide: %q", i+1, l)
		}
	}
	if !strings.Contains(lines[1], fsi+"مرحبا بالعالم") || !strings.HasPrefix(lines[1], lrm) {
		t.Errorf("RTL name not isolated: %q", lines[1])
	}
	if !strings.Contains(lines[3], "…") {
		t.Errorf("64-character name not shortened: %q", lines[3])
	}
	if !strings.Contains(lines[9], Anonymous) {
		t.Errorf("empty nickname should show as %s: %q", Anonymous, lines[9])
	}
}

func FuzzRenderText(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n, "分组"+n)
	}
	board := func(name, group string) Snapshot {
		s := sampleSnapshot()
		s.Group = group
		s.Rows = []Row{{Rank: 1, Name: name, Count: 5}, {Rank: 2, Name: "张三", Count: 3}}
		return s
	}
	plain := RenderMarkdown(board("x", "g"), PrivacyNickname)
	plainFonts, plainBold := strings.Count(plain, "<font"), strings.Count(plain, "**")
	f.Fuzz(func(t *testing.T, name, group string) {
		s := board(name, group)
		txt := RenderText(s, PrivacyNickname)
		if !utf8.ValidString(txt) {
			t.Fatal("invalid UTF-8")
		}
		if n := len(rowLines(t, txt)); n != 2 {
			t.Fatalf("2 rows made %d lines for %q:\n%s", n, name, txt)
		}
		md := RenderMarkdown(s, PrivacyNickname)
		if len(md) > MaxMarkdownBytes || !utf8.ValidString(md) {
			t.Fatalf("markdown %d bytes", len(md))
		}
		if strings.Count(md, "<font") != plainFonts || strings.Count(md, "**") != plainBold {
			t.Fatalf("a name added markup: %q", md)
		}
	})
}
