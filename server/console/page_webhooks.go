package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/webhooks"
)

// Webhooks is what the outgoing webhooks page uses (webhooks.Service, as /admin/v1/webhooks).
type Webhooks interface {
	Endpoints(ctx context.Context, brandID string) ([]webhooks.Endpoint, error)
	CreateEndpoint(ctx context.Context, a brands.Actor, brandID string, in webhooks.EndpointInput) (webhooks.Endpoint, string, error)
	DeleteEndpoint(ctx context.Context, a brands.Actor, brandID, id string) error
	Deliveries(ctx context.Context, brandID, endpointID, status string, p webhooks.Page) ([]webhooks.Delivery, string, error)
	Replay(ctx context.Context, a brands.Actor, brandID, deliveryID string) (webhooks.Delivery, error)
}

func init() {
	register(Page{
		Name:      "webhooks",
		Templates: []string{"deliveries"},
		Perm:      brands.PermBrandAdmin, // outgoing webhooks: owner (API.md)
		Nav:       &NavEntry{Label: "nav.webhooks", Order: 930},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/webhooks", Handle: listWebhooks},
			{Method: http.MethodPost, Path: "/webhooks", Handle: createWebhook},
			{Method: http.MethodPost, Path: "/webhooks/:id/delete", Handle: deleteWebhook},
			{Method: http.MethodGet, Path: "/webhooks/:id/deliveries", Handle: listDeliveries},
			{Method: http.MethodPost, Path: "/webhook-deliveries/:id/replay", Handle: replayDelivery},
		},
	})
	addCatalogue(map[string]msg{
		"nav.webhooks":            {"Webhook", "Webhooks"},
		"webhooks.title":          {"事件推送（Webhook）", "Outgoing webhooks"},
		"webhooks.help":           {"业务事件签名后推送到你的地址（Sharecast-Signature: v1=HMAC-SHA256），失败按退避重试 24 小时。签名密钥只在创建时显示一次。", "Business events are signed (Sharecast-Signature: v1=HMAC-SHA256) and sent to your URL, retried with backoff for 24 h. The signing secret is shown once, when created."},
		"webhooks.unavailable":    {"Webhook 暂不可用：此版本尚未接入。", "Webhooks are not available in this build."},
		"webhooks.url":            {"地址", "URL"},
		"webhooks.description":    {"说明", "Description"},
		"webhooks.events":         {"事件（不选即全部）", "Events (none: all)"},
		"webhooks.all":            {"全部", "All"},
		"webhooks.create":         {"添加", "Add"},
		"webhooks.delete":         {"删除", "Delete"},
		"webhooks.delete_confirm": {"删除后不再推送，确定？", "Stop sending to this URL?"},
		"webhooks.deliveries":     {"推送记录", "Deliveries"},
		"webhooks.secret":         {"签名密钥（只显示这一次，请立即保存）：", "Signing secret (shown only this once: store it now):"},
		"webhooks.created":        {"创建时间", "Created"},
		"deliveries.title":        {"推送记录", "Deliveries"},
		"deliveries.event":        {"事件", "Event"},
		"deliveries.status":       {"状态", "Status"},
		"deliveries.attempts":     {"次数", "Attempts"},
		"deliveries.last":         {"最近结果", "Last result"},
		"deliveries.replay":       {"重新推送", "Replay"},
		"deliveries.back":         {"返回 Webhook 列表", "Back to webhooks"},
		"flash.webhook_deleted":   {"已删除。", "Deleted."},
		"flash.delivery_replayed": {"已重新排队推送。", "Queued again."},
	})
}

type webhooksData struct {
	Available        bool
	Endpoints        []webhooks.Endpoint
	Types            []string
	Secret           string
	Problem          string
	URL, Description string
}

func renderWebhooks(c *Ctx, status int, d webhooksData) error {
	d.Types = events.Types
	if c.Deps.Webhooks == nil {
		return c.Render(http.StatusServiceUnavailable, "webhooks.title", d)
	}
	d.Available = true
	list, err := c.Deps.Webhooks.Endpoints(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	d.Endpoints = list
	return c.Render(status, "webhooks.title", d)
}

func listWebhooks(c *Ctx) error { return renderWebhooks(c, http.StatusOK, webhooksData{}) }

func createWebhook(c *Ctx) error {
	if c.Deps.Webhooks == nil {
		return renderWebhooks(c, http.StatusServiceUnavailable, webhooksData{})
	}
	_ = c.G.Request.ParseForm()
	in := webhooks.EndpointInput{URL: strings.TrimSpace(c.G.PostForm("url")), Description: strings.TrimSpace(c.G.PostForm("description")),
		EventTypes: c.G.Request.PostForm["event_type"]}
	_, secret, err := c.Deps.Webhooks.CreateEndpoint(c.Context(), c.Actor(), c.Admin.BrandID, in)
	if problem, ok := shownProblem(err); ok {
		return renderWebhooks(c, statusOf(err), webhooksData{Problem: problem, URL: in.URL, Description: in.Description})
	}
	if err != nil {
		return err
	}
	c.G.Header("Cache-Control", "no-store")
	return renderWebhooks(c, http.StatusCreated, webhooksData{Secret: secret})
}

func deleteWebhook(c *Ctx) error {
	if c.Deps.Webhooks == nil {
		return renderWebhooks(c, http.StatusServiceUnavailable, webhooksData{})
	}
	if err := c.Deps.Webhooks.DeleteEndpoint(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id")); err != nil {
		return err
	}
	return c.Redirect(Prefix+"/webhooks", "flash.webhook_deleted")
}

type deliveriesData struct {
	EndpointID string
	Rows       []webhooks.Delivery
	Next       string
}

func listDeliveries(c *Ctx) error {
	if c.Deps.Webhooks == nil {
		return renderWebhooks(c, http.StatusServiceUnavailable, webhooksData{})
	}
	cursor := c.G.Query("cursor")
	if len(cursor) > 128 {
		return c.invalid("form.cursor")
	}
	id := c.G.Param("id")
	rows, next, err := c.Deps.Webhooks.Deliveries(c.Context(), c.Admin.BrandID, id, "", webhooks.Page{Cursor: cursor, Limit: 50})
	if err != nil {
		return err
	}
	d := deliveriesData{EndpointID: id, Rows: rows}
	if next != "" {
		d.Next = Prefix + "/webhooks/" + url.PathEscape(id) + "/deliveries?" + url.Values{"cursor": {next}}.Encode()
	}
	return c.RenderTemplate(http.StatusOK, "deliveries", "deliveries.title", d)
}

func replayDelivery(c *Ctx) error {
	if c.Deps.Webhooks == nil {
		return renderWebhooks(c, http.StatusServiceUnavailable, webhooksData{})
	}
	d, err := c.Deps.Webhooks.Replay(c.Context(), c.Actor(), c.Admin.BrandID, c.G.Param("id"))
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/webhooks/"+url.PathEscape(d.EndpointID)+"/deliveries", "flash.delivery_replayed")
}
