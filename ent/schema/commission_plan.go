package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CommissionPlan is one version of a brand's commission plan. Versions are never edited: an
// order uses the version in force when it was paid.
type CommissionPlan struct{ ent.Schema }

func (CommissionPlan) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (CommissionPlan) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Int("version").Immutable().Positive(),
		// body is the plan as JSON (referral.Plan).
		field.Text("body").Immutable(),
		field.Time("effective_from").Immutable(),
		field.String("created_by").MaxLen(36).Immutable().Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (CommissionPlan) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (CommissionPlan) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "version").Unique(),
		index.Fields("brand_id", "effective_from"),
	}
}
