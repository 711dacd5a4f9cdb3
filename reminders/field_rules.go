package reminders

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WeChat names a template's data fields "<kind><n>" (thing1, time2, amount3, …); the kind
// decides what the value may hold (reference/WECHAT.md §2, the sendMessage "其他说明" table).
// WeChat refuses a value that breaks its kind's rule with 47003 and sends nothing, so the
// rules are checked here first, where the error can name the field.

// Field kinds.
const (
	KindThing           = "thing"
	KindNumber          = "number"
	KindLetter          = "letter"
	KindSymbol          = "symbol"
	KindCharacterString = "character_string"
	KindTime            = "time"
	KindDate            = "date"
	KindAmount          = "amount"
	KindPhoneNumber     = "phone_number"
	KindCarNumber       = "car_number"
	KindName            = "name"
	KindPhrase          = "phrase"
	KindEnum            = "enum"
)

// maxFieldRunes bounds any value before its kind's rule runs (time ranges are the longest).
const maxFieldRunes = 64

// FieldError says which data field broke which rule.
type FieldError struct {
	Field  string // the data key, e.g. thing1
	Kind   string // thing, time, … ("" when the key itself is malformed)
	Reason string
}

func (e *FieldError) Error() string {
	if e.Kind == "" {
		return e.Field + ": " + e.Reason
	}
	return e.Field + " (" + e.Kind + "): " + e.Reason
}

// FieldKind returns the kind of a data key: the key without its trailing digits, when that is
// a known kind and digits follow it.
func FieldKind(key string) (string, bool) {
	kind := strings.TrimRight(key, "0123456789")
	if kind == key || kind == "" {
		return "", false
	}
	_, ok := fieldRules[kind]
	return kind, ok
}

// CheckField checks value against the rule of key's kind.
func CheckField(key, value string) error {
	kind, ok := FieldKind(key)
	if !ok {
		return &FieldError{Field: key, Reason: "not a WeChat data field name (a kind such as thing or time followed by digits)"}
	}
	fail := func(format string, a ...any) error {
		return &FieldError{Field: key, Kind: kind, Reason: fmt.Sprintf(format, a...)}
	}
	if !utf8.ValidString(value) {
		return fail("is not valid UTF-8")
	}
	if strings.TrimSpace(value) == "" {
		return fail("is empty")
	}
	n := utf8.RuneCountInString(value)
	if n > maxFieldRunes {
		return fail("is %d characters, at most %d", n, maxFieldRunes)
	}
	for _, r := range value {
		if unicode.IsControl(r) {
			return fail("holds a control character")
		}
	}
	if reason := fieldRules[kind](value, n); reason != "" {
		return fail("%s", reason)
	}
	return nil
}

// fieldRules answer "" when the value is acceptable, else why not. n is its rune count.
var fieldRules = map[string]func(v string, n int) string{
	KindThing: func(_ string, n int) string {
		return atMost(n, 20, "characters")
	},
	KindNumber: func(v string, _ int) string {
		intPart, frac, hasDot := strings.Cut(v, ".")
		if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
			return "must be digits, with an optional decimal part"
		}
		return atMost(len(intPart)+len(frac), 32, "digits")
	},
	KindLetter: func(v string, n int) string {
		if !all(v, isASCIILetter) {
			return "must be letters only"
		}
		return atMost(n, 32, "letters")
	},
	KindSymbol: func(v string, n int) string {
		if !all(v, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }) {
			return "must be symbols only"
		}
		return atMost(n, 5, "symbols")
	},
	KindCharacterString: func(v string, n int) string {
		if !all(v, isASCIIGraphic) {
			return "must be digits, letters or symbols only"
		}
		return atMost(n, 32, "characters")
	},
	KindTime: func(v string, _ int) string {
		return checkMoments(v, true)
	},
	KindDate: func(v string, _ int) string {
		return checkMoments(v, false)
	},
	KindAmount: checkAmount,
	KindPhoneNumber: func(v string, n int) string {
		if !all(v, func(r rune) bool { return isASCIIDigit(r) || (isASCIIGraphic(r) && !isASCIILetter(r)) }) {
			return "must be digits and symbols only"
		}
		return atMost(n, 17, "characters")
	},
	KindCarNumber: func(v string, n int) string {
		if n > 8 {
			return atMost(n, 8, "characters")
		}
		rs := []rune(v)
		for i, r := range rs {
			edge := i == 0 || i == len(rs)-1
			if !(isASCIIDigit(r) || isASCIILetter(r) || (edge && unicode.Is(unicode.Han, r))) {
				return "must be letters and digits (Chinese characters only first and last)"
			}
		}
		return ""
	},
	KindName: func(v string, n int) string {
		if strings.ContainsFunc(v, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return atMost(n, 10, "characters (a name with Chinese characters)")
		}
		return atMost(n, 20, "characters")
	},
	KindPhrase: func(v string, n int) string {
		if !all(v, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return "must be Chinese characters only"
		}
		return atMost(n, 5, "characters")
	},
	// The allowed values of an enum are listed in the template on WeChat's side, which the
	// API does not expose; WeChat checks them (47003).
	KindEnum: func(_ string, n int) string {
		return atMost(n, 20, "characters")
	},
}

