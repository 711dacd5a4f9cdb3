package payouts

import (
	"context"

	"github.com/sharecast/sharecast/apperr"
)

// MemberCommissions lists a member's commissions, newest first; status "" means every status.
func (b *Book) MemberCommissions(ctx context.Context, brandID, memberID, status string, p Page) ([]Commission, string, error) {
	switch status {
	case "", StatusPending, StatusAvailable, StatusReversed:
	default:
		return nil, "", apperr.InvalidArgument("status must be pending, available or reversed")
	}
	return b.Store.ListMemberCommissions(ctx, brandID, memberID, status, p)
}
