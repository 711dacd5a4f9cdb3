package referral

import (
	"strings"
	"testing"
	"time"
)

func TestBindingOffer(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	bound := func(sharer, mode string, expires, protected *time.Time) Binding {
		return Binding{BuyerID: "B", SharerID: sharer, Mode: mode, BoundAt: t0, ExpiresAt: expires, ProtectedUntil: protected}
	}
	unbound := Binding{BuyerID: "B"}
	first := BindingRules{Mode: BindFirstTouch}
	window := BindingRules{Mode: BindWindow, WindowDays: 30}
	last := BindingRules{Mode: BindLastTouch}
	lastProtected := BindingRules{Mode: BindLastTouch, ProtectionDays: 7}
	newOnly := BindingRules{Mode: BindLastTouch, NewBuyersOnly: true}
	cases := []struct {
		name   string
		rules  BindingRules
		cur    Binding
		offer  BindingOffer
		bind   bool
		sharer string
	}{
		{"unbound buyer is bound", first, unbound, BindingOffer{SharerID: "A", At: t0}, true, "A"},
		{"self-binding refused", first, unbound, BindingOffer{SharerID: "B", At: t0}, false, ""},
		{"loop refused", last, unbound, BindingOffer{SharerID: "A", At: t0, Loop: true}, false, ""},
		{"first_touch keeps the first sharer", first, bound("A", BindFirstTouch, nil, nil), BindingOffer{SharerID: "C", At: t0.Add(400 * day)}, false, "A"},
		{"window keeps the sharer inside the window", window, bound("A", BindWindow, at(30*day), nil), BindingOffer{SharerID: "C", At: t0.Add(29 * day)}, false, "A"},
		{"window rebinds after it expires", window, bound("A", BindWindow, at(30*day), nil), BindingOffer{SharerID: "C", At: t0.Add(30 * day)}, true, "C"},
		{"window: the same sharer renews after expiry", window, bound("A", BindWindow, at(30*day), nil), BindingOffer{SharerID: "A", At: t0.Add(31 * day)}, true, "A"},
		{"last_touch: a new sharer takes the buyer", last, bound("A", BindLastTouch, nil, nil), BindingOffer{SharerID: "C", At: t0.Add(time.Hour)}, true, "C"},
		{"last_touch: nobody takes a protected buyer", lastProtected, bound("A", BindLastTouch, nil, at(7*day)), BindingOffer{SharerID: "C", At: t0.Add(6 * day)}, false, "A"},
		{"last_touch: after protection the buyer can be taken", lastProtected, bound("A", BindLastTouch, nil, at(7*day)), BindingOffer{SharerID: "C", At: t0.Add(7 * day)}, true, "C"},
		{"same sharer again changes nothing", last, bound("A", BindLastTouch, nil, nil), BindingOffer{SharerID: "A", At: t0.Add(day)}, false, "A"},
		{"new buyers only: a buyer who ordered before is not bound", newOnly, unbound, BindingOffer{SharerID: "A", At: t0, BuyerOrderedBefore: true}, false, ""},
		{"new buyers only: a new buyer is bound", newOnly, unbound, BindingOffer{SharerID: "A", At: t0}, true, "A"},
		{"no sharer, nothing", last, unbound, BindingOffer{At: t0}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.rules.Validate(); err != nil {
				t.Fatal(err)
			}
			d := c.rules.Offer(c.cur, c.offer)
			if d.Bind != c.bind || d.Next.SharerID != c.sharer || d.Reason == "" {
				t.Fatalf("Offer = bind %v to %q (%s); want bind %v to %q", d.Bind, d.Next.SharerID, d.Reason, c.bind, c.sharer)
			}
			if d.Bind && (!d.Next.BoundAt.Equal(c.offer.At) || d.Next.BuyerID != "B") {
				t.Fatalf("a new binding starts at the offer: %+v", d.Next)
			}
		})
	}
	d := window.Offer(unbound, BindingOffer{SharerID: "A", At: t0})
	if d.Next.ExpiresAt == nil || !d.Next.ExpiresAt.Equal(t0.Add(30*day)) {
		t.Fatalf("window binding expires at %v", d.Next.ExpiresAt)
	}
	d = lastProtected.Offer(unbound, BindingOffer{SharerID: "A", At: t0})
	if d.Next.ProtectedUntil == nil || !d.Next.ProtectedUntil.Equal(t0.Add(7*day)) {
		t.Fatalf("protected until %v", d.Next.ProtectedUntil)
	}
}

