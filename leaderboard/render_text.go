package leaderboard

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Columns in the paste-ready text: a CJK character is 2 columns, a Latin letter 1. WeChat
// shows messages in a proportional font, where an ideographic space (U+3000) is as wide as a
// CJK character and an en space (U+2002) half of it; padding with those lines up Chinese
// names exactly and Latin ones closely. Tables, tabs and monospace tricks do not survive.
const (
	textNameColumns = 16
	ideoSpace       = "\u3000"
	enSpace         = "\u2002"
	figureSpace     = "\u2007" // as wide as a digit: right-aligns counts
)

// width measures like a phone does, whatever the server's locale: East Asian ambiguous
// characters narrow, emoji wide.
var width = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// fitColumns truncates s to at most cols columns, marking a cut with "…".
func fitColumns(s string, cols int) string {
	if width.StringWidth(s) <= cols {
		return s
	}
	return width.Truncate(s, cols, "…")
}

// padColumns fills s up to cols columns with ideographic and en spaces.
func padColumns(s string, cols int) string {
	need := cols - width.StringWidth(s)
	if need <= 0 {
		return s
	}
	return s + strings.Repeat(ideoSpace, need/2) + strings.Repeat(enSpace, need%2)
}

// RenderText renders the board as a WeChat message to paste into groups and Moments: title,
// the live's start in the brand's zone, the top rows with ranks and counts, the gap to the
// target and a call to action with the member's link when the snapshot carries one.
func RenderText(s Snapshot, p Privacy) string {
	v := newBoardView(s, p)
	var b strings.Builder
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, ""))
		b.WriteByte('\n')
	}
	heading := "🏆 " + v.Heading
	if v.Brand != "" {
		heading += "｜" + isolate(fitColumns(v.Brand, 32))
	}
	line(heading)
	if v.Title != "" {
		line("📺 ", isolate(fitColumns(v.Title, 48)))
	}
	if v.Group != "" {
		line("👥 分组：", isolate(fitColumns(v.Group, 32)))
	}
	if v.Start != "" {
		line("⏰ 开播：", v.Start)
	}
	line("📊 ", v.progress())
	if v.Taken != "" {
		line("🕒 数据截至 ", v.Taken)
	}
	b.WriteByte('\n')

	if v.Empty() {
		line(emptyBoard)
	} else {
		writeTextRows(&b, v)
	}
	if me := v.meLine(); me != "" {
		b.WriteByte('\n')
		line("🙋 ", me)
	}
	b.WriteByte('\n')
	line("👉 ", v.callToAction())
	return strings.TrimRight(b.String(), "\n")
}

func writeTextRows(b *strings.Builder, v boardView) {
	nameCols, digits := 0, 1
	names := make([]string, len(v.Rows))
	for i, r := range v.Rows {
		if v.RankOnly {
			names[i] = "第" + strconv.Itoa(r.Rank) + "名"
		} else {
			names[i] = fitColumns(r.Name, textNameColumns)
		}
		nameCols = max(nameCols, width.StringWidth(names[i]))
		digits = max(digits, len(strconv.FormatInt(r.Count, 10)))
	}
	for i, r := range v.Rows {
		mark := medal(r.Rank)
		if mark == "" {
			mark = fmt.Sprintf("%d.", r.Rank)
		}
		name := padColumns(names[i], nameCols)
		count := strconv.FormatInt(r.Count, 10)
		count = strings.Repeat(figureSpace, digits-len(count)) + count
		prefix := ""
		if hasRTL(names[i]) {
			prefix = lrm
		}
		b.WriteString(prefix + mark + " " + isolate(name) + " " + count + " " + v.Unit + "\n")
	}
}
