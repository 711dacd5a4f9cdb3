package leaderboard

import (
	"testing"
	"time"
)

var origin = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestPackOrdersByCountThenEarliest(t *testing.T) {
	cases := []struct {
		name         string
		hiN, loN     int64
		hiSec, loSec int
	}{
		{"more wins", 3, 2, 1000, 0},
		{"earlier wins at equal count", 2, 2, 10, 11},
		{"one beats none", 1, 0, 4_000_000, 0},
		{"the top count still orders by time", MaxCount, MaxCount, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hi, err := Pack(tc.hiN, origin.Add(time.Duration(tc.hiSec)*time.Second), origin)
			if err != nil {
				t.Fatal(err)
			}
			lo, err := Pack(tc.loN, origin.Add(time.Duration(tc.loSec)*time.Second), origin)
			if err != nil {
				t.Fatal(err)
			}
			if !(hi > lo) {
				t.Fatalf("%v should rank above %v", hi, lo)
			}
		})
	}
	if _, err := Pack(MaxCount+1, origin, origin); err == nil {
		t.Fatal("a count beyond 2^21-1 cannot be exact")
	}
	if s, _ := Pack(0, origin, origin); s != 0 {
		t.Fatal("zero packs to zero (off the board)")
	}
}

// FuzzPackRoundTrip: every packable standing unpacks to itself, exactly (float64 holds it).
func FuzzPackRoundTrip(f *testing.F) {
	f.Add(int64(1), int64(0))
	f.Add(int64(MaxCount), int64(1<<32-1))
	f.Add(int64(7), int64(-5))
	f.Fuzz(func(t *testing.T, n, secs int64) {
		if n < 1 || n > MaxCount {
			t.Skip()
		}
		s, err := Pack(n, origin.Add(time.Duration(secs)*time.Second), origin)
		if err != nil {
			t.Fatal(err)
		}
		gotN, gotSecs := Unpack(s)
		want := min(max(secs, 0), 1<<32-1)
		if gotN != n || gotSecs != want {
			t.Fatalf("Pack(%d, %d) → %v → (%d, %d)", n, secs, s, gotN, gotSecs)
		}
	})
}

func TestReadRequestKey(t *testing.T) {
	for _, tc := range []struct {
		r  ReadRequest
		ok bool
	}{
		{ReadRequest{LiveID: "l"}, true},
		{ReadRequest{LiveID: "l", Window: WindowIgnition}, true},
		{ReadRequest{LiveID: "l", Group: "g"}, true},
		{ReadRequest{LiveID: "l", Window: WindowIgnition, Group: "g"}, false},
		{ReadRequest{LiveID: "l", Window: "week"}, false},
	} {
		if _, err := tc.r.key(); (err == nil) != tc.ok {
			t.Errorf("%+v: err %v", tc.r, err)
		}
	}
}