func atMost(n, limit int, unit string) string {
	if n > limit {
		return fmt.Sprintf("is %d %s, at most %d", n, unit, limit)
	}
	return ""
}

// checkAmount: one optional currency sign, at most 10 digits, an optional decimal part of at
// most 2 digits, an optional trailing 元.
func checkAmount(v string, _ int) string {
	const msg = "must be a currency sign, at most 10 digits, optional decimals, optionally ending in 元 (e.g. ¥12.50)"
	for _, sign := range []string{"¥", "￥", "$", "€", "£"} {
		if rest, ok := strings.CutPrefix(v, sign); ok {
			v = rest
			break
		}
	}
	v = strings.TrimSuffix(v, "元")
	intPart, frac, hasDot := strings.Cut(v, ".")
	if !allDigits(intPart) || len(intPart) > 10 || (hasDot && (!allDigits(frac) || len(frac) > 2)) {
		return msg
	}
	return ""
}

// checkMoments accepts one moment or a range "a~b". A time moment needs a 24-hour time and may
// carry a date before it; a date moment needs a date and may carry a time after it.
func checkMoments(v string, needTime bool) string {
	parts := strings.Split(v, "~")
	if len(parts) > 2 {
		return "holds more than one ~"
	}
	for _, p := range parts {
		hasDate, hasTime, ok := parseMoment(strings.Trim(p, " "))
		switch {
		case !ok:
			if needTime {
				return "must be a 24-hour time such as 15:01, optionally after a date (2006-01-02 15:01 or 2006年1月2日 15:01), or a range with ~"
			}
			return "must be a date such as 2006-01-02 or 2006年1月2日, optionally with a 24-hour time, or a range with ~"
		case needTime && !hasTime:
			return "needs a time of day (HH:MM)"
		case !needTime && !hasDate:
			return "needs a date"
		}
	}
	return ""
}

// parseMoment reads "[date][ ]?[time]" where date is YYYY-M-D, YYYY/M/D, YYYY.M.D, YYYY年M月D日
// or M月D日, and time is H:MM or H:MM:SS (24-hour).
func parseMoment(s string) (hasDate, hasTime, ok bool) {
	if s == "" {
		return false, false, false
	}
	rest, hasDate, ok := parseDate(s)
	if !ok {
		return false, false, false
	}
	rest = strings.TrimLeft(rest, " ")
	if rest == "" {
		return hasDate, false, hasDate
	}
	if !parseClock(rest) {
		return false, false, false
	}
	return hasDate, true, true
}

// parseDate consumes a leading date, if any, and answers what is left.
func parseDate(s string) (rest string, found, ok bool) {
	y, r := leadingDigits(s)
	switch {
	case len(y) == 4 && r != "" && strings.ContainsRune("-/.", rune(r[0])):
		sep := r[:1]
		m, r2 := leadingDigits(r[1:])
		r2, ok1 := strings.CutPrefix(r2, sep)
		d, r3 := leadingDigits(r2)
		if !ok1 || !validMonthDay(m, d) {
			return "", false, false
		}
		return r3, true, true
	case len(y) == 4 && strings.HasPrefix(r, "年"):
		m, r2 := leadingDigits(strings.TrimPrefix(r, "年"))
		r2, ok1 := strings.CutPrefix(r2, "月")
		d, r3 := leadingDigits(r2)
		r3, ok2 := strings.CutPrefix(r3, "日")
		if !ok1 || !ok2 || !validMonthDay(m, d) {
			return "", false, false
		}
		return r3, true, true
	case len(y) >= 1 && len(y) <= 2 && strings.HasPrefix(r, "月"):
		d, r2 := leadingDigits(strings.TrimPrefix(r, "月"))
		r2, ok1 := strings.CutPrefix(r2, "日")
		if !ok1 || !validMonthDay(y, d) {
			return "", false, false
		}
		return r2, true, true
	}
	return s, false, true
}

func parseClock(s string) bool {
	h, r := leadingDigits(s)
	r, ok := strings.CutPrefix(r, ":")
	if !ok || len(h) < 1 || len(h) > 2 || atoi(h) > 23 {
		return false
	}
	m, r := leadingDigits(r)
	if len(m) != 2 || atoi(m) > 59 {
		return false
	}
	if r == "" {
		return true
	}
	r, ok = strings.CutPrefix(r, ":")
	sec, r := leadingDigits(r)
	return ok && r == "" && len(sec) == 2 && atoi(sec) <= 59
}

func validMonthDay(m, d string) bool {
	return len(m) >= 1 && len(m) <= 2 && len(d) >= 1 && len(d) <= 2 &&
		atoi(m) >= 1 && atoi(m) <= 12 && atoi(d) >= 1 && atoi(d) <= 31
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// atoi of at most a few ASCII digits (callers bound the length).
func atoi(s string) int {
	n := 0
	for _, c := range []byte(s) {
		n = n*10 + int(c-'0')
	}
	return n
}

func allDigits(s string) bool { return s != "" && all(s, isASCIIDigit) }

func all(s string, f func(rune) bool) bool {
	for _, r := range s {
		if !f(r) {
			return false
		}
	}
	return true
}

func isASCIIDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// isASCIIGraphic: a visible ASCII character (no space).
func isASCIIGraphic(r rune) bool { return r > ' ' && r < 0x7f }
