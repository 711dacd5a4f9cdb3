package referral

import (
	"strings"
	"time"
)

// Attribution rules: which rule decided who an order belongs to.
const (
	RulePlatformSharer = "platform_sharer" // Channels sharer_info on the order
	RuleShareCode      = "share_code"      // the share_code the brand's system sent
	RuleBinding        = "binding"         // the buyer's binding
	RuleLastTouch      = "last_touch"      // the buyer's last touch inside the live's window
	RuleNone           = "none"            // nobody
	RuleAdmin          = "admin"           // an admin reassigned the order
)

// Candidate is a member the attribution may pick, with why it may not (Skip ≠ "").
type Candidate struct {
	MemberID string
	Skip     string // e.g. "the member is banned"
	Detail   string // what identifies it: the code, the touch time, the binding mode
}

// AttributionInput is every candidate of an order, already looked up.
type AttributionInput struct {
	// Platform is the sharer the Channels shop reported; PlatformGiven says one was reported
	// even if no member matched it.
	Platform      Candidate
	PlatformGiven bool
	// ShareCode is the owner of the share_code the brand's system sent; ShareCodeGiven as above.
	ShareCode      Candidate
	ShareCodeGiven bool
	Binding        Candidate // the buyer's binding at payment
	LastTouch      Candidate // the buyer's last touch inside the live's window
}

// Attribution is the decision stored on the order.
type Attribution struct {
	MemberID string
	Rule     string
	Reason   string
}

// Attribute decides an order's beneficiary (pure; DESIGN §3.4): (a) the sharer the platform
// reports or the share code the brand sends, else (b) the buyer's binding, else (c) the last
// touch inside the live's window. The reason names the rule that decided and every candidate
// passed over, so "why did this order go to whom" has an answer.
func Attribute(in AttributionInput) Attribution {
	var notes []string
	try := func(c Candidate, given bool, rule, label string) (Attribution, bool) {
		switch {
		case c.MemberID != "" && c.Skip == "":
			reason := label
			if c.Detail != "" {
				reason += " " + c.Detail
			}
			return Attribution{MemberID: c.MemberID, Rule: rule, Reason: reason}, true
		case c.MemberID != "":
			notes = append(notes, label+" passed over: "+c.Skip)
		case given:
			msg := label + " not matched to a member"
			if c.Skip != "" {
				msg = label + " not usable: " + c.Skip
			}
			notes = append(notes, msg)
		}
		return Attribution{}, false
	}
	steps := []struct {
		c     Candidate
		given bool
		rule  string
		label string
	}{
		{in.Platform, in.PlatformGiven, RulePlatformSharer, "sharer reported by the platform"},
		{in.ShareCode, in.ShareCodeGiven, RuleShareCode, "share code"},
		{in.Binding, false, RuleBinding, "the buyer's binding"},
		{in.LastTouch, false, RuleLastTouch, "the buyer's last touch in the live window"},
	}
	for _, s := range steps {
		if a, ok := try(s.c, s.given, s.rule, s.label); ok {
			if len(notes) > 0 {
				a.Reason += "; " + strings.Join(notes, "; ")
			}
			return a
		}
	}
	reason := "no sharer on the order, no binding, no touch in the live window"
	if len(notes) > 0 {
		reason += "; " + strings.Join(notes, "; ")
	}
	return Attribution{Rule: RuleNone, Reason: reason}
}

// formatTime is how reasons show times.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
