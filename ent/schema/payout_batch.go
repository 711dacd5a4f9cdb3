package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PayoutBatch is one "pay everyone of a settled live" run (POST /admin/v1/payout-batches):
// its payouts carry batch_id and go through review like any other; the admin who started it
// (started_by) may not approve them.
type PayoutBatch struct{ ent.Schema }

func (PayoutBatch) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (PayoutBatch) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("started_by").MaxLen(36).Immutable().NotEmpty(),
		field.Int("payouts").Default(0).NonNegative(),
		field.Int64("total_fen").Default(0).NonNegative(),
		field.Time("started_at").Immutable(),
	}
}

func (PayoutBatch) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("live", Live.Type).Field("live_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (PayoutBatch) Indexes() []ent.Index {
	return []ent.Index{
		// One batch per live.
		index.Fields("brand_id", "live_id").Unique(),
	}
}
