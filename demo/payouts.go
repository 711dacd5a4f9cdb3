package demo

import (
	"context"
	"errors"
	"net/http"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
)

// DemoPayoutFen is the demo payout: above the default auto-approve threshold (50 yuan), so it
// waits for review in the console and GET /admin/v1/payouts?status=requested.
const DemoPayoutFen = 8_000

// SeedPayout gives the demo brand one payout waiting for review: the top demo inviter gets a
// leaderboard prize (a ledger adjustment) and requests a payout of part of it, through the same
// use cases as the mini-program and the admin API. It runs once, right after Seed created the
// brand; without the demo inviter it does nothing.
func SeedPayout(ctx context.Context, st *store.Store, book *payouts.Book, svc *payouts.Payouts, brandID string) error {
	if book == nil || svc == nil {
		return nil
	}
	m, err := st.MemberByOpenID(ctx, brandID, "demo-inviter-00")
	if errors.Is(err, referral.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, _, err := book.Adjust(ctx, brands.CLIActor, brands.RoleOwner, brandID, payouts.AdjustInput{MemberID: m.ID,
		Kind: payouts.AdjustPrize, AmountFen: 20_000, Reason: "demo: leaderboard prize", IdempotencyKey: "demo-seed-prize"}); err != nil {
		return err
	}
	ans, err := svc.Request(ctx, brandID, m.ID, DemoPayoutFen, "demo-seed-payout", "demo-seed-payout",
		func(p payouts.Payout, err error) (int, []byte) {
			if err != nil {
				return http.StatusUnprocessableEntity, []byte(`{"code":"` + apperr.CodeOf(err) + `"}`)
			}
			return http.StatusCreated, []byte(`{"payout":{"id":"` + p.ID + `"}}`)
		})
	if err != nil {
		return err
	}
	if ans.Status != http.StatusCreated {
		return errors.New("demo payout refused: " + string(ans.Body))
	}
	return nil
}
