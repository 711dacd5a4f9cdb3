package reminders

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Limits on a template's configuration.
const (
	maxTemplateFields = 10
	maxFieldTextRunes = 200
	maxPageBytes      = 512
)

var (
	templateIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	variableRe   = regexp.MustCompile(`^[a-z_]{1,32}$`)
	pageRe       = regexp.MustCompile(`^[A-Za-z0-9_\-./]+(\?.*)?$`)
)

// TemplateInput configures a purpose's template.
type TemplateInput struct {
	TemplateID       string
	Page             string
	Fields           map[string]string
	MiniprogramState string // "" → formal
	Lang             string // "" → zh_CN
}

// Templates lists a brand's templates.
func (s *Service) Templates(ctx context.Context, brandID string) ([]Template, error) {
	return s.Store.SubscribeTemplates(ctx, brandID)
}

// PutTemplate sets the template of a purpose (owner or operator), audited.
func (s *Service) PutTemplate(ctx context.Context, a brands.Actor, brandID string, p Purpose, in TemplateInput) (Template, error) {
	if !p.Valid() {
		return Template{}, apperr.NotFoundf("no such purpose %q", p)
	}
	t, err := newTemplate(brandID, p, in)
	if err != nil {
		return Template{}, err
	}
	now := s.Clock.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	var out Template
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		out, err = s.Store.PutSubscribeTemplate(ctx, t)
		if errors.Is(err, ErrDuplicate) {
			// Two first configurations of one purpose at once: the loser may simply retry.
			return apperr.New(apperr.Conflict, "CONCURRENT_UPDATE", "the template was configured at the same time; try again")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, a, brandID, "subscribe_template.put", string(p), map[string]any{
			"purpose": string(p), "template_id": t.TemplateID, "page": t.Page, "fields": t.Fields})
	})
	return out, err
}

// DeleteTemplate removes the template of a purpose, audited. Credits stay: they belong to
// WeChat's template, which the brand may configure again.
func (s *Service) DeleteTemplate(ctx context.Context, a brands.Actor, brandID string, p Purpose) error {
	if !p.Valid() {
		return apperr.NotFoundf("no such purpose %q", p)
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		err := s.Store.DeleteSubscribeTemplate(ctx, brandID, p)
		if errors.Is(err, ErrNotFound) {
			return apperr.NotFoundf("no template is configured for %s", p)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, a, brandID, "subscribe_template.delete", string(p), map[string]any{"purpose": string(p)})
	})
}

