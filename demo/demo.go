// Package demo seeds the embedded default's demo brand once: brand "demo" on the simulator's
// mini-program appid and merchant keys, an owner "admin", and a live open for reservations, so
// a new user can log in and click around within a minute.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// Slug, AppID and the admin username are fixed by API.md.
const (
	Slug     = "demo"
	Username = "admin"
)

// Result says what Seed did.
type Result struct {
	Created bool
	BrandID string
	// Password is set only when Seed created the admin with a generated password.
	Password     string
	PasswordFile string
}

// Seed creates the demo brand unless it exists. password "" → a random one, printed by the
// caller and kept in <dataDir>/demo-admin.txt.
func Seed(ctx context.Context, st *store.Store, svc *brands.Service, keys *simulator.Keys, dataDir, password string, now time.Time) (Result, error) {
	if b, err := st.BrandBySlug(ctx, Slug); err == nil {
		return Result{BrandID: b.ID, PasswordFile: filepath.Join(dataDir, "demo-admin.txt")}, nil
	} else if !errors.Is(err, brands.ErrNotFound) {
		return Result{}, err
	}
	generated := password == ""
	if generated {
		raw := make([]byte, 12)
		if _, err := rand.Read(raw); err != nil {
			return Result{}, err
		}
		password = base64.RawURLEncoding.EncodeToString(raw)
	}
	str := func(s string) *string { return &s }
	var res Result
	err := st.WithTx(ctx, func(ctx context.Context) error {
		b, err := svc.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{
			Slug: Slug, Name: "Demo Brand 演示品牌", City: "上海", Timezone: "Asia/Shanghai", OutBillPrefix: "DEMO",
			Settings: brands.SettingsInput{
				// ChannelsAppID is the simulator's demo Channels shop, so its pushes and order reads
				// work as they are.
				MPAppID: str(keys.AppID), FinderUserName: str("sph_demo_finder"), ChannelsAppID: str(simulator.DemoShopAppID),
				PayMchID: str(keys.MchID), PaySerialNo: str(keys.MerchantSerialNo),
				PayPublicKeyID: str(keys.PublicKeyID), PayPublicKey: str(string(keys.WechatPayPublicKeyPEM)),
				// Commission (佣金报酬), one of the scenes the simulated merchant holds.
				PayTransferSceneID: str("1005"),
				Credentials: map[string]*string{
					brands.CredMPAppSecret:   str(keys.AppSecret),
					brands.CredPushToken:     str(keys.ChannelsToken),
					brands.CredPushAESKey:    str(keys.ChannelsEncodingAESKey),
					brands.CredPayPrivateKey: str(string(keys.MerchantPrivateKeyPEM)),
					brands.CredPayAPIv3Key:   str(keys.APIv3Key),

					brands.CredChannelsAppSecret: str(keys.ChannelsShopSecret()),
				},
			},
		})
		if err != nil {
			return err
		}
		if _, err := svc.CreateAdmin(ctx, brands.CLIActor, b.ID, brands.NewAdminInput{Username: Username, Password: password, Role: brands.RoleOwner}); err != nil {
			return err
		}
		start := now.Add(72 * time.Hour).Truncate(time.Hour)
		if _, err := st.CreateLive(ctx, store.NewLive{BrandID: b.ID, Title: "Demo upcoming live 新品首发直播",
			NoticeID: "demo-notice-upcoming", FinderUserName: "sph_demo_finder", PlannedStartAt: start,
			TargetReservations: 500, Status: "reservable"}); err != nil {
			return err
		}
		// live operations: subscribe templates, so the shortfall second round (and live
		// reminders) send in the demo; the simulated WeChat accepts any template id.
		if err := seedTemplates(ctx, st, b.ID, now); err != nil {
			return err
		}
		res = Result{Created: true, BrandID: b.ID}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if generated {
		res.Password = password
		res.PasswordFile = filepath.Join(dataDir, "demo-admin.txt")
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return res, err
		}
		body := fmt.Sprintf("brand: %s\nusername: %s\npassword: %s\n", Slug, Username, password)
		if err := os.WriteFile(res.PasswordFile, []byte(body), 0o600); err != nil {
			return res, err
		}
	}
	return res, nil
}

// DemoTemplates are the demo brand's subscribe templates (template ids of the simulated
// WeChat), one per purpose the live operations send.
var DemoTemplates = map[reminders.Purpose]reminders.TemplateInput{
	reminders.LiveReminder: {TemplateID: "demoTmplLiveReminder", Page: "pages/live/index?live_id={live_id}",
		Fields: map[string]string{"thing1": "{live_title}", "time2": "{start_time}", "thing3": "直播即将开始"}},
	reminders.ShortfallReminder: {TemplateID: "demoTmplShortfall", Page: "pages/live/index?live_id={live_id}",
		Fields: map[string]string{"thing1": "{live_title}", "time2": "{start_time}", "thing3": "开播前别忘了预约"}},
	reminders.ShortfallTask: {TemplateID: "demoTmplInviterTask", Page: "pages/share/index?code={code}",
		Fields: map[string]string{"thing1": "{copy}", "time2": "{start_time}", "character_string3": "{code}"}},
}

func seedTemplates(ctx context.Context, st *store.Store, brandID string, now time.Time) error {
	svc := &reminders.Service{Store: st, Audit: st, Clock: clock.NewFixed(now)}
	for _, p := range reminders.Purposes {
		in, ok := DemoTemplates[p]
		if !ok {
			continue
		}
		if _, err := svc.PutTemplate(ctx, brands.CLIActor, brandID, p, in); err != nil {
			return fmt.Errorf("demo template %s: %w", p, err)
		}
	}
	return nil
}
