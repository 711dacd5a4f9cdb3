package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AfterSale is one after-sale (Channels) or refund (open API) of an order. It moves only
// forward: open → refunded | closed; the refund is applied once, on the move to refunded.
type AfterSale struct{ ent.Schema }

func (AfterSale) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (AfterSale) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("order_id").Immutable().NotEmpty(),
		// after_sale_id is the door's id (Channels after_sale_order_id, open API refund_id).
		field.String("after_sale_id").MaxLen(64).Immutable().NotEmpty(),
		field.Enum("state").Values("open", "refunded", "closed"),
		// lines is the JSON of the refunded lines [{line_id, refund_fen}] (empty while open).
		field.Text("lines").Default("[]"),
		// body_hash fingerprints an open API refund (same refund_id, other body → 409).
		field.String("body_hash").MaxLen(64).Default(""),
		field.Time("at"),
	}
}

func (AfterSale) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("order", Order.Type).Field("order_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (AfterSale) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "order_id", "after_sale_id").Unique(),
		index.Fields("brand_id", "order_id", "state"),
	}
}
