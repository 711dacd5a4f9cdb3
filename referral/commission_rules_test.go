package referral

import (
	"math"
	"testing"
)

func TestSplit(t *testing.T) {
	plan := Plan{
		Types: map[string]Rate{
			ProductFlashSale: {BPS: 500},             // 5%
			ProductClassic:   {FixedFenPerUnit: 300}, // 3 yuan a unit
			ProductProfit:    {BPS: 1500},
			ProductExclusive: {BPS: 1000},
		},
		SKUs: map[string]SKUOverride{
			"sku-fixed":    {Tier1: Rate{FixedFenPerUnit: 1000}},
			"sku-t2":       {Tier1: Rate{BPS: 100}, Tier2: &Rate{FixedFenPerUnit: 7}},
			"sku-no-comm":  {},
			"sku-over-cap": {Tier1: Rate{BPS: 4000}},
		},
		Tier2:      Rate{BPS: 300},
		LineCapBPS: 3000,
		Products:   map[string]string{"p-profit": ProductProfit},
	}.Normalize()
	a := CommissionParties{BuyerID: "buyer", Tier1ID: "A", RecruiterID: "R"}
	noRecruiter := CommissionParties{BuyerID: "buyer", Tier1ID: "A"}
	cases := []struct {
		name   string
		plan   Plan
		line   CommissionLine
		who    CommissionParties
		t1, t2 int64
	}{
		{"bps by type, tier 2 by bps", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000}, a, 500, 300},
		{"fixed per unit times quantity", plan, CommissionLine{ProductType: ProductClassic, Quantity: 3, PaidFen: 9_900}, a, 900, 297},
		{"flooring each tier to the fen", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 999}, a, 49, 29},
		{"type from the plan's product map", plan, CommissionLine{ProductID: "p-profit", Quantity: 1, PaidFen: 1000}, a, 150, 30},
		{"unknown product uses the default type (classic)", plan, CommissionLine{ProductID: "?", Quantity: 2, PaidFen: 10_000}, a, 600, 300},
		{"SKU override replaces the type's rate", plan, CommissionLine{SKUID: "sku-fixed", ProductType: ProductFlashSale, Quantity: 2, PaidFen: 100_000}, a, 2000, 3000},
		{"SKU override with its own tier 2", plan, CommissionLine{SKUID: "sku-t2", ProductType: ProductProfit, Quantity: 3, PaidFen: 10_000}, a, 100, 21},
		{"SKU override paying nothing", plan, CommissionLine{SKUID: "sku-no-comm", ProductType: ProductProfit, Quantity: 1, PaidFen: 10_000}, a, 0, 300},
		{"under the cap nothing is trimmed", plan, CommissionLine{ProductType: ProductProfit, Quantity: 1, PaidFen: 1000}, CommissionParties{Tier1ID: "A", RecruiterID: "R"}, 150, 30},
		{"cap: tier 1 at 40% is cut to 30%, tier 2 to nothing", plan, CommissionLine{SKUID: "sku-over-cap", Quantity: 1, PaidFen: 10_000}, a, 3000, 0},
		{"cap trims tier 2 first: it keeps the rest", Plan{Types: map[string]Rate{ProductProfit: {BPS: 2800}}, Tier2: Rate{BPS: 500}, LineCapBPS: 3000}.Normalize(),
			CommissionLine{ProductType: ProductProfit, Quantity: 1, PaidFen: 10_000}, a, 2800, 200},
		{"fixed never above what the line paid", Plan{Types: map[string]Rate{ProductClassic: {FixedFenPerUnit: 5000}}, LineCapBPS: 10_000}.Normalize(),
			CommissionLine{ProductType: ProductClassic, Quantity: 3, PaidFen: 100}, noRecruiter, 100, 0},
		{"fixed × huge quantity does not overflow", Plan{Types: map[string]Rate{ProductClassic: {FixedFenPerUnit: math.MaxInt64 / 2}}, LineCapBPS: 10_000}.Normalize(),
			CommissionLine{ProductType: ProductClassic, Quantity: 1_000_000, PaidFen: 5000}, noRecruiter, 5000, 0},
		{"no recruiter, no tier 2", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000}, noRecruiter, 500, 0},
		{"no beneficiary, nothing", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000}, CommissionParties{BuyerID: "b"}, 0, 0},
		{"self-purchase off: nothing for either tier", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000},
			CommissionParties{BuyerID: "A", Tier1ID: "A", RecruiterID: "R"}, 0, 0},
		{"self-purchase on", Plan{Types: plan.Types, Tier2: plan.Tier2, LineCapBPS: 3000, SelfPurchase: true}.Normalize(),
			CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000}, CommissionParties{BuyerID: "A", Tier1ID: "A", RecruiterID: "R"}, 500, 300},
		{"the recruiter buying gets no tier 2 with self-purchase off", plan, CommissionLine{ProductType: ProductFlashSale, Quantity: 1, PaidFen: 10_000},
			CommissionParties{BuyerID: "R", Tier1ID: "A", RecruiterID: "R"}, 500, 0},
		{"a zero-paid line earns nothing", plan, CommissionLine{ProductType: ProductClassic, Quantity: 1, PaidFen: 0}, a, 0, 0},
		{"the default plan pays nothing", DefaultPlan(), CommissionLine{ProductType: ProductProfit, Quantity: 1, PaidFen: 10_000}, a, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.plan.Split(c.line, c.who)
			if got.Tier1Fen != c.t1 || got.Tier2Fen != c.t2 {
				t.Fatalf("Split = tier1 %d, tier2 %d (%s); want %d, %d", got.Tier1Fen, got.Tier2Fen, got.Note, c.t1, c.t2)
			}
			capFen := MulDivFloor(c.line.PaidFen, c.plan.LineCapBPS, 10_000)
			if got.Tier1Fen+got.Tier2Fen > capFen || got.Tier1Fen < 0 || got.Tier2Fen < 0 {
				t.Fatalf("tiers %d + %d break the cap %d", got.Tier1Fen, got.Tier2Fen, capFen)
			}
		})
	}
}

