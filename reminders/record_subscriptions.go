package reminders

import (
	"context"
	"maps"
	"slices"

	"github.com/sharecast/sharecast/apperr"
)

// What wx.requestSubscribeMessage answers per template (WECHAT.md §2).
const (
	ResultAccept = "accept"
	ResultReject = "reject"
	ResultBan    = "ban"
	ResultFilter = "filter"
)

const (
	// maxResultsPerReport: WeChat asks for at most 3 templates per call; a little room for a
	// client that merges a few calls into one report.
	maxResultsPerReport = 10
	// maxAvailableCredits bounds what one member can hold for one template; WeChat documents
	// no cap, and a forged report must not grow the table without end. Accepts beyond it
	// are ignored.
	maxAvailableCredits = 50
)

// CreditCount is how many messages of a template sharecast may still send to a member.
type CreditCount struct {
	TemplateID string
	Available  int
}

// RecordResults stores what the member answered in wx.requestSubscribeMessage: every
// "accept" is one credit (one later message); "ban" (the member switched the template off)
// voids the credits held; "reject" and "filter" change nothing. The client's errMsg key is
// ignored. It answers the member's available credits for the templates named.
func (s *Service) RecordResults(ctx context.Context, brandID, memberID string, results map[string]string) ([]CreditCount, error) {
	results = maps.Clone(results)
	delete(results, "errMsg")
	if len(results) == 0 || len(results) > maxResultsPerReport {
		return nil, apperr.InvalidArgument("results must hold 1 to 10 template ids, each with accept, reject, ban or filter")
	}
	ids := slices.Sorted(maps.Keys(results))
	for _, id := range ids {
		if !templateIDRe.MatchString(id) {
			return nil, apperr.InvalidArgument("results: " + quoteShort(id) + " is not a template id")
		}
		switch results[id] {
		case ResultAccept, ResultReject, ResultBan, ResultFilter:
		default:
			return nil, apperr.InvalidArgument("results." + id + " must be accept, reject, ban or filter")
		}
	}
	var out []CreditCount
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		have, err := s.Store.CountSubscribeCredits(ctx, brandID, memberID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			switch results[id] {
			case ResultAccept:
				if have[id] < maxAvailableCredits {
					if err := s.Store.AddSubscribeCredits(ctx, brandID, memberID, id, 1, now); err != nil {
						return err
					}
				}
			case ResultBan:
				if _, err := s.Store.VoidSubscribeCredits(ctx, brandID, memberID, id, now); err != nil {
					return err
				}
			}
		}
		counts, err := s.Store.CountSubscribeCredits(ctx, brandID, memberID, ids)
		if err != nil {
			return err
		}
		out = make([]CreditCount, len(ids))
		for i, id := range ids {
			out[i] = CreditCount{TemplateID: id, Available: counts[id]}
		}
		return nil
	})
	return out, err
}

// MemberTemplate is a template the mini-program should ask the member to subscribe to, with
// the credits the member holds for it.
type MemberTemplate struct {
	Purpose    Purpose
	TemplateID string
	Available  int
}

// MemberTemplates lists the brand's templates with the member's available credits, so the
// mini-program knows which template ids to pass to wx.requestSubscribeMessage.
func (s *Service) MemberTemplates(ctx context.Context, brandID, memberID string) ([]MemberTemplate, error) {
	ts, err := s.Store.SubscribeTemplates(ctx, brandID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.TemplateID
	}
	counts, err := s.Store.CountSubscribeCredits(ctx, brandID, memberID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]MemberTemplate, len(ts))
	for i, t := range ts {
		out[i] = MemberTemplate{Purpose: t.Purpose, TemplateID: t.TemplateID, Available: counts[t.TemplateID]}
	}
	return out, nil
}

// quoteShort quotes an input for an error message, cut to a readable length.
func quoteShort(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return `"` + s + `"`
}
