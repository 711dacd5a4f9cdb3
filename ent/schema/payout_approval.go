package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PayoutApproval is one admin's decision on one payout. Unique per payout × admin, so the
// same admin can never count twice towards a payout needing two approvals.
type PayoutApproval struct{ ent.Schema }

func (PayoutApproval) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (PayoutApproval) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("payout_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("admin_id").MaxLen(36).Immutable().NotEmpty(),
		field.Enum("decision").Values("approve", "reject").Immutable(),
		field.String("note").MaxLen(256).Immutable().Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (PayoutApproval) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("payout", Payout.Type).Field("payout_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (PayoutApproval) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "payout_id", "admin_id").Unique(),
	}
}
