package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LeaderboardPush is one message (markdown or image) of a board to one WeCom robot, on demand
// or from a schedule: the durable intent the send job works on and the result the admin sees.
type LeaderboardPush struct{ ent.Schema }

func (LeaderboardPush) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LeaderboardPush) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		field.String("robot_id").Immutable().NotEmpty(),
		// robot_name is kept so the result still reads well after the robot is deleted.
		field.String("robot_name").MaxLen(64).Immutable().Default(""),
		field.String("schedule_id").MaxLen(36).Immutable().Default(""),
		field.Enum("kind").Values("markdown", "image").Immutable(),
		field.String("board_window").MaxLen(16).Immutable(),
		field.String("group_label").MaxLen(64).Immutable().Default(""),
		field.String("privacy").MaxLen(16).Immutable(),
		field.Int("top_n").Immutable(),
		field.Enum("status").Values("queued", "retrying", "sent", "failed").Default("queued"),
		field.Int("attempts").Default(0),
		field.Int("errcode").Default(0),
		field.String("error").MaxLen(256).Default(""),
		field.Int("bytes").Default(0),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
		field.Time("sent_at").Optional().Nillable(),
	}
}

func (LeaderboardPush) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LeaderboardPush) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "id"),
		index.Fields("brand_id", "status", "id"),
	}
}
