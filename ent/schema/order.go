package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Order is one paid order from the Channels shop or the brand's open API, with its current
// attribution. Its lines, attributions, after-sales and commissions hang off it.
type Order struct{ ent.Schema }

func (Order) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Order) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Enum("source").Values("channels", "open_api").Immutable(),
		// external_id is the door's order id as a string: Channels ids exceed 2^53.
		field.String("external_id").MaxLen(64).Immutable().NotEmpty(),
		// body_hash fingerprints the paid order as first received (ORDER_CONFLICT on the open API).
		field.String("body_hash").MaxLen(64).Immutable().NotEmpty(),
		field.String("buyer_openid").MaxLen(64).Immutable().Default(""),
		field.String("buyer_unionid").MaxLen(64).Immutable().Default(""),
		field.String("buyer_member_id").MaxLen(36).Optional().Nillable().Immutable(),
		field.String("ship_city").MaxLen(64).Immutable().Default(""),
		// ship_city_norm drops the administrative suffix ("上海市" → "上海") for out-of-city share.
		field.String("ship_city_norm").MaxLen(64).Immutable().Default(""),
		field.String("live_id").MaxLen(36).Optional().Nillable().Immutable(),
		field.String("share_code").MaxLen(32).Immutable().Default(""),
		field.String("sharer_openid").MaxLen(64).Immutable().Default(""),
		field.String("sharer_unionid").MaxLen(64).Immutable().Default(""),
		field.Int64("total_paid_fen").Immutable().NonNegative(),
		field.Time("paid_at").Immutable(),
		field.Time("confirmed_at").Optional().Nillable(),
		field.Time("settled_at").Optional().Nillable(),
		field.Time("cancelled_at").Optional().Nillable(),
		// hold_ends_at is when the order's pending commissions may become available (DESIGN §3.5).
		field.Time("hold_ends_at"),
		field.Int("plan_version").Immutable().NonNegative(),
		field.String("attributed_member_id").MaxLen(36).Optional().Nillable(),
		field.Enum("attribution_rule").Values("platform_sharer", "share_code", "binding", "last_touch", "none", "admin"),
		field.Int("attribution_version").Positive(),
		field.String("attribution_reason").MaxLen(512).Default(""),
	}
}

func (Order) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Order) Indexes() []ent.Index {
	return []ent.Index{
		// Idempotency of the pay event: one order per door and external id.
		index.Fields("brand_id", "source", "external_id").Unique(),
		index.Fields("brand_id", "live_id", "paid_at"),
		// console stats and exports: a brand's orders by paid time (baseline windows, date ranges)
		index.Fields("brand_id", "paid_at"),
		index.Fields("brand_id", "buyer_member_id", "paid_at"),
		index.Fields("brand_id", "attributed_member_id", "paid_at"),
	}
}
