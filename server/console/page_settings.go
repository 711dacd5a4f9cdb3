package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

func init() {
	register(Page{
		Name: "settings",
		Perm: brands.PermBrandAdmin,
		Nav:  &NavEntry{Label: "nav.settings", Order: 900},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/settings", Handle: showSettings},
			{Method: http.MethodPost, Path: "/settings", Handle: saveSettings},
		},
	})
}

// settingField is one plain text setting of the form.
type settingField struct {
	Name, Label, Value string
	Multiline          bool
}

// ruleField is one rule; money rules are typed in yuan.
type ruleField struct {
	Name, Label, Value string
	Yuan               bool
}

// credentialField shows only whether a credential is set, never its value.
type credentialField struct {
	Name, Label string
	Set         bool
}

type settingsData struct {
	Fields      []settingField
	Rules       []ruleField
	Credentials []credentialField
	Problem     string
}

// plainSettings are the brand's non-secret settings, in form order, with their getters.
var plainSettings = []struct {
	name      string
	multiline bool
	get       func(brands.Brand) string
	set       func(*brands.SettingsInput, *string)
}{
	{"name", false, func(b brands.Brand) string { return b.Name }, func(in *brands.SettingsInput, v *string) { in.Name = v }},
	{"city", false, func(b brands.Brand) string { return b.City }, func(in *brands.SettingsInput, v *string) { in.City = v }},
	{"timezone", false, func(b brands.Brand) string { return b.Timezone }, func(in *brands.SettingsInput, v *string) { in.Timezone = v }},
	{"mp_app_id", false, func(b brands.Brand) string { return b.MPAppID }, func(in *brands.SettingsInput, v *string) { in.MPAppID = v }},
	{"channels_app_id", false, func(b brands.Brand) string { return b.ChannelsAppID }, func(in *brands.SettingsInput, v *string) { in.ChannelsAppID = v }},
	{"finder_user_name", false, func(b brands.Brand) string { return b.FinderUserName }, func(in *brands.SettingsInput, v *string) { in.FinderUserName = v }},
	{"pay_mch_id", false, func(b brands.Brand) string { return b.PayMchID }, func(in *brands.SettingsInput, v *string) { in.PayMchID = v }},
	{"pay_serial_no", false, func(b brands.Brand) string { return b.PaySerialNo }, func(in *brands.SettingsInput, v *string) { in.PaySerialNo = v }},
	{"pay_public_key_id", false, func(b brands.Brand) string { return b.PayPublicKeyID }, func(in *brands.SettingsInput, v *string) { in.PayPublicKeyID = v }},
	{"pay_public_key", true, func(b brands.Brand) string { return b.PayPublicKey }, func(in *brands.SettingsInput, v *string) { in.PayPublicKey = v }},
	{"pay_transfer_scene_id", false, func(b brands.Brand) string { return b.PayTransferSceneID }, func(in *brands.SettingsInput, v *string) { in.PayTransferSceneID = v }},
}

// ruleSettings are the brand's rules in form order; yuan rules are fen amounts.
var ruleSettings = []struct {
	name string
	yuan bool
	ptr  func(*brands.Rules) any // *int or *int64
}{
	{"hold_days", false, func(r *brands.Rules) any { return &r.HoldDays }},
	{"auto_confirm_days", false, func(r *brands.Rules) any { return &r.AutoConfirmDays }},
	{"payout_min_fen", true, func(r *brands.Rules) any { return &r.PayoutMinFen }},
	{"payout_max_fen", true, func(r *brands.Rules) any { return &r.PayoutMaxFen }},
	{"payout_daily_max_fen", true, func(r *brands.Rules) any { return &r.PayoutDailyMaxFen }},
	{"auto_approve_below_fen", true, func(r *brands.Rules) any { return &r.AutoApproveBelowFen }},
	{"second_approval_above_fen", true, func(r *brands.Rules) any { return &r.SecondApprovalAboveFen }},
	{"risk_inviter_burst_count", false, func(r *brands.Rules) any { return &r.RiskInviterBurstCount }},
	{"risk_inviter_burst_seconds", false, func(r *brands.Rules) any { return &r.RiskInviterBurstSeconds }},
	{"risk_new_member_minutes", false, func(r *brands.Rules) any { return &r.RiskNewMemberMinutes }},
	{"risk_ip_viewers", false, func(r *brands.Rules) any { return &r.RiskIPViewers }},
	{"risk_ip_window_minutes", false, func(r *brands.Rules) any { return &r.RiskIPWindowMinutes }},
	// live operations
	{"shortfall_lead_minutes", false, func(r *brands.Rules) any { return &r.ShortfallLeadMinutes }},
}

