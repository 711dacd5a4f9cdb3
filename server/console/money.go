package console

import (
	"strconv"
	"strings"
)

// FormatYuan shows an amount in fen as yuan with two decimals and thousands separators
// ("-1,234.05"), by integer arithmetic only.
func FormatYuan(fen int64) string {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = -u // two's complement: right for math.MinInt64 too
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	cents := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// ParseYuan reads a non-negative yuan amount typed into a form ("12", "12.3", "12.34",
// "1,234.50") into fen, exactly: no float ever touches it. More than two decimals, signs,
// exponents and amounts beyond 10^13 yuan are refused.
func ParseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, false
	}
	if len(whole) > 13 || len(frac) > 2 || (hasDot && frac == "") {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, ch := range part {
			if ch < '0' || ch > '9' {
				return 0, false
			}
		}
	}
	var w, f int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}
