package payouts

import (
	"fmt"
	"testing"
)

// TestTransitionTable walks every (from, to) pair of statuses: exactly the seven pairs of
// DESIGN §3.6 are legal; every other pair, including staying put, is illegal.
func TestTransitionTable(t *testing.T) {
	want := map[string]bool{
		"requested→approved":  true,
		"requested→rejected":  true,
		"approved→submitted":  true,
		"approved→failed":     true,
		"submitted→paid":      true,
		"submitted→failed":    true,
		"submitted→cancelled": true,
	}
	legalSeen, pairs := 0, 0
	for _, from := range PayoutStatuses {
		for _, to := range PayoutStatuses {
			pairs++
			key := from + "→" + to
			t.Run(key, func(t *testing.T) {
				got := CanTransition(from, to)
				if got != want[key] {
					t.Fatalf("CanTransition(%s, %s) = %v, want %v", from, to, got, want[key])
				}
			})
			if want[key] {
				legalSeen++
			}
		}
	}
	if pairs != 49 || legalSeen != 7 {
		t.Fatalf("walked %d pairs with %d legal; want 49 and 7", pairs, legalSeen)
	}
	// Unknown statuses never move.
	for _, s := range append(PayoutStatuses, "", "bogus") {
		if CanTransition("bogus", s) || CanTransition(s, "bogus") {
			t.Fatalf("a transition with an unknown status was allowed (%q)", s)
		}
	}
	t.Logf("status table: %d pairs checked, %d legal, %d illegal", pairs, legalSeen, pairs-legalSeen)
}

// TestFinalStatusesNeverMove: from a final status there is no legal move; only rejected,
// failed and cancelled release the hold.
func TestFinalStatusesNeverMove(t *testing.T) {
	for _, from := range PayoutStatuses {
		if !PayoutFinal(from) {
			continue
		}
		for _, to := range PayoutStatuses {
			if CanTransition(from, to) {
				t.Fatalf("final %s may move to %s", from, to)
			}
		}
	}
	for _, s := range PayoutStatuses {
		want := s == PayoutRejected || s == PayoutFailed || s == PayoutCancelled
		if ReleasesHold(s) != want {
			t.Fatalf("ReleasesHold(%s) = %v", s, !want)
		}
	}
}

func TestStatusForBill(t *testing.T) {
	cases := map[string]string{
		BillAccepted: PayoutSubmitted, BillProcessing: PayoutSubmitted, BillWaitUserConfirm: PayoutSubmitted,
		BillTransfering: PayoutSubmitted, BillCanceling: PayoutSubmitted,
		BillSuccess: PayoutPaid, BillFail: PayoutFailed, BillCancelled: PayoutCancelled,
	}
	for state, want := range cases {
		if !BillKnown(state) {
			t.Fatalf("%s not known", state)
		}
		if got := StatusForBill(state); got != want {
			t.Fatalf("StatusForBill(%s) = %s, want %s", state, got, want)
		}
		if BillFinal(state) != (want != PayoutSubmitted) {
			t.Fatalf("BillFinal(%s) wrong", state)
		}
		// Every bill outcome is reachable from submitted by a legal move (or is submitted).
		if want != PayoutSubmitted && !CanTransition(PayoutSubmitted, want) {
			t.Fatal(fmt.Sprintf("submitted→%s must be legal", want))
		}
	}
	if BillKnown("DONE") {
		t.Fatal("DONE is not a WeChat state")
	}
}
