package auth_test

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

func randomKey(t testing.TB) auth.Key {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return auth.NewKey(b)
}

// testNow is whole seconds so every engine stores it exactly.
var testNow = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func newBrand(t *testing.T, s *store.Store) string {
	t.Helper()
	b, err := s.CreateBrand(context.Background(), brands.Brand{Slug: "tok", Name: "Tokens", OutBillPrefix: "TOK", Timezone: "Asia/Shanghai", Rules: brands.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func idOf(t *testing.T, token string) string {
	t.Helper()
	id, _, ok := auth.SplitToken(token)
	if !ok {
		t.Fatalf("token %q does not split", token)
	}
	return id
}

func wantUnauthenticated(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want 401, got nil error")
	}
	if k := apperr.KindOf(err); k != apperr.Unauthenticated {
		t.Fatalf("want kind Unauthenticated, got %v (%v)", k, err)
	}
}

func TestRefreshConcurrentExactlyOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := clock.NewFixed(testNow)
		iss := auth.NewIssuer(randomKey(t), clk, s)
		brandID := newBrand(t, s)
		first, err := iss.Issue(ctx, brandID, "member-1")
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			pairs = make([]auth.Pair, n)
			errs  = make([]error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				pairs[i], errs[i] = iss.Refresh(ctx, first.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("refresh %d: %v", i, errs[i])
			}
			if pairs[i] != pairs[0] {
				t.Fatalf("refresh %d got a different pair:\n%+v\n%+v", i, pairs[i], pairs[0])
			}
		}
		got := pairs[0]
		if got.RefreshToken == first.RefreshToken || got.AccessToken == first.AccessToken {
			t.Fatal("refresh did not rotate the tokens")
		}
		if got.BrandID != brandID || got.MemberID != "member-1" || got.ExpiresIn != 3600 {
			t.Fatalf("pair = %+v", got)
		}

		succID := idOf(t, got.RefreshToken)
		succ, err := s.RefreshTokenByID(ctx, succID)
		if err != nil {
			t.Fatalf("successor row: %v", err)
		}
		orig, err := s.RefreshTokenByID(ctx, idOf(t, first.RefreshToken))
		if err != nil {
			t.Fatal(err)
		}
		if orig.UsedAt == nil || orig.ReplacedBy != succID {
			t.Fatalf("original not marked used by the successor: used_at=%v replaced_by=%q", orig.UsedAt, orig.ReplacedBy)
		}
		if succ.FamilyID != orig.FamilyID || succ.UsedAt != nil || succ.RevokedAt != nil {
			t.Fatalf("successor = %+v", succ)
		}
		// Exactly one successor: the only id derivable is succID, and rotating it (once) works.
		if succ.ID != succID || orig.ReplacedBy != succ.ID {
			t.Fatal("more than one successor")
		}
		if _, err := iss.VerifyAccess(got.AccessToken); err != nil {
			t.Fatalf("access token of the refreshed pair: %v", err)
		}
	})
}

func TestRefreshReuseAfterGraceRevokesFamily(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := clock.NewFixed(testNow)
		iss := auth.NewIssuer(randomKey(t), clk, s)
		brandID := newBrand(t, s)
		first, err := iss.Issue(ctx, brandID, "member-1")
		if err != nil {
			t.Fatal(err)
		}
		second, err := iss.Refresh(ctx, first.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		// Inside the grace window (exactly 30 s) a repeat still gets the same pair.
		clk.Advance(30 * time.Second)
		again, err := iss.Refresh(ctx, first.RefreshToken)
		if err != nil || again != second {
			t.Fatalf("repeat inside grace: %v, same=%v", err, again == second)
		}
		clk.Advance(1 * time.Second) // 31 s after use
		_, err = iss.Refresh(ctx, first.RefreshToken)
		wantUnauthenticated(t, err)
		if !strings.Contains(err.Error(), "already used") {
			t.Fatalf("reuse error = %v", err)
		}
		_, err = iss.Refresh(ctx, second.RefreshToken)
		wantUnauthenticated(t, err)
		succ, err := s.RefreshTokenByID(ctx, idOf(t, second.RefreshToken))
		if err != nil {
			t.Fatal(err)
		}
		if succ.RevokedAt == nil {
			t.Fatal("successor not revoked with its family")
		}
	})
}

func TestRefreshRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := clock.NewFixed(testNow)
		iss := auth.NewIssuer(randomKey(t), clk, s)
		brandID := newBrand(t, s)
		p, err := iss.Issue(ctx, brandID, "member-1")
		if err != nil {
			t.Fatal(err)
		}
		id := idOf(t, p.RefreshToken)
		for name, tok := range map[string]string{
			"malformed":     "no-dot-here",
			"unknown id":    "00000000000000000000000000000000.secret",
			"wrong secret":  id + ".wrong-secret",
			"empty":         "",
			"access as rt":  p.AccessToken,
			"secret alone.": "." + strings.SplitN(p.RefreshToken, ".", 2)[1],
		} {
			t.Run(name, func(t *testing.T) {
				_, err := iss.Refresh(ctx, tok)
				wantUnauthenticated(t, err)
			})
		}
		t.Run("expired", func(t *testing.T) {
			clk.Advance(iss.RefreshTTL)
			_, err := iss.Refresh(ctx, p.RefreshToken)
			wantUnauthenticated(t, err)
		})
	})
}
