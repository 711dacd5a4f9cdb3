package webhooks

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/events"
)

// sealField names the sealed secret (the AAD binds it to the brand and this use).
const sealField = "webhook_secret"

const (
	maxURLBytes         = 2048
	maxDescriptionRunes = 256
)

// EndpointInput creates an endpoint.
type EndpointInput struct {
	URL         string
	Description string
	EventTypes  []string // empty: every type
}

var errNoEndpoint = apperr.NotFoundf("no such webhook")

// Endpoints lists a brand's endpoints.
func (s *Service) Endpoints(ctx context.Context, brandID string) ([]Endpoint, error) {
	return s.Store.WebhookEndpoints(ctx, brandID)
}

// CreateEndpoint adds an endpoint (owner) and answers it with its signing secret, which is
// shown this once.
func (s *Service) CreateEndpoint(ctx context.Context, a brands.Actor, brandID string, in EndpointInput) (Endpoint, string, error) {
	if err := s.checkURL(in.URL); err != nil {
		return Endpoint{}, "", err
	}
	if !utf8.ValidString(in.Description) || utf8.RuneCountInString(in.Description) > maxDescriptionRunes {
		return Endpoint{}, "", apperr.InvalidArgument("description must be at most 256 characters")
	}
	types, err := normalizeTypes(in.EventTypes)
	if err != nil {
		return Endpoint{}, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return Endpoint{}, "", err
	}
	sealed, err := s.Sealer.Seal(brandID, sealField, []byte(secret))
	if err != nil {
		return Endpoint{}, "", err
	}
	var out Endpoint
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		existing, err := s.Store.WebhookEndpoints(ctx, brandID)
		if err != nil {
			return err
		}
		if len(existing) >= maxEndpoints {
			return apperr.New(apperr.Rule, "WEBHOOK_LIMIT", "a brand can have at most 20 webhooks")
		}
		out, err = s.Store.CreateWebhookEndpoint(ctx, Endpoint{BrandID: brandID, URL: in.URL, Description: in.Description,
			EventTypes: types, SecretSealed: sealed, CreatedAt: s.Clock.Now()})
		if err != nil {
			return err
		}
		return s.audit(ctx, a, brandID, "webhook.create", out.ID, map[string]any{"url": out.URL, "event_types": types})
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return out, secret, nil
}

// DeleteEndpoint stops an endpoint (owner): its pending deliveries die at their next attempt,
// its log stays readable through the deliveries it made.
func (s *Service) DeleteEndpoint(ctx context.Context, a brands.Actor, brandID, id string) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		err := s.Store.DeleteWebhookEndpoint(ctx, brandID, id, s.Clock.Now())
		if errors.Is(err, ErrNotFound) {
			return errNoEndpoint
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, a, brandID, "webhook.delete", id, nil)
	})
}

// Deliveries pages an endpoint's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, brandID, endpointID, status string, p Page) ([]Delivery, string, error) {
	switch status {
	case "", StatusPending, StatusSucceeded, StatusDead:
	default:
		return nil, "", apperr.InvalidArgument("status must be pending, succeeded or dead")
	}
	if _, err := s.Store.WebhookEndpoint(ctx, brandID, endpointID, false); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, "", errNoEndpoint
		}
		return nil, "", err
	}
	return s.Store.WebhookDeliveries(ctx, brandID, endpointID, status, p)
}

// checkURL accepts an absolute https URL (http too when AllowInsecure) without credentials;
// in production a literal private, loopback or link-local address is refused here, and the
// sender refuses names that resolve to one.
func (s *Service) checkURL(raw string) error {
	invalid := func(msg string) error { return apperr.New(apperr.Invalid, "INVALID_WEBHOOK_URL", msg) }
	if raw == "" || len(raw) > maxURLBytes {
		return invalid("url must be an absolute URL of at most 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return invalid("url must be an absolute URL such as https://example.com/hooks/sharecast")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.AllowInsecure:
	default:
		return invalid("url must use https")
	}
	if u.User != nil {
		return invalid("url must not carry a user or password")
	}
	if u.Fragment != "" {
		return invalid("url must not carry a #fragment")
	}
	if !s.AllowInsecure {
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !publicAddr(ip) {
			return invalid("url must point at a public address")
		}
		if strings.EqualFold(u.Hostname(), "localhost") {
			return invalid("url must point at a public address")
		}
	}
	return nil
}

// publicAddr reports whether ip is routable on the internet (no loopback, private,
// link-local, unspecified or multicast address, and no cloud metadata service).
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() && !ip.IsInterfaceLocalMulticast() &&
		!sharedAddressSpace.Contains(ip)
}

// sharedAddressSpace is carrier-grade NAT (RFC 6598), private in practice.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

func normalizeTypes(in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		if !slices.Contains(events.Types, t) {
			return nil, apperr.InvalidArgument("event_types: unknown type " + quote(t) + " (known: " + strings.Join(events.Types, ", ") + ")")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func quote(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return `"` + s + `"`
}

func (s *Service) audit(ctx context.Context, a brands.Actor, brandID, action, targetID string, detail map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	if detail == nil {
		detail = map[string]any{}
	}
	return s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID,
		Action: action, TargetType: "webhook", TargetID: targetID, Detail: detail, RequestID: a.RequestID,
		CreatedAt: s.Clock.Now()})
}
