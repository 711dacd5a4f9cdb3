package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OrderLine is one line of an order as paid; refunded_fen grows with refunds.
type OrderLine struct{ ent.Schema }

func (OrderLine) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (OrderLine) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("order_id").Immutable().NotEmpty(),
		field.String("line_id").MaxLen(64).Immutable().NotEmpty(),
		field.String("product_id").MaxLen(64).Immutable().Default(""),
		field.String("sku_id").MaxLen(64).Immutable().Default(""),
		field.Enum("product_type").Values("flash_sale", "classic", "profit", "exclusive").Immutable(),
		field.Int64("quantity").Immutable().Positive(),
		field.Int64("paid_fen").Immutable().NonNegative(),
		field.Int64("refunded_fen").Default(0).NonNegative(),
		// open_after_sales counts the open after-sales naming this line (or naming no line): while
		// it is above zero the line's commissions stay pending.
		field.Int("open_after_sales").Default(0).NonNegative(),
	}
}

func (OrderLine) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("order", Order.Type).Field("order_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (OrderLine) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "order_id", "line_id").Unique(),
	}
}