// newTemplate validates a configuration: WeChat's field names, placeholders that name the
// purpose's variables, and fixed text that already obeys its field's rule.
func newTemplate(brandID string, p Purpose, in TemplateInput) (Template, error) {
	invalid := func(format string, a ...any) (Template, error) {
		return Template{}, apperr.InvalidArgument(fmt.Sprintf(format, a...))
	}
	if !templateIDRe.MatchString(in.TemplateID) {
		return invalid("template_id must be WeChat's template id: 1-128 letters, digits, _ or -")
	}
	if len(in.Page) > maxPageBytes || (in.Page != "" && (strings.HasPrefix(in.Page, "/") || !pageRe.MatchString(in.Page))) {
		return invalid("page must be a mini-program page path without a leading / (an optional ?query may follow), at most %d bytes", maxPageBytes)
	}
	if len(in.Fields) == 0 || len(in.Fields) > maxTemplateFields {
		return invalid("fields must map 1 to %d WeChat data keys (thing1, time2, …) to text", maxTemplateFields)
	}
	state := cmpOr(in.MiniprogramState, "formal")
	if !slices.Contains([]string{"formal", "trial", "developer"}, state) {
		return invalid("miniprogram_state must be formal, trial or developer")
	}
	lang := cmpOr(in.Lang, "zh_CN")
	if !slices.Contains([]string{"zh_CN", "en_US", "zh_HK", "zh_TW"}, lang) {
		return invalid("lang must be zh_CN, en_US, zh_HK or zh_TW")
	}
	allowed := Variables[p]
	if _, err := parseText(in.Page, allowed); err != nil {
		return invalid("page: %v", err)
	}
	fields := make(map[string]string, len(in.Fields))
	for key, text := range in.Fields {
		if _, ok := FieldKind(key); !ok {
			return invalid("fields.%s is not a WeChat data key (a kind such as thing, time, amount followed by digits)", key)
		}
		if n := len([]rune(text)); n == 0 || n > maxFieldTextRunes {
			return invalid("fields.%s must be 1 to %d characters", key, maxFieldTextRunes)
		}
		parts, err := parseText(text, allowed)
		if err != nil {
			return invalid("fields.%s: %v", key, err)
		}
		if !hasPlaceholder(parts) {
			// Fixed text never changes, so its rule can be checked now.
			if err := CheckField(key, text); err != nil {
				return Template{}, fieldInvalid(err)
			}
		}
		fields[key] = text
	}
	return Template{BrandID: brandID, Purpose: p, TemplateID: in.TemplateID, Page: in.Page, Fields: fields,
		MiniprogramState: state, Lang: lang}, nil
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// textPart is literal text or a {variable}.
type textPart struct {
	text     string
	variable bool
}

// parseText splits "a {x} b" into parts; every {…} must name an allowed variable.
func parseText(s string, allowed []string) ([]textPart, error) {
	var parts []textPart
	for s != "" {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			if strings.IndexByte(s, '}') >= 0 {
				return nil, errors.New("a } without its {")
			}
			parts = append(parts, textPart{text: s})
			break
		}
		if strings.IndexByte(s[:open], '}') >= 0 {
			return nil, errors.New("a } without its {")
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return nil, errors.New("a { without its }")
		}
		name := s[open+1 : open+end]
		if !variableRe.MatchString(name) || !slices.Contains(allowed, name) {
			return nil, fmt.Errorf("{%s} is not a variable of this purpose (use %s)", name, strings.Join(braced(allowed), ", "))
		}
		if open > 0 {
			parts = append(parts, textPart{text: s[:open]})
		}
		parts = append(parts, textPart{text: name, variable: true})
		s = s[open+end+1:]
	}
	return parts, nil
}

func braced(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{" + n + "}"
	}
	return out
}

func hasPlaceholder(parts []textPart) bool {
	return slices.ContainsFunc(parts, func(p textPart) bool { return p.variable })
}

// render fills the template with values and checks every field's rule. The page's values
// are query-escaped.
func (t Template) render(values map[string]string) (page string, data map[string]string, err error) {
	allowed := Variables[t.Purpose]
	fill := func(text string, escape bool) (string, error) {
		parts, err := parseText(text, allowed)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, p := range parts {
			if !p.variable {
				b.WriteString(p.text)
				continue
			}
			v, ok := values[p.text]
			if !ok {
				return "", apperr.New(apperr.Invalid, "SUBSCRIBE_VALUE_MISSING", "the template uses {"+p.text+"}, which the send does not supply").
					WithDetails(map[string]any{"variable": p.text})
			}
			if escape {
				v = url.QueryEscape(v)
			}
			b.WriteString(v)
		}
		return b.String(), nil
	}
	if page, err = fill(t.Page, true); err != nil {
		return "", nil, err
	}
	data = make(map[string]string, len(t.Fields))
	for _, key := range slices.Sorted(maps.Keys(t.Fields)) {
		v, err := fill(t.Fields[key], false)
		if err != nil {
			return "", nil, err
		}
		if err := CheckField(key, v); err != nil {
			return "", nil, fieldInvalid(err)
		}
		data[key] = v
	}
	return page, data, nil
}

// fieldInvalid is the caller's error for a value that breaks WeChat's rule: it names the field.
func fieldInvalid(err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err
	}
	return apperr.New(apperr.Invalid, "SUBSCRIBE_FIELD_INVALID", "subscribe message field "+fe.Error()).
		WithDetails(map[string]any{"field": fe.Field})
}
