package brands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

const ownerPassword = "correct-horse-battery"

func newService(t *testing.T, s *store.Store) (*brands.Service, *clock.Fixed) {
	t.Helper()
	box, err := secrets.New(bytes.Repeat([]byte{42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(t0)
	return &brands.Service{Store: s, Sealer: box, Passwords: auth.Passwords{Cost: 4},
		Attempts: storetest.Redis(t, ""), Clock: clk}, clk
}

func mustBrand(t *testing.T, svc *brands.Service, slug string) brands.Brand {
	t.Helper()
	b, err := svc.CreateBrand(context.Background(), brands.CLIActor, brands.NewBrandInput{Slug: slug, Name: "Brand " + slug})
	if err != nil {
		t.Fatalf("CreateBrand(%s): %v", slug, err)
	}
	return b
}

func mustAdmin(t *testing.T, svc *brands.Service, brandID, username, role string) brands.Admin {
	t.Helper()
	a, err := svc.CreateAdmin(context.Background(), brands.CLIActor, brandID, brands.NewAdminInput{Username: username, Password: ownerPassword, Role: role})
	if err != nil {
		t.Fatalf("CreateAdmin(%s): %v", username, err)
	}
	return a
}

func wantErr(t *testing.T, err error, kind apperr.Kind, code string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want %v %s, got %v", kind, code, err)
	}
	if e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("want %v %s, got %v %s (%v)", kind, code, e.Kind, e.Code, err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

func TestCreateBrand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		b, err := svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "  Tea-House ", Name: "Tea House", City: "Hangzhou"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Slug != "tea-house" || b.Timezone != "Asia/Shanghai" || b.OutBillPrefix != "TEAHOUSE" || b.Rules != brands.DefaultRules() {
			t.Fatalf("brand = %+v", b)
		}
		long, err := svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "a-very-long-slug", Name: "Long"})
		if err != nil || long.OutBillPrefix != "AVERYLON" {
			t.Fatalf("long slug prefix = %q, %v", long.OutBillPrefix, err)
		}

		invalid := []brands.NewBrandInput{
			{Slug: "a", Name: "x"},
			{Slug: "-ab", Name: "x"},
			{Slug: "a_b", Name: "x"},
			{Slug: "ab c", Name: "x"},
			{Slug: strings.Repeat("a", 65), Name: "x"},
			{Slug: "okslug", Name: "   "},
			{Slug: "okslug", Name: strings.Repeat("n", 129)},
			{Slug: "okslug", Name: "x", Timezone: "Nowhere/City"},
			{Slug: "okslug", Name: "x", OutBillPrefix: "TOO-LONG!"},
			{Slug: "okslug", Name: "x", OutBillPrefix: "ABCDEFGHI"},
			{Slug: "okslug", Name: "x", Settings: brands.SettingsInput{MPAppID: ptr("not-an-appid")}},
			{Slug: "okslug", Name: "x", Settings: brands.SettingsInput{Rules: &brands.RulesPatch{PayoutMinFen: ptr[int64](9)}}},
		}
		for i, in := range invalid {
			t.Run(fmt.Sprintf("invalid-%d", i), func(t *testing.T) {
				_, err := svc.CreateBrand(ctx, brands.CLIActor, in)
				wantErr(t, err, apperr.Invalid, "")
			})
		}
		// Nothing of a refused brand is left behind (the transaction rolled back).
		if _, err := s.BrandBySlug(ctx, "okslug"); err == nil {
			t.Fatal("a refused brand was stored")
		}

		_, err = svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "tea-house", Name: "Again"})
		wantErr(t, err, apperr.Conflict, "BRAND_EXISTS")
		_, err = svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "other", Name: "Same prefix", OutBillPrefix: "TEAHOUSE"})
		wantErr(t, err, apperr.Conflict, "BRAND_EXISTS")

		_, err = svc.Brand(ctx, "no-such-id")
		wantErr(t, err, apperr.NotFound, "BRAND_NOT_FOUND")

		entries, _, err := svc.Audit(ctx, b.ID, brands.Page{})
		if err != nil || len(entries) != 1 || entries[0].Action != "brand.create" || entries[0].ActorType != "cli" {
			t.Fatalf("audit = %+v, %v", entries, err)
		}
	})
}

func TestUpdateSettingsAuditsNamesNotSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		b := mustBrand(t, svc, "acme")
		actor := brands.Actor{Type: "admin", ID: "adm-1", RequestID: "req-1"}
		appSecret := "S3CRET-app-secret-value-0001"
		apiKey := "S3CRET-apiv3-key-value-00002"
		nb, err := svc.UpdateSettings(ctx, actor, b.ID, brands.SettingsInput{
			Name: ptr("Acme Ltd"), MPAppID: ptr("wx0123456789abcdef"), Rules: &brands.RulesPatch{HoldDays: ptr(3)},
			Credentials: map[string]*string{brands.CredMPAppSecret: &appSecret, brands.CredPayAPIv3Key: &apiKey, brands.CredPushToken: nil},
		})
		if err != nil {
			t.Fatal(err)
		}
		if nb.Name != "Acme Ltd" || nb.MPAppID != "wx0123456789abcdef" || nb.Rules.HoldDays != 3 || nb.Rules.PayoutMinFen != 100 {
			t.Fatalf("brand after update = %+v", nb)
		}
		if !nb.HasCredential(brands.CredMPAppSecret) || !nb.HasCredential(brands.CredPayAPIv3Key) || nb.HasCredential(brands.CredPushToken) {
			t.Fatalf("credential flags wrong: %v", nb.Sealed)
		}

		// Credentials round-trip through the store and the sealer.
		fresh, err := svc.Brand(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		for field, want := range map[string]string{brands.CredMPAppSecret: appSecret, brands.CredPayAPIv3Key: apiKey, brands.CredPushToken: ""} {
			got, err := svc.Credential(fresh, field)
			if err != nil || got != want {
				t.Fatalf("Credential(%s) = %q, %v; want %q", field, got, err, want)
			}
		}
		// A sealed value copied to another field does not open.
		moved := fresh
		moved.Sealed = map[string][]byte{brands.CredPushToken: fresh.Sealed[brands.CredMPAppSecret]}
		if _, err := svc.Credential(moved, brands.CredPushToken); err == nil {
			t.Fatal("a sealed value opened under another field")
		}
		if byApp, err := svc.BrandByAppID(ctx, "wx0123456789abcdef"); err != nil || byApp.ID != b.ID {
			t.Fatalf("BrandByAppID = %+v, %v", byApp, err)
		}

		entries, _, err := svc.Audit(ctx, b.ID, brands.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var upd *brands.AuditEntry
		for i := range entries {
			if entries[i].Action == "settings.update" {
				upd = &entries[i]
			}
		}
		if upd == nil {
			t.Fatalf("no settings.update audit row in %+v", entries)
		}
		if upd.ActorType != "admin" || upd.ActorID != "adm-1" || upd.RequestID != "req-1" || upd.TargetID != b.ID || !upd.CreatedAt.Equal(t0) {
			t.Fatalf("audit row = %+v", *upd)
		}
		var changed []string
		for _, v := range upd.Detail["changed"].([]any) {
			changed = append(changed, v.(string))
		}
		want := []string{"mp_app_id", "mp_app_secret", "name", "pay_apiv3_key", "rules"}
		if !reflect.DeepEqual(changed, want) {
			t.Fatalf("changed = %q, want %q", changed, want)
		}
		raw, _ := json.Marshal(entries)
		for _, secret := range []string{appSecret, apiKey} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("audit log contains a secret value: %s", raw)
			}
		}

		// Clearing a credential with "" makes it unset.
		empty := ""
		cleared, err := svc.UpdateSettings(ctx, actor, b.ID, brands.SettingsInput{Credentials: map[string]*string{brands.CredMPAppSecret: &empty}})
		if err != nil {
			t.Fatal(err)
		}
		if cleared.HasCredential(brands.CredMPAppSecret) || !cleared.HasCredential(brands.CredPayAPIv3Key) {
			t.Fatalf("after clearing: %v", cleared.Sealed)
		}

		// An empty change writes no audit row.
		before, _, _ := svc.Audit(ctx, b.ID, brands.Page{})
		if _, err := svc.UpdateSettings(ctx, actor, b.ID, brands.SettingsInput{}); err != nil {
			t.Fatal(err)
		}
		after, _, _ := svc.Audit(ctx, b.ID, brands.Page{})
		if len(after) != len(before) {
			t.Fatal("an empty update was audited")
		}
	})
}

func TestUpdateSettingsValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		b := mustBrand(t, svc, "acme")
		big := strings.Repeat("x", 8193)
		tests := []struct {
			name string
			in   brands.SettingsInput
		}{
			{"blank name", brands.SettingsInput{Name: ptr(" ")}},
			{"long city", brands.SettingsInput{City: ptr(strings.Repeat("c", 65))}},
			{"bad timezone", brands.SettingsInput{Timezone: ptr("Atlantis/Capital")}},
			{"bad appid", brands.SettingsInput{MPAppID: ptr("wx0123")}},
			{"uppercase appid", brands.SettingsInput{MPAppID: ptr("wx0123456789ABCDEF")}},
			{"cleared appid", brands.SettingsInput{MPAppID: ptr("")}},
			{"long mch id", brands.SettingsInput{PayMchID: ptr(strings.Repeat("1", 65))}},
			{"big public key", brands.SettingsInput{PayPublicKey: &big}},
			{"bad rules", brands.SettingsInput{Rules: &brands.RulesPatch{PayoutMaxFen: ptr[int64](200_000), PayoutDailyMaxFen: ptr[int64](300_000)}}},
			{"unknown credential", brands.SettingsInput{Credentials: map[string]*string{"password": ptr("x")}}},
			{"big credential", brands.SettingsInput{Credentials: map[string]*string{brands.CredPayPrivateKey: &big}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := svc.UpdateSettings(ctx, brands.CLIActor, b.ID, tt.in)
				wantErr(t, err, apperr.Invalid, "")
			})
		}
		_, err := svc.UpdateSettings(ctx, brands.CLIActor, "missing", brands.SettingsInput{Name: ptr("x")})
		wantErr(t, err, apperr.NotFound, "BRAND_NOT_FOUND")
	})
}

func TestAppIDInUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		a := mustBrand(t, svc, "first")
		b := mustBrand(t, svc, "second")
		appID := "wxaaaaaaaaaaaaaaaa"
		if _, err := svc.UpdateSettings(ctx, brands.CLIActor, a.ID, brands.SettingsInput{MPAppID: &appID}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.UpdateSettings(ctx, brands.CLIActor, b.ID, brands.SettingsInput{MPAppID: &appID, Name: ptr("Renamed")})
		wantErr(t, err, apperr.Conflict, "APPID_IN_USE")
		got, err := svc.Brand(ctx, b.ID)
		if err != nil || got.MPAppID != "" || got.Name != "Brand second" {
			t.Fatalf("refused update left changes: %+v, %v", got, err)
		}
		// Setting the same appid again on its own brand is fine.
		if _, err := svc.UpdateSettings(ctx, brands.CLIActor, a.ID, brands.SettingsInput{MPAppID: &appID}); err != nil {
			t.Fatalf("re-setting own appid: %v", err)
		}
		_, err = svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: "third", Name: "Third", Settings: brands.SettingsInput{MPAppID: &appID}})
		wantErr(t, err, apperr.Conflict, "APPID_IN_USE")
		if _, err := s.BrandBySlug(ctx, "third"); err == nil {
			t.Fatal("brand created although its appid was refused")
		}
		_, err = svc.BrandByAppID(ctx, "wxbbbbbbbbbbbbbbbb")
		wantErr(t, err, apperr.NotFound, "BRAND_NOT_FOUND")
		_, err = svc.BrandByAppID(ctx, "")
		wantErr(t, err, apperr.Invalid, "")
	})
}

func TestUpdateAdminLastOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		b := mustBrand(t, svc, "acme")
		owner := mustAdmin(t, svc, b.ID, "owner", brands.RoleOwner)

		for name, ch := range map[string]brands.AdminChange{
			"demote":  {Role: ptr(brands.RoleOperator)},
			"disable": {Disabled: ptr(true)},
		} {
			_, err := svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, owner.ID, ch)
			if e := wantErr(t, err, apperr.Rule, "LAST_OWNER"); e == nil {
				t.Fatal(name)
			}
		}
		// Non-changes of the last owner are allowed.
		if _, err := svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, owner.ID, brands.AdminChange{Role: ptr(brands.RoleOwner), Disabled: ptr(false)}); err != nil {
			t.Fatalf("no-op change of the last owner: %v", err)
		}
		_, err := svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, owner.ID, brands.AdminChange{Role: ptr("root")})
		wantErr(t, err, apperr.Invalid, "")
		_, err = svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, "nobody", brands.AdminChange{Disabled: ptr(true)})
		wantErr(t, err, apperr.NotFound, "")

		second := mustAdmin(t, svc, b.ID, "second", brands.RoleOwner)
		got, err := svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, owner.ID, brands.AdminChange{Role: ptr(brands.RoleFinance)})
		if err != nil || got.Role != brands.RoleFinance {
			t.Fatalf("demote with a second owner: %+v, %v", got, err)
		}
		_, err = svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, second.ID, brands.AdminChange{Disabled: ptr(true)})
		wantErr(t, err, apperr.Rule, "LAST_OWNER")

		_, err = svc.CreateAdmin(ctx, brands.CLIActor, b.ID, brands.NewAdminInput{Username: "second", Password: ownerPassword, Role: brands.RoleOperator})
		wantErr(t, err, apperr.Conflict, "ADMIN_EXISTS")
		_, err = svc.CreateAdmin(ctx, brands.CLIActor, b.ID, brands.NewAdminInput{Username: "weak", Password: "short", Role: brands.RoleOperator})
		wantErr(t, err, apperr.Invalid, "WEAK_PASSWORD")
	})
}

func TestLoginLockoutAndReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		b := mustBrand(t, svc, "acme")
		mustAdmin(t, svc, b.ID, "owner", brands.RoleOwner)
		login := func(user, pw, ip string) error {
			_, _, err := svc.Login(ctx, brands.LoginInput{Brand: "ACME", Username: user, Password: pw, ClientIP: ip})
			return err
		}

		// Success resets the per-user counter: 4 failures, success, 4 failures, success.
		for round := range 2 {
			for i := range 4 {
				wantErr(t, login("owner", "wrong-password-"+fmt.Sprint(i), "10.0.0.1"), apperr.Unauthenticated, "UNAUTHENTICATED")
			}
			if err := login("owner", ownerPassword, "10.0.0.1"); err != nil {
				t.Fatalf("round %d: login after 4 failures: %v", round, err)
			}
		}

		// Five failures lock the username, even for the right password and from a new address.
		for i := range 5 {
			wantErr(t, login("owner", "wrong-password-x", fmt.Sprintf("10.0.1.%d", i)), apperr.Unauthenticated, "UNAUTHENTICATED")
		}
		e := wantErr(t, login("owner", ownerPassword, "10.0.2.1"), apperr.RateLimited, "RATE_LIMITED")
		if e.RetryAfter <= 0 || e.RetryAfter > 15*time.Minute {
			t.Fatalf("RetryAfter = %v", e.RetryAfter)
		}
		// Username matching is case-insensitive for the lock.
		wantErr(t, login("OWNER", ownerPassword, "10.0.2.2"), apperr.RateLimited, "RATE_LIMITED")

		// Unknown brand and unknown user answer the same 401.
		_, _, err := svc.Login(ctx, brands.LoginInput{Brand: "nope", Username: "owner", Password: ownerPassword, ClientIP: "10.0.3.1"})
		wantErr(t, err, apperr.Unauthenticated, "UNAUTHENTICATED")
		wantErr(t, login("ghost", ownerPassword, "10.0.3.1"), apperr.Unauthenticated, "UNAUTHENTICATED")
	})
}

func TestLoginIPLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s)
		svc.MaxLoginFailures = 2 // 8 per address
		b := mustBrand(t, svc, "acme")
		mustAdmin(t, svc, b.ID, "owner", brands.RoleOwner)
		for i := range 8 {
			_, _, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: fmt.Sprintf("user%d", i), Password: "wrong-password", ClientIP: "192.0.2.9"})
			wantErr(t, err, apperr.Unauthenticated, "")
		}
		_, _, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "owner", Password: ownerPassword, ClientIP: "192.0.2.9"})
		wantErr(t, err, apperr.RateLimited, "RATE_LIMITED")
		if _, _, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "owner", Password: ownerPassword, ClientIP: "192.0.2.10"}); err != nil {
			t.Fatalf("another address is locked too: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, clk := newService(t, s)
		b := mustBrand(t, svc, "acme")
		owner := mustAdmin(t, svc, b.ID, "owner", brands.RoleOwner)
		op := mustAdmin(t, svc, b.ID, "op", brands.RoleOperator)

		tok, p, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "owner", Password: ownerPassword, ClientIP: "10.0.0.1", RequestID: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		if p.AdminID != owner.ID || p.BrandID != b.ID || p.Role != brands.RoleOwner {
			t.Fatalf("principal = %+v", p)
		}
		got, err := svc.Authenticate(ctx, tok)
		if err != nil || got != p {
			t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, p)
		}
		id, _, _ := auth.SplitToken(tok)
		for _, bad := range []string{"", "garbage", id + ".wrong-secret", "unknown.secret"} {
			_, err := svc.Authenticate(ctx, bad)
			wantErr(t, err, apperr.Unauthenticated, "UNAUTHENTICATED")
		}

		clk.Advance(12*time.Hour - time.Second)
		if _, err := svc.Authenticate(ctx, tok); err != nil {
			t.Fatalf("session refused before 12 h: %v", err)
		}
		clk.Advance(time.Second)
		_, err = svc.Authenticate(ctx, tok)
		wantErr(t, err, apperr.Unauthenticated, "UNAUTHENTICATED")

		// Logout revokes; disabling an admin ends their sessions.
		tok2, p2, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "owner", Password: ownerPassword, ClientIP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Logout(ctx, p2, "r2"); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Authenticate(ctx, tok2)
		wantErr(t, err, apperr.Unauthenticated, "")

		tok3, _, err := svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "op", Password: ownerPassword, ClientIP: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateAdmin(ctx, brands.CLIActor, b.ID, op.ID, brands.AdminChange{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Authenticate(ctx, tok3)
		wantErr(t, err, apperr.Unauthenticated, "")
		_, _, err = svc.Login(ctx, brands.LoginInput{Brand: "acme", Username: "op", Password: ownerPassword, ClientIP: "10.0.0.1"})
		wantErr(t, err, apperr.Unauthenticated, "UNAUTHENTICATED")
	})
}
