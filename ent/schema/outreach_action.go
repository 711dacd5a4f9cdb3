package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OutreachAction is one action of a shortfall round (subscribe reminders, the WeCom board
// push, the task messages to top inviters and group owners): worked by its own job, done
// once (pending → done | skipped under a guarded update), with what it sent and to how many.
type OutreachAction struct{ ent.Schema }

func (OutreachAction) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (OutreachAction) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("round_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("live_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("kind").MaxLen(32).Immutable().NotEmpty(),
		field.String("status").MaxLen(16),
		// recipients: members (or robots) addressed; queued: messages actually queued.
		field.Int("recipients").Default(0),
		field.Int("queued").Default(0),
		field.String("batch").MaxLen(128).Default(""),
		field.String("note").MaxLen(512).Default(""),
		field.Time("created_at").Immutable(),
		field.Time("done_at").Optional().Nillable(),
	}
}

func (OutreachAction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (OutreachAction) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "round_id", "kind").Unique(),
		index.Fields("brand_id", "live_id"),
	}
}
