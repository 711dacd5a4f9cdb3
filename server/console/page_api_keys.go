package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/sharecast/sharecast/brands"
)

// APIKeys is what the API keys page uses (brands.APIKeys, as /admin/v1/api-keys).
type APIKeys interface {
	List(ctx context.Context, brandID string) ([]brands.APIKey, error)
	Create(ctx context.Context, a brands.Actor, brandID, name string) (brands.APIKey, string, error)
	Revoke(ctx context.Context, a brands.Actor, brandID, id string) error
}

func init() {
	register(Page{
		Name: "apikeys",
		Perm: brands.PermBrandAdmin, // API keys: owner (API.md)
		Nav:  &NavEntry{Label: "nav.api_keys", Order: 920},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/api-keys", Handle: listAPIKeys},
			{Method: http.MethodPost, Path: "/api-keys", Handle: createAPIKey},
			{Method: http.MethodPost, Path: "/api-keys/:id/revoke", Handle: revokeAPIKey},
		},
	})
	addCatalogue(map[string]msg{
		"nav.api_keys":           {"API 密钥", "API keys"},
		"apikeys.title":          {"API 密钥", "API keys"},
		"apikeys.help":           {"品牌自有系统用 API 密钥调用 /open/v1（推送订单、退款、确认收货）。密钥只在创建时显示一次。", "Your own systems call /open/v1 (orders, refunds, receipt confirmations) with an API key. A key is shown once, when it is created."},
		"apikeys.unavailable":    {"API 密钥暂不可用：此版本尚未接入。", "API keys are not available in this build."},
		"apikeys.name":           {"名称", "Name"},
		"apikeys.created":        {"创建时间", "Created"},
		"apikeys.last_used":      {"最近使用", "Last used"},
		"apikeys.state":          {"状态", "State"},
		"apikeys.active":         {"有效", "Active"},
		"apikeys.revoked":        {"已吊销", "Revoked"},
		"apikeys.create":         {"创建密钥", "Create key"},
		"apikeys.revoke":         {"吊销", "Revoke"},
		"apikeys.revoke_confirm": {"吊销后使用此密钥的系统将立即无法调用，确定？", "Systems using this key stop working at once. Revoke?"},
		"apikeys.new_key":        {"新密钥（只显示这一次，请立即保存）：", "The new key (shown only this once: store it now):"},
		"flash.api_key_revoked":  {"已吊销。", "Revoked."},
	})
}

type apiKeysData struct {
	Available bool
	Keys      []brands.APIKey
	NewKey    string
	Problem   string
	Name      string
}

func renderAPIKeys(c *Ctx, status int, d apiKeysData) error {
	if c.Deps.APIKeys == nil {
		return c.Render(http.StatusServiceUnavailable, "apikeys.title", d)
	}
	d.Available = true
	keys, err := c.Deps.APIKeys.List(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	d.Keys = keys
	return c.Render(status, "apikeys.title", d)
}

func listAPIKeys(c *Ctx) error { return renderAPIKeys(c, http.StatusOK, apiKeysData{}) }

// createAPIKey shows the new key on the answer itself (no redirect: it must not land in a
// URL or the history), once.
func createAPIKey(c *Ctx) error {
	if c.Deps.APIKeys == nil {
		return renderAPIKeys(c, http.StatusServiceUnavailable, apiKeysData{})
	}
	name := strings.TrimSpace(c.G.PostForm("name"))
	_, token, err := c.Deps.APIKeys.Create(c.Context(), c.Actor(), c.Admin.BrandID, name)
	if problem, ok := shownProblem(err); ok {
		return renderAPIKeys(c, statusOf(err), apiKeysData{Problem: problem, Name: name})
	}
	if err != nil {
		return err
	}
	c.G.Header("Cache-Control", "no-store")
	return renderAPIKeys(c, http.StatusCreated, apiKeysData{NewKey: token})
}

func revokeAPIKey(c *Ctx) error {
	if c.Deps.APIKeys == nil {
		return renderAPIKeys(c, http.StatusServiceUnavailable, apiKeysData{})
	}
	if err := c.Deps.APIKeys.Revoke(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id")); err != nil {
		return err
	}
	return c.Redirect(Prefix+"/api-keys", "flash.api_key_revoked")
}
