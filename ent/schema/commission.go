package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Commission is one beneficiary's commission on one order line under one attribution version
// (DESIGN §3.5). amount_fen never changes; reversals are their own rows, reversed_fen is their
// running sum (kept in the same transaction as the rows).
type Commission struct{ ent.Schema }

func (Commission) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Commission) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("order_id").Immutable().NotEmpty(),
		field.String("order_line_id").Immutable().NotEmpty(),
		// live_id is the order's live, copied so a live's settlement needs no join.
		field.String("live_id").MaxLen(36).Optional().Nillable().Immutable(),
		field.String("beneficiary_id").MaxLen(36).Immutable().NotEmpty(),
		field.Int("tier").Immutable().Range(1, 2),
		field.Int("attribution_version").Immutable().Positive(),
		field.Int("plan_version").Immutable().NonNegative(),
		field.Enum("product_type").Values("flash_sale", "classic", "profit", "exclusive").Immutable(),
		field.Int64("amount_fen").Immutable().Positive(),
		field.Int64("reversed_fen").Default(0).NonNegative(),
		field.Enum("status").Values("pending", "available", "reversed"),
		// due_at is when the holding period ends (copied from the order, moved by a confirmation).
		field.Time("due_at"),
		field.Time("available_at").Optional().Nillable(),
	}
}

func (Commission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("order", Order.Type).Field("order_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("line", OrderLine.Type).Field("order_line_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Commission) Indexes() []ent.Index {
	return []ent.Index{
		// I3: at most one commission per line × beneficiary × tier × attribution version.
		index.Fields("brand_id", "order_line_id", "beneficiary_id", "tier", "attribution_version").Unique(),
		index.Fields("brand_id", "status", "due_at"),
		index.Fields("brand_id", "beneficiary_id", "created_at"),
		index.Fields("brand_id", "order_id"),
		index.Fields("brand_id", "live_id", "status"),
	}
}
