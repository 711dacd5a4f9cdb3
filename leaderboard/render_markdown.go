package leaderboard

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxMarkdownBytes is WeCom's limit on markdown content (UTF-8 bytes of the content string).
const MaxMarkdownBytes = 4096

// markdownEscaper swaps the characters WeCom's markdown subset reads as markup for their
// full-width twins: the subset documents no escape character, and a nickname like "**x" or
// "<font" must neither format the message nor break it.
var markdownEscaper = strings.NewReplacer(
	"*", "＊", "_", "＿", "`", "｀", "[", "［", "]", "］", "(", "（", ")", "）",
	"<", "＜", ">", "＞", "#", "＃", "~", "～", "|", "｜", "\\", "＼", "&", "＆",
)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// RenderMarkdown renders the board as one WeCom robot markdown message within
// MaxMarkdownBytes: rows that do not fit are left out and counted, never sent too long.
func RenderMarkdown(s Snapshot, p Privacy) string {
	return RenderMarkdownWithin(s, p, MaxMarkdownBytes)
}

// RenderMarkdownWithin is RenderMarkdown within limitBytes (a smaller budget after WeCom
// refused a message as too long).
func RenderMarkdownWithin(s Snapshot, p Privacy, limitBytes int) string {
	v := newBoardView(s, p)
	var head strings.Builder
	title := "## 🏆 " + v.Heading
	head.WriteString(title + "\n")
	if v.Brand != "" || v.Title != "" {
		parts := []string{}
		if v.Brand != "" {
			parts = append(parts, escapeMarkdown(fitColumns(v.Brand, 32)))
		}
		if v.Title != "" {
			parts = append(parts, "《"+escapeMarkdown(fitColumns(v.Title, 48))+"》")
		}
		head.WriteString("**" + strings.Join(parts, " ") + "**\n")
	}
	if v.Group != "" {
		head.WriteString("> 分组：" + escapeMarkdown(fitColumns(v.Group, 32)) + "\n")
	}
	if v.Start != "" {
		head.WriteString(`> 开播：<font color="warning">` + v.Start + "</font>\n")
	}
	head.WriteString("> " + progressMarkdown(v) + "\n\n")

	var foot strings.Builder
	foot.WriteString("\n")
	if me := v.meLine(); me != "" {
		foot.WriteString(escapeMarkdown(me) + "\n")
	}
	foot.WriteString(escapeMarkdown(v.callToAction()) + "\n")
	if v.Taken != "" {
		foot.WriteString(`<font color="comment">数据截至 ` + v.Taken + "</font>")
	}

	rows := make([]string, 0, len(v.Rows))
	if v.Empty() {
		rows = append(rows, emptyBoard)
	}
	for _, r := range v.Rows {
		mark := medal(r.Rank)
		if mark == "" {
			mark = fmt.Sprintf("%d.", r.Rank)
		}
		name := "第" + fmt.Sprint(r.Rank) + "名"
		if !v.RankOnly {
			name = "**" + isolate(escapeMarkdown(fitColumns(r.Name, textNameColumns))) + "**"
		}
		rows = append(rows, fmt.Sprintf(`%s %s　<font color="info">%d</font> %s`, mark, name, r.Count, v.Unit))
	}

	budget := limitBytes - head.Len() - foot.Len()
	var body strings.Builder
	for i, r := range rows {
		more := ""
		if left := len(rows) - i - 1; left > 0 {
			// keep room for the "and N more" line in case the next row does not fit
			more = fmt.Sprintf("…另有 %d 人未显示\n", left)
		}
		if body.Len()+len(r)+1+len(more) > budget {
			body.WriteString(fmt.Sprintf("…另有 %d 人未显示\n", len(rows)-i))
			break
		}
		body.WriteString(r + "\n")
	}
	out := head.String() + body.String() + foot.String()
	return truncateUTF8(out, limitBytes)
}

func progressMarkdown(v boardView) string {
	if v.Heading == headingIgnition {
		return fmt.Sprintf(`开播后已带来 <font color="info">%d</font> 位访客`, v.Total)
	}
	switch {
	case v.Target <= 0:
		return fmt.Sprintf(`已预约 <font color="info">%d</font> 人`, v.Total)
	case v.Remaining == 0:
		return fmt.Sprintf(`已预约 <font color="info">%d</font> 人，目标 %d 人已达成 🎉`, v.Total, v.Target)
	}
	return fmt.Sprintf(`已预约 <font color="info">%d</font> 人，目标 %d 人，还差 <font color="warning">%d</font> 人`, v.Total, v.Target, v.Remaining)
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary: the last guard when even the
// header does not fit a tiny budget.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
