package reminders

import (
	"fmt"
	"time"
)

// FormatTime formats t for a time or date field in the brand's timezone: "2006-01-02 15:04".
// An unknown timezone falls back to Asia/Shanghai (sharecast's default), then UTC.
func FormatTime(t time.Time, timezone string) string {
	loc, err := time.LoadLocation(timezone)
	if err != nil || timezone == "" {
		if loc, err = time.LoadLocation("Asia/Shanghai"); err != nil {
			loc = time.UTC
		}
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// FormatFen formats an amount of fen for an amount field: "¥12.50".
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}
