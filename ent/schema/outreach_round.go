package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OutreachRound is one shortfall check of a live (e.g. t30: start − 30 min): the counts it
// saw and whether a second round went out. Unique per (brand, live, round), so the check runs
// once however often the tick fires.
type OutreachRound struct{ ent.Schema }

func (OutreachRound) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (OutreachRound) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("round").MaxLen(16).Immutable().NotEmpty(),
		field.Int("lead_minutes").Immutable(),
		field.Int64("counted").Immutable(),
		field.Int64("target").Immutable(),
		// shortfall (actions queued) or target_met (nothing to send).
		field.String("outcome").MaxLen(16).Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (OutreachRound) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (OutreachRound) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "round").Unique(),
	}
}
