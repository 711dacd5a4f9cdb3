package leaderboard

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestCleanName(t *testing.T) {
	long := strings.Repeat("长", 100)
	cases := []struct{ name, in, want string }{
		{"plain Chinese", "张三", "张三"},
		{"trims and collapses white space", "  张 \t\n 三  ", "张 三"},
		{"line breaks cannot split a message", "第一行\r\n第二行\u2028第三行", "第一行 第二行 第三行"},
		{"control characters go", "a\x00b\x07c\x1bd", "abcd"},
		{"bidi overrides and isolates go", "\u202Eevil\u202C\u2066x\u2069\u200Fy", "evilxy"},
		{"zero-width tricks go", "a\u200Bb\uFEFFc\u00ADd", "abcd"},
		{"emoji ZWJ sequences stay whole", "👨‍👩‍👧‍👦 家", "👨‍👩‍👧‍👦 家"},
		{"subdivision flags keep their tags", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{"keycaps keep their marks", "1\uFE0F\u20E3", "1\uFE0F\u20E3"},
		{"zalgo is capped", "a" + strings.Repeat("\u0301", 40), "a\u0301\u0301\u0301"},
		{"invalid UTF-8 goes", "ok\xff\xfe!", "ok!"},
		{"private use goes", "a\uE000b", "ab"},
		{"at most 64 characters", long, strings.Repeat("长", 64)},
		{"RTL text stays (isolated at render time)", "مرحبا", "مرحبا"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanName(tc.in); got != tc.want {
				t.Fatalf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestShownNameAndMasking(t *testing.T) {
	cases := []struct {
		row  Row
		p    Privacy
		want string
	}{
		{Row{Name: "张三"}, PrivacyNickname, "张三"},
		{Row{Name: "张三"}, PrivacyMasked, "张*"},
		{Row{Name: "Alice"}, PrivacyMasked, "A*"},
		{Row{Name: "👨‍👩‍👧 family"}, PrivacyMasked, "👨‍👩‍👧*"},
		{Row{Name: "张三"}, PrivacyRankOnly, ""},
		{Row{Name: "张三", Anonymous: true}, PrivacyNickname, Anonymous},
		{Row{Name: "张三", Anonymous: true}, PrivacyMasked, Anonymous},
		{Row{Name: " \u202E\n "}, PrivacyNickname, Anonymous},
	}
	for _, tc := range cases {
		if got := ShownName(tc.row, tc.p); got != tc.want {
			t.Errorf("ShownName(%+v, %s) = %q, want %q", tc.row, tc.p, got, tc.want)
		}
	}
	for _, in := range []string{"", "nickname", "masked", "rank_only"} {
		if _, ok := ParsePrivacy(in); !ok {
			t.Errorf("ParsePrivacy(%q) refused", in)
		}
	}
	if _, ok := ParsePrivacy("NICKNAME"); ok {
		t.Error("ParsePrivacy accepted an unknown mode")
	}
}

// The invariants every output relies on, for any input.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"张三", "a\nb", "\u202Eabc", "👨‍👩‍👧‍👦", "\xff\xfe", strings.Repeat("x\u0301\u0302\u0303\u0304", 30), "مرحبا Ali"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanName(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", in)
		}
		if uniseg.GraphemeClusterCount(out) > maxNameClusters {
			t.Fatalf("%d clusters from %q", uniseg.GraphemeClusterCount(out), in)
		}
		for _, r := range out {
			if unicode.Is(unicode.Cc, r) || (unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c' && !(r >= 0xE0020 && r <= 0xE007F)) {
				t.Fatalf("format/control %U left in %q (from %q)", r, out, in)
			}
		}
		if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
			t.Fatalf("untrimmed white space in %q", out)
		}
		if again := CleanName(out); again != out {
			t.Fatalf("not idempotent: %q → %q", out, again)
		}
	})
}
