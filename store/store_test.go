package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

func TestMigrateIsIdempotentAndChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if err := s.CheckMigrated(ctx); err != nil {
			t.Fatalf("check: %v", err)
		}
	})
}

func TestCheckMigratedRefusesFreshPostgres(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e.Name != "postgres" {
			continue
		}
		s, err := store.Open(context.Background(), storetest.DSN(t, e), store.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.CheckMigrated(context.Background()); !errors.Is(err, store.ErrNotMigrated) {
			t.Fatalf("want ErrNotMigrated, got %v", err)
		}
	}
}

func TestWithTxRollsBackOnErrorAndPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.WithTx(ctx, func(ctx context.Context) error {
			if _, err := s.CreateBrand(ctx, brands.Brand{Slug: "rb", Name: "Rolled back", OutBillPrefix: "RB", Timezone: "Asia/Shanghai"}); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		func() {
			defer func() { _ = recover() }()
			_ = s.WithTx(ctx, func(ctx context.Context) error {
				if _, err := s.CreateBrand(ctx, brands.Brand{Slug: "rb", Name: "Rolled back", OutBillPrefix: "RB", Timezone: "Asia/Shanghai"}); err != nil {
					t.Fatal(err)
				}
				panic("boom")
			})
		}()
		if _, err := s.BrandBySlug(ctx, "rb"); err == nil {
			t.Fatal("brand survived a rolled-back transaction")
		}
		err = s.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.CreateBrand(ctx, brands.Brand{Slug: "ok", Name: "Committed", OutBillPrefix: "OK", Timezone: "Asia/Shanghai"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.BrandBySlug(ctx, "ok"); err != nil {
			t.Fatalf("committed brand missing: %v", err)
		}
	})
}

// ent's UpdateOne opens its own transaction through the driver; inside WithTx that must join
// the outer transaction (and roll back with it).
func TestUpdateOneInsideWithTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b, err := s.CreateBrand(ctx, brands.Brand{Slug: "u1", Name: "Before", OutBillPrefix: "U1", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		name := "After"
		boom := errors.New("boom")
		err = s.WithTx(ctx, func(ctx context.Context) error {
			if _, err := s.UpdateBrand(ctx, b.ID, brands.BrandPatch{Name: &name}); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if got, _ := s.BrandByID(ctx, b.ID); got.Name != "Before" {
			t.Fatalf("update escaped the rolled-back transaction: %q", got.Name)
		}
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.UpdateBrand(ctx, b.ID, brands.BrandPatch{Name: &name})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.BrandByID(ctx, b.ID); got.Name != "After" {
			t.Fatalf("committed update lost: %q", got.Name)
		}
	})
}