func TestReversalFen(t *testing.T) {
	cases := []struct {
		name                                               string
		commission, reversed, refund, paid, refundedBefore int64
		want                                               int64
	}{
		{"partial refund floors c × refund / paid", 333, 0, 1000, 3000, 0, 111},
		{"flooring", 100, 0, 1, 3, 0, 33},
		{"second partial refund floors its own share", 100, 33, 1, 3, 1, 33},
		{"the last refund reverses exactly what is left", 100, 66, 1, 3, 2, 34},
		{"a full refund reverses everything", 777, 0, 5000, 5000, 0, 777},
		{"a refund past what is left still only reverses what is left", 100, 90, 2, 3, 0, 10},
		{"nothing left", 100, 100, 1, 3, 1, 0},
		{"zero refund", 100, 0, 0, 3, 0, 0},
		{"large amounts do not overflow", 1 << 40, 0, 1 << 40, 1 << 41, 0, 1 << 39},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ReversalFen(c.commission, c.reversed, c.refund, c.paid, c.refundedBefore); got != c.want {
				t.Fatalf("ReversalFen = %d, want %d", got, c.want)
			}
		})
	}
}

// Whatever the sequence of partial refunds, the reversals never exceed the commission and
// the refund that completes the line reverses it to zero.
func TestReversalsSumToTheCommission(t *testing.T) {
	for _, paid := range []int64{1, 3, 7, 1000, 99_999} {
		for _, c := range []int64{0, 1, 2, 33, 100, 29_999} {
			reversed, refunded := int64(0), int64(0)
			step := max(paid/3, 1)
			for refunded < paid {
				r := min(step, paid-refunded)
				reversed += ReversalFen(c, reversed, r, paid, refunded)
				refunded += r
				if reversed > c {
					t.Fatalf("paid %d, c %d: reversed %d > commission", paid, c, reversed)
				}
			}
			if reversed != c {
				t.Fatalf("paid %d, c %d: a full refund reversed %d", paid, c, reversed)
			}
		}
	}
}

func TestMulDivFloor(t *testing.T) {
	cases := []struct{ a, b, c, want int64 }{
		{10, 3, 4, 7},
		{0, 5, 2, 0},
		{math.MaxInt64, 10_000, 10_000, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, 1, math.MaxInt64},
		{-1, 5, 2, 0},
	}
	for _, c := range cases {
		if got := MulDivFloor(c.a, c.b, c.c); got != c.want {
			t.Errorf("MulDivFloor(%d, %d, %d) = %d, want %d", c.a, c.b, c.c, got, c.want)
		}
	}
}

func FuzzSplitNeverBreaksTheCap(f *testing.F) {
	f.Add(int64(500), int64(0), int64(300), int64(3000), int64(2), int64(9999))
	f.Add(int64(0), int64(100000), int64(10000), int64(1), int64(1000000), int64(1))
	f.Fuzz(func(t *testing.T, bps, fixed, t2bps, capBPS, qty, paid int64) {
		r := Rate{BPS: bps}
		if fixed != 0 {
			r = Rate{FixedFenPerUnit: fixed}
		}
		p := Plan{Types: map[string]Rate{ProductClassic: r}, Tier2: Rate{BPS: t2bps}, LineCapBPS: capBPS}.Normalize()
		if p.Validate() != nil || qty < 1 || qty > maxLineQuantity || paid < 0 || paid > maxLinePaidFen {
			return
		}
		s := p.Split(CommissionLine{ProductType: ProductClassic, Quantity: qty, PaidFen: paid}, CommissionParties{Tier1ID: "a", RecruiterID: "r"})
		if s.Tier1Fen < 0 || s.Tier2Fen < 0 || s.Tier1Fen+s.Tier2Fen > MulDivFloor(paid, capBPS, 10_000) {
			t.Fatalf("split %+v breaks the cap of %d bps on %d fen", s, capBPS, paid)
		}
	})
}
