package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PushSchedule pushes a live's board to WeCom robots on a rhythm relative to the live's start
// (e.g. every 30 min in the 3 hours before, every 5 min in the first 20 minutes).
type PushSchedule struct{ ent.Schema }

func (PushSchedule) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (PushSchedule) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		// robot_ids and phases are JSON (a few entries each, validated by the domain).
		field.Text("robot_ids"),
		field.Text("phases"),
		field.String("format").MaxLen(16),
		field.String("board_window").MaxLen(16),
		field.String("group_label").MaxLen(64).Default(""),
		field.String("privacy").MaxLen(16),
		field.Int("top_n"),
		field.Bool("enabled").Default(true),
		// last_slot_at is the last slot pushed: a guarded update on it makes exactly one
		// replica push each slot.
		field.Time("last_slot_at").Optional().Nillable(),
	}
}

func (PushSchedule) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (PushSchedule) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id"),
		// the tick scans enabled schedules of every brand by id
		index.Fields("enabled", "id"),
	}
}
