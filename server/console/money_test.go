package console

import (
	"math"
	"testing"
)

func TestFormatYuan(t *testing.T) {
	tests := map[int64]string{
		0: "0.00", 5: "0.05", 100: "1.00", 123456: "1,234.56", -5: "-0.05", -100000: "-1,000.00",
		math.MaxInt64: "92,233,720,368,547,758.07", math.MinInt64: "-92,233,720,368,547,758.08",
	}
	for fen, want := range tests {
		if got := FormatYuan(fen); got != want {
			t.Errorf("FormatYuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		fen  int64
		okay bool
	}{
		{"12", 1200, true}, {"12.3", 1230, true}, {"12.34", 1234, true}, {" 1,234.50 ", 123450, true}, {".5", 50, true},
		{"0", 0, true}, {"0.01", 1, true}, {"9999999999999.99", 999999999999999, true},
		{"", 0, false}, {".", 0, false}, {"12.", 0, false}, {"1.005", 0, false}, {"-1", 0, false}, {"+1", 0, false},
		{"1e3", 0, false}, {"12.3.4", 0, false}, {"abc", 0, false}, {"10000000000000", 0, false}, {"１２", 0, false},
	}
	for _, tt := range tests {
		fen, ok := ParseYuan(tt.in)
		if ok != tt.okay || fen != tt.fen {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", tt.in, fen, ok, tt.fen, tt.okay)
		}
	}
}

// What the settings form shows, it reads back to the same fen; whatever it accepts is a
// non-negative amount whose display parses back to itself.
func FuzzYuanRoundTrip(f *testing.F) {
	for _, s := range []string{"0", "1.5", "1,234.56", "200.00", ".01", "9999999999999.99", "1.005", "-3", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := ParseYuan(s)
		if !ok {
			return
		}
		if fen < 0 {
			t.Fatalf("ParseYuan(%q) = %d", s, fen)
		}
		back, ok := ParseYuan(FormatYuan(fen))
		if !ok || back != fen {
			t.Fatalf("%q → %d → %q → %d, %v", s, fen, FormatYuan(fen), back, ok)
		}
	})
}
