package store_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
)

// stallStore runs stall once, before the first transaction of the request using it: the
// moment a slow first request would be between storing its in-flight record and its work.
type stallStore struct {
	payouts.PayoutStore
	stall func()
}

func (s *stallStore) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if f := s.stall; f != nil {
		s.stall = nil
		f()
	}
	return s.PayoutStore.WithTx(ctx, fn)
}

// A first request stalls past the stale-lock window after storing its in-flight record; a
// retry with the same key takes the key over and finishes. When the first wakes up it must
// not create a second payout nor store a second answer: it answers the retry's answer.
func TestPayoutIdempotencyTakeoverStopsTheFirstRequest(t *testing.T) {
	tests := []struct {
		name string
		// freezeDuringRetry: the member is frozen while the retry runs (it is refused).
		freezeDuringRetry bool
		wantStatus        int
		wantPayouts       int
		wantHeld          int64
	}{
		// The retry creates the payout: the first one's insert meets the unique key index.
		{name: "retry created the payout", wantStatus: http.StatusCreated, wantPayouts: 1, wantHeld: 1_000},
		// The retry was refused (member frozen meanwhile) and stored that 422; the member is
		// active again when the first wakes, so only the guarded finish can stop it.
		{name: "retry stored a refusal", freezeDuringRetry: true, wantStatus: http.StatusUnprocessableEntity, wantPayouts: 0, wantHeld: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachPayWorld(t, func(t *testing.T, w *payWorld) {
				a := w.member("A")
				w.fund(a, 10_000)
				setStatus := func(from, to string) {
					if ok, err := w.st.Orders().SetMemberStatus(w.ctx, w.brand.ID, a.ID, from, to); err != nil || !ok {
						t.Fatalf("member %s → %s: %v %v", from, to, ok, err)
					}
				}
				var retry payouts.Answer
				slow := *w.svc
				slow.Store = &stallStore{PayoutStore: w.svc.Store, stall: func() {
					w.clk.Advance(2 * time.Minute) // the first request looks dead now
					if tt.freezeDuringRetry {
						setStatus(referral.StatusActive, referral.StatusFrozen)
					}
					retry = w.request(a, 1_000, "same-key")
					if tt.freezeDuringRetry {
						setStatus(referral.StatusFrozen, referral.StatusActive)
					}
				}}
				first, err := slow.Request(w.ctx, w.brand.ID, a.ID, 1_000, "same-key", bodyHash(1_000), render)
				if err != nil {
					t.Fatalf("first request: %v", err)
				}
				if retry.Status != tt.wantStatus || retry.Replayed {
					t.Fatalf("retry answered %d %s (replayed %v), want a fresh %d", retry.Status, retry.Body, retry.Replayed, tt.wantStatus)
				}
				if !first.Replayed || first.Status != retry.Status || string(first.Body) != string(retry.Body) || first.Payout.ID != "" {
					t.Fatalf("first request answered %d %s (replayed %v, payout %q); want the retry's answer %d %s",
						first.Status, first.Body, first.Replayed, first.Payout.ID, retry.Status, retry.Body)
				}
				ps, _, err := w.svc.ListMember(w.ctx, w.brand.ID, a.ID, "", payouts.Page{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != tt.wantPayouts {
					t.Fatalf("%d payouts for one key, want %d: %+v", len(ps), tt.wantPayouts, ps)
				}
				w.wantMoney(a, 10_000-tt.wantHeld, tt.wantHeld, 0)
				if again := w.request(a, 1_000, "same-key"); !again.Replayed || string(again.Body) != string(retry.Body) {
					t.Fatalf("later replay %+v, want the retry's answer", again)
				}
				w.verify()
				t.Logf("%s: retry %d %s; first request replayed it; payouts %d, held %d", tt.name, retry.Status, retry.Body, len(ps), tt.wantHeld)
			})
		})
	}
}
