package referral

import (
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Binding modes (DESIGN §3.4).
const (
	BindFirstTouch = "first_touch" // the first sharer keeps the buyer for good
	BindWindow     = "window"      // a binding lasts WindowDays, then the buyer can be bound again
	BindLastTouch  = "last_touch"  // every new sharer takes the buyer (outside the protection window)
)

const maxBindingDays = 3650

// BindingRules are a brand's binding settings.
type BindingRules struct {
	Mode string `json:"mode"`
	// WindowDays is how long a binding lasts in window mode.
	WindowDays int `json:"window_days"`
	// ProtectionDays: for this long after a binding nobody can take the buyer.
	ProtectionDays int `json:"protection_days"`
	// NewBuyersOnly: only a buyer without an earlier order can be bound.
	NewBuyersOnly bool `json:"new_buyers_only"`
}

// DefaultBindingRules are what a brand has until it sets its own: a 30-day window (CRMEB's
// default), no protection window, every buyer bindable.
func DefaultBindingRules() BindingRules {
	return BindingRules{Mode: BindWindow, WindowDays: 30}
}

// Validate refuses rules that make no sense.
func (r BindingRules) Validate() error {
	bad := func(m string) error { return apperr.New(apperr.Invalid, "INVALID_BINDING_RULES", m) }
	switch r.Mode {
	case BindFirstTouch, BindLastTouch:
		if r.WindowDays != 0 {
			return bad("window_days applies to mode window only")
		}
	case BindWindow:
		if r.WindowDays < 1 || r.WindowDays > maxBindingDays {
			return bad(fmt.Sprintf("window_days must be 1 to %d", maxBindingDays))
		}
		if r.ProtectionDays > r.WindowDays {
			return bad("protection_days cannot exceed window_days")
		}
	default:
		return bad("mode must be first_touch, window or last_touch")
	}
	if r.ProtectionDays < 0 || r.ProtectionDays > maxBindingDays {
		return bad(fmt.Sprintf("protection_days must be 0 to %d", maxBindingDays))
	}
	return nil
}

// Binding is a buyer's relationship with a sharer. SharerID "" means unbound.
type Binding struct {
	BuyerID        string
	SharerID       string
	Mode           string
	BoundAt        time.Time
	ExpiresAt      *time.Time // window mode
	ProtectedUntil *time.Time
	// TouchesThrough is how far the buyer's touches have been folded in.
	TouchesThrough *time.Time
}

// ActiveAt reports whether the binding holds at t.
func (b Binding) ActiveAt(t time.Time) bool {
	return b.SharerID != "" && (b.ExpiresAt == nil || t.Before(*b.ExpiresAt))
}

// BindingOffer is a chance for a sharer to bind a buyer: a touch (the buyer opened the
// sharer's link) or an order the platform or a share code attributed to the sharer.
type BindingOffer struct {
	SharerID string
	At       time.Time
	// Loop: the sharer is (through bindings) bound to the buyer, so binding would close a loop.
	Loop bool
	// BuyerOrderedBefore: the buyer has a paid order before At (for NewBuyersOnly).
	BuyerOrderedBefore bool
}

// BindingDecision says what an offer does.
type BindingDecision struct {
	Bind   bool
	Next   Binding
	Reason string
}

// Offer decides whether an offer binds the buyer (pure). Self-binding and loops are refused;
// an active binding is kept in first_touch mode, while protected, and (window mode) until it
// expires; last_touch takes the buyer otherwise. NewBuyersOnly refuses to bind an unbound
// buyer who ordered before.
func (r BindingRules) Offer(cur Binding, o BindingOffer) BindingDecision {
	keep := func(reason string) BindingDecision { return BindingDecision{Next: cur, Reason: reason} }
	switch {
	case o.SharerID == "":
		return keep("no sharer")
	case o.SharerID == cur.BuyerID:
		return keep("self-binding refused")
	case o.Loop:
		return keep("refused: the sharer is bound to this buyer (loop)")
	}
	active := cur.ActiveAt(o.At)
	if active {
		switch {
		case cur.SharerID == o.SharerID:
			return keep("already bound to this sharer")
		case cur.ProtectedUntil != nil && o.At.Before(*cur.ProtectedUntil):
			return keep("binding protected until " + cur.ProtectedUntil.UTC().Format(time.RFC3339))
		case r.Mode == BindFirstTouch:
			return keep("bound for good (first_touch)")
		case r.Mode == BindWindow && cur.ExpiresAt != nil:
			return keep("bound until " + cur.ExpiresAt.UTC().Format(time.RFC3339) + " (window)")
		case r.Mode == BindWindow:
			return keep("bound (window; the binding was made without an end)")
		}
	} else if r.NewBuyersOnly && o.BuyerOrderedBefore {
		return keep("not a new buyer (new_buyers_only)")
	}
	next := Binding{BuyerID: cur.BuyerID, SharerID: o.SharerID, Mode: r.Mode, BoundAt: o.At, TouchesThrough: cur.TouchesThrough}
	if r.Mode == BindWindow {
		e := o.At.Add(time.Duration(r.WindowDays) * 24 * time.Hour)
		next.ExpiresAt = &e
	}
	if r.ProtectionDays > 0 {
		p := o.At.Add(time.Duration(r.ProtectionDays) * 24 * time.Hour)
		next.ProtectedUntil = &p
	}
	reason := "bound (" + r.Mode + ")"
	switch {
	case cur.SharerID == "":
	case !active:
		reason = "re-bound after the previous binding expired (" + r.Mode + ")"
	default:
		reason = "taken over from the previous sharer (" + r.Mode + ")"
	}
	return BindingDecision{Bind: true, Next: next, Reason: reason}
}