func settingsView(b brands.Brand, form func(string) (string, bool)) settingsData {
	var d settingsData
	for _, f := range plainSettings {
		v := f.get(b)
		if form != nil {
			if fv, ok := form(f.name); ok {
				v = fv
			}
		}
		d.Fields = append(d.Fields, settingField{Name: f.name, Label: "settings." + f.name, Value: v, Multiline: f.multiline})
	}
	rules := b.Rules
	for _, r := range ruleSettings {
		var v string
		switch p := r.ptr(&rules).(type) {
		case *int:
			v = strconv.Itoa(*p)
		case *int64:
			v = FormatYuan(*p)
		}
		if form != nil {
			if fv, ok := form("rule_" + r.name); ok {
				v = fv
			}
		}
		d.Rules = append(d.Rules, ruleField{Name: "rule_" + r.name, Label: "rules." + r.name, Value: v, Yuan: r.yuan})
	}
	for _, name := range brands.CredentialFields {
		d.Credentials = append(d.Credentials, credentialField{Name: "cred_" + name, Label: "credentials." + name, Set: b.HasCredential(name)})
	}
	return d
}

func showSettings(c *Ctx) error {
	b, err := c.Brand()
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "settings.title", settingsView(b, nil))
}

// saveSettings sends only what changed to brands.Service.UpdateSettings, so the audit log
// names the fields the owner really changed. A blank credential input keeps the credential;
// the "clear" box removes it.
func saveSettings(c *Ctx) error {
	b, err := c.Brand()
	if err != nil {
		return err
	}
	form := func(name string) (string, bool) { return c.G.GetPostForm(name) }
	in, err := settingsInput(c, b)
	if err == nil {
		_, err = c.Deps.Brands.UpdateSettings(c.Context(), c.Actor(), b.ID, in)
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict && k != apperr.Rule {
			return err
		}
		d := settingsView(b, form)
		if ae, ok := apperr.As(err); ok {
			d.Problem = ae.Message
		}
		return c.Render(http.StatusBadRequest, "settings.title", d)
	}
	return c.Redirect(Prefix+"/settings", "flash.saved")
}

func settingsInput(c *Ctx, b brands.Brand) (brands.SettingsInput, error) {
	var in brands.SettingsInput
	for _, f := range plainSettings {
		v, ok := c.G.GetPostForm(f.name)
		if !ok {
			continue // a form without the field changes nothing
		}
		v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
		if f.multiline && v != "" {
			v += "\n" // PEM keeps its final newline
		}
		if v != f.get(b) {
			f.set(&in, &v)
		}
	}
	rules := b.Rules
	for _, r := range ruleSettings {
		v, ok := c.G.GetPostForm("rule_" + r.name)
		if !ok {
			continue
		}
		label := c.Lang.T("rules." + r.name)
		switch p := r.ptr(&rules).(type) {
		case *int:
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return in, c.invalid("form.whole_number", label)
			}
			*p = n
		case *int64:
			fen, ok := ParseYuan(v)
			if !ok {
				return in, c.invalid("form.yuan", label)
			}
			*p = fen
		}
	}
	if rules != b.Rules {
		patch := brands.PatchOf(rules)
		in.Rules = &patch
	}
	for _, name := range brands.CredentialFields {
		if c.G.PostForm("clear_"+name) == "1" {
			empty := ""
			if in.Credentials == nil {
				in.Credentials = map[string]*string{}
			}
			in.Credentials[name] = &empty
			continue
		}
		if v := c.G.PostForm("cred_" + name); strings.TrimSpace(v) != "" {
			if in.Credentials == nil {
				in.Credentials = map[string]*string{}
			}
			in.Credentials[name] = &v
		}
	}
	return in, nil
}
