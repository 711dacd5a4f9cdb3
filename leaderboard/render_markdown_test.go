package leaderboard

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderMarkdown(t *testing.T) {
	md := RenderMarkdown(sampleSnapshot(), PrivacyMasked)
	for _, want := range []string{"## 🏆 预约邀请排行榜", "**演示品牌 《新品首发直播》**", `<font color="warning">12月4日 周五 20:00</font>`,
		`还差 <font color="warning">377</font> 人`, "🥇 **张＊**", "🥉 **匿名**", `<font color="info">23</font> 人`} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRenderMarkdownEscapesNames(t *testing.T) {
	s := sampleSnapshot()
	s.Rows = []Row{{Rank: 1, Name: `**x** <font color="warning">y</font> [a](b) ` + "`c` #d", Count: 1}}
	md := RenderMarkdown(s, PrivacyNickname)
	row := strings.Split(strings.Split(md, "\n\n")[1], "\n")[0]
	if strings.Count(row, "**") != 2 || strings.Count(row, "<font") != 1 || strings.ContainsAny(row, "[]`#") {
		t.Fatalf("name became markup: %q", row)
	}
	if !strings.Contains(row, "＊＊x＊＊ ＜font") {
		t.Fatalf("name not shown with full-width twins: %q", row)
	}
}

func TestRenderMarkdownIsShortenedNotRefused(t *testing.T) {
	s := sampleSnapshot()
	s.Rows = nil
	for i := 1; i <= MaxTopN; i++ {
		s.Rows = append(s.Rows, Row{Rank: i, Name: strings.Repeat("長", 64), Count: int64(1000 - i)})
	}
	s.LinkURL = "https://wxaurl.cn/" + strings.Repeat("x", 200)
	for _, limit := range []int{MaxMarkdownBytes, shrunkMarkdownBytes, 700} {
		md := RenderMarkdownWithin(s, PrivacyNickname, limit)
		if len(md) > limit || !utf8.ValidString(md) {
			t.Fatalf("limit %d: %d bytes", limit, len(md))
		}
		if !strings.Contains(md, "另有") || !strings.Contains(md, "🥇") || !strings.Contains(md, "数据截至") {
			t.Fatalf("limit %d: shortened wrongly:\n%s", limit, md)
		}
		// every row shown is whole: no row is cut in the middle
		for _, l := range strings.Split(md, "\n") {
			if strings.Contains(l, "長") && !strings.HasSuffix(l, " 人") {
				t.Fatalf("limit %d: cut row %q", limit, l)
			}
		}
	}
	if md := RenderMarkdownWithin(s, PrivacyNickname, 100); len(md) > 100 || !utf8.ValidString(md) {
		t.Fatalf("a tiny budget still bounds the message: %d bytes", len(md))
	}
}

func TestRenderMarkdownEmptyBoard(t *testing.T) {
	s := sampleSnapshot()
	s.Rows = nil
	if md := RenderMarkdown(s, PrivacyNickname); !strings.Contains(md, emptyBoard) {
		t.Fatalf("empty board:\n%s", md)
	}
}
