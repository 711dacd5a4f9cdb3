package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CommissionReversal takes back part or all of a commission (a refund, a cancel, a reassign).
// phase says whether it hit the pending or the available balance; debt_fen is the part the
// available balance could not cover.
type CommissionReversal struct{ ent.Schema }

func (CommissionReversal) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (CommissionReversal) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("commission_id").Immutable().NotEmpty(),
		// cause is the idempotency key of the reversal within its commission.
		field.String("cause").MaxLen(96).Immutable().NotEmpty(),
		field.Int64("amount_fen").Immutable().Positive(),
		field.Enum("phase").Values("pending", "available").Immutable(),
		field.Int64("debt_fen").Immutable().NonNegative().Default(0),
		field.Time("created_at").Immutable(),
	}
}

func (CommissionReversal) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("commission", Commission.Type).Field("commission_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (CommissionReversal) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "commission_id", "cause").Unique(),
	}
}
