package simulator

import (
	"strconv"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// The code table never grows past maxCodes: expired codes go first, then the oldest.
func TestCodesStayBounded(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFixed(t0)
	s, err := New(Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	issue := func(name string, at time.Time) {
		s.codes[name] = &loginCode{appID: DemoAppID, openID: "o1", expiresAt: at.Add(codeTTL)}
		s.codeOrder = append(s.codeOrder, name)
	}
	// A full table: ten codes from t0 (they will be expired), the rest from a minute later.
	for i := range maxCodes {
		at := t0.Add(time.Minute)
		if i < 10 {
			at = t0
		}
		issue("c"+strconv.Itoa(i), at)
	}
	clk.Advance(codeTTL) // the first ten have expired, the rest have a minute left

	s.mu.Lock()
	s.pruneCodes(clk.Now())
	s.mu.Unlock()
	if len(s.codes) != maxCodes-10 || len(s.codeOrder) != maxCodes-10 {
		t.Fatalf("after pruning expired: %d codes, %d in order", len(s.codes), len(s.codeOrder))
	}
	if _, ok := s.codes["c10"]; !ok {
		t.Fatal("a live code was dropped while expired ones were enough")
	}

	for i := range 10 {
		issue("d"+strconv.Itoa(i), clk.Now())
	}
	// Full again, with live codes only: the next issue drops the oldest live one.
	s.mu.Lock()
	s.pruneCodes(clk.Now())
	s.mu.Unlock()
	if len(s.codes) != maxCodes-1 {
		t.Fatalf("full of live codes: %d after pruning, want %d", len(s.codes), maxCodes-1)
	}
	if _, ok := s.codes["c10"]; ok {
		t.Fatal("the oldest code survived")
	}
	if _, ok := s.codes["c11"]; !ok {
		t.Fatal("more than the oldest code was dropped")
	}
}
