package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LiveRiskSnapshot keeps a live's reservation counts as they were just before an admin
// acknowledged a risky change (the start leaving the reminder window, the notice revoked or
// replaced, which zeroes WeChat's count): the numbers survive the change.
type LiveRiskSnapshot struct{ ent.Schema }

func (LiveRiskSnapshot) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LiveRiskSnapshot) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").MaxLen(36).Immutable().NotEmpty(),
		field.Text("risks").Immutable(), // JSON array of risk codes
		field.Int64("reserved").Immutable(),
		field.Int64("counted").Immutable(),
		field.String("notice_id").MaxLen(128).Immutable().Default(""),
		field.Time("planned_start_at").Immutable(),
		field.Time("notice_start_at").Optional().Nillable().Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (LiveRiskSnapshot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LiveRiskSnapshot) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "created_at"),
	}
}