func TestBindingRulesValidate(t *testing.T) {
	bad := []BindingRules{
		{Mode: "sometimes"},
		{Mode: BindWindow},
		{Mode: BindWindow, WindowDays: 10, ProtectionDays: 11},
		{Mode: BindFirstTouch, WindowDays: 3},
		{Mode: BindLastTouch, ProtectionDays: -1},
		{Mode: BindLastTouch, ProtectionDays: 5000},
	}
	for _, r := range bad {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v validated", r)
		}
	}
	if err := DefaultBindingRules().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestAttribute(t *testing.T) {
	member := func(id string) Candidate { return Candidate{MemberID: id} }
	banned := Candidate{MemberID: "X", Skip: "the member is banned"}
	cases := []struct {
		name     string
		in       AttributionInput
		member   string
		rule     string
		contains string
	}{
		{"platform sharer first", AttributionInput{Platform: member("P"), PlatformGiven: true, ShareCode: member("S"), ShareCodeGiven: true,
			Binding: member("B"), LastTouch: member("T")}, "P", RulePlatformSharer, "platform"},
		{"share code before binding", AttributionInput{ShareCode: member("S"), ShareCodeGiven: true, Binding: member("B"), LastTouch: member("T")},
			"S", RuleShareCode, "share code"},
		{"binding before last touch", AttributionInput{Binding: member("B"), LastTouch: member("T")}, "B", RuleBinding, "binding"},
		{"last touch last", AttributionInput{LastTouch: member("T")}, "T", RuleLastTouch, "last touch"},
		{"nobody", AttributionInput{}, "", RuleNone, "no sharer"},
		{"an unmatched platform sharer falls through and is noted", AttributionInput{PlatformGiven: true, Binding: member("B")},
			"B", RuleBinding, "not matched"},
		{"an unknown share code falls through and is noted", AttributionInput{ShareCodeGiven: true, ShareCode: Candidate{Skip: "unknown share code zz"}, LastTouch: member("T")},
			"T", RuleLastTouch, "unknown share code zz"},
		{"a banned sharer is passed over", AttributionInput{ShareCode: banned, ShareCodeGiven: true, Binding: member("B")},
			"B", RuleBinding, "banned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Attribute(c.in)
			if a.MemberID != c.member || a.Rule != c.rule || !strings.Contains(a.Reason, c.contains) {
				t.Fatalf("Attribute = %+v; want %q by %s with %q in the reason", a, c.member, c.rule, c.contains)
			}
		})
	}
}

func TestPlanValidate(t *testing.T) {
	ok := DefaultPlan()
	ok.Types[ProductClassic] = Rate{BPS: 1000}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(p *Plan){
		func(p *Plan) { p.Types["souvenir"] = Rate{BPS: 1} },
		func(p *Plan) { p.Types[ProductClassic] = Rate{BPS: 10, FixedFenPerUnit: 10} },
		func(p *Plan) { p.Types[ProductClassic] = Rate{BPS: 10_001} },
		func(p *Plan) { p.Types[ProductClassic] = Rate{FixedFenPerUnit: -1} },
		func(p *Plan) { p.Tier2 = Rate{BPS: -5} },
		func(p *Plan) { p.LineCapBPS = 0 },
		func(p *Plan) { p.LineCapBPS = 10_001 },
		func(p *Plan) { p.SKUs[""] = SKUOverride{} },
		func(p *Plan) { p.SKUs["s"] = SKUOverride{Tier2: &Rate{BPS: 20_000}} },
		func(p *Plan) { p.Products["p"] = "souvenir" },
		func(p *Plan) { p.DefaultProductType = "souvenir" },
	}
	for i, f := range bad {
		p := DefaultPlan()
		f(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("bad plan %d validated: %+v", i, p)
		}
	}
}

func TestNormalizeCity(t *testing.T) {
	for in, want := range map[string]string{"上海市": "上海", " 上海 ": "上海", "香港特别行政区": "香港", "市": "市", "": ""} {
		if got := NormalizeCity(in); got != want {
			t.Errorf("NormalizeCity(%q) = %q, want %q", in, got, want)
		}
	}
}
