package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// Retention removes old touches and blanks old client IPs of one brand only; newer rows and
// the other brand's rows stay as they were.
func TestRetentionPurgesTouchesAndForgetsIPs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		mk := func(slug string) string {
			b, err := s.CreateBrand(ctx, brands.Brand{Slug: slug, Name: slug, OutBillPrefix: slug, Timezone: "Asia/Shanghai"})
			if err != nil {
				t.Fatal(err)
			}
			return b.ID
		}
		one, two := mk("ONE"), mk("TWO")
		for _, b := range []string{one, two} {
			for i, age := range []time.Duration{500 * day, 100 * day, 10 * day} {
				at := now.Add(-age)
				if err := s.CreateTouch(ctx, referral.Touch{BrandID: b, LiveID: "live", LinkID: "link", InviterID: "inv",
					VisitorID: "v", Channel: "group", ClientIP: "198.51.100.7", CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CreateReservation(ctx, referral.Reservation{BrandID: b, LiveID: "live", ViewerID: string(rune('a' + i)),
					Code: "c", Channel: "group", Status: referral.ReservationReserved, Risk: referral.RiskClear, ClientIP: "198.51.100.7",
					CreatedAt: at, UpdatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
		}
		count := func(q, brand string) int {
			t.Helper()
			var n int
			if err := s.DB().QueryRowContext(ctx, q, brand).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		touches := func(b string) int { return count(`SELECT COUNT(*) FROM touches WHERE brand_id = $1`, b) }
		withIP := func(b string) int {
			return count(`SELECT COUNT(*) FROM touches WHERE brand_id = $1 AND client_ip <> ''`, b) +
				count(`SELECT COUNT(*) FROM reservations WHERE brand_id = $1 AND client_ip <> ''`, b)
		}

		n, err := s.PurgeTouchesBefore(ctx, one, now.Add(-400*day))
		if err != nil || n != 1 {
			t.Fatalf("purged %d touches (%v), want 1", n, err)
		}
		n, err = s.ForgetClientIPsBefore(ctx, one, now.Add(-30*day))
		if err != nil || n != 3 { // the 100-day touch and the 500- and 100-day reservations
			t.Fatalf("forgot %d addresses (%v), want 3", n, err)
		}
		if touches(one) != 2 || withIP(one) != 2 {
			t.Fatalf("brand one: %d touches, %d rows with an address; want 2 and 2", touches(one), withIP(one))
		}
		if touches(two) != 3 || withIP(two) != 6 {
			t.Fatalf("brand two changed: %d touches, %d rows with an address", touches(two), withIP(two))
		}
		// Running again changes nothing.
		if n, _ := s.PurgeTouchesBefore(ctx, one, now.Add(-400*day)); n != 0 {
			t.Fatalf("second purge removed %d", n)
		}
		if n, _ := s.ForgetClientIPsBefore(ctx, one, now.Add(-30*day)); n != 0 {
			t.Fatalf("second pass changed %d", n)
		}
	})
}
