package leaderboard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/bidi"
)

// ParsePrivacy reads a privacy mode; "" is PrivacyNickname.
func ParsePrivacy(s string) (Privacy, bool) {
	switch Privacy(s) {
	case "":
		return PrivacyNickname, true
	case PrivacyNickname, PrivacyMasked, PrivacyRankOnly:
		return Privacy(s), true
	}
	return "", false
}

// maxNameClusters caps a shown name: nicknames are at most 64 characters, and nothing longer
// may reach an output even if a store hands one over.
const maxNameClusters = 64

// maxMarksInRow caps combining marks after one character, so "Zalgo" text cannot grow a line
// upwards and downwards over its neighbours. Three keeps keycaps (1️⃣ = 1 + VS16 + U+20E3) and
// every real script.
const maxMarksInRow = 3

// CleanName makes a nickname safe to place in any output: invalid UTF-8, control and format
// characters (line breaks, bidi overrides and isolates, zero-width tricks) are dropped, runs of
// white space become one space, combining marks are capped, and the result is at most 64
// grapheme clusters. Joiners and emoji tag characters stay, so emoji sequences survive.
func CleanName(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	space, marks := false, 0
	for _, r := range s {
		switch {
		case r == '\u200d' || r == '\u200c': // ZWJ / ZWNJ: emoji sequences and Indic scripts
		case r >= 0xE0020 && r <= 0xE007F: // tag characters: subdivision flags
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			space = true
			continue
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
			r == utf8.RuneError, r == '\uFFFC':
			continue
		}
		if unicode.In(r, unicode.Mn, unicode.Me) {
			if marks >= maxMarksInRow {
				continue
			}
			marks++
		} else {
			marks = 0
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	if uniseg.GraphemeClusterCount(out) > maxNameClusters {
		out = strings.TrimRight(firstClusters(out, maxNameClusters), " ")
	}
	return out
}

// firstClusters returns the first n grapheme clusters of s.
func firstClusters(s string, n int) string {
	g := uniseg.NewGraphemes(s)
	end := 0
	for i := 0; i < n && g.Next(); i++ {
		_, end = g.Positions()
	}
	return s[:end]
}

// Masked shows the first character and a star: 张三 → 张*, Alice → A*.
func Masked(name string) string {
	if name == "" {
		return "*"
	}
	return firstClusters(name, 1) + "*"
}

// ShownName is how row appears under privacy p: "" for PrivacyRankOnly, Anonymous for members
// who opted out, the cleaned nickname or its masked form otherwise. An empty nickname shows
// as Anonymous rather than as a hole in the layout.
func ShownName(r Row, p Privacy) string {
	if p == PrivacyRankOnly {
		return ""
	}
	name := CleanName(r.Name)
	if r.Anonymous || name == "" || name == Anonymous {
		return Anonymous
	}
	if p == PrivacyMasked {
		return Masked(name)
	}
	return name
}

// hasRTL reports whether s holds right-to-left letters (Arabic, Hebrew, …), which would
// otherwise pull the rank and the count around them into right-to-left order.
func hasRTL(s string) bool {
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		if c := p.Class(); c == bidi.R || c == bidi.AL {
			return true
		}
	}
	return false
}

// Bidi isolation for plain-text outputs: FSI … PDI keeps a right-to-left name from reordering
// the rest of its line; the LRMs make the line left-to-right on renderers that predate
// isolates (Unicode 6.3).
const (
	lrm = "\u200e"
	fsi = "\u2068"
	pdi = "\u2069"
)

// isolate wraps an RTL name for a plain-text line; other names pass unchanged.
func isolate(name string) string {
	if !hasRTL(name) {
		return name
	}
	return fsi + name + pdi + lrm
}
