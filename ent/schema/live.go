package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Live is one Channels live session.
type Live struct{ ent.Schema }

func (Live) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Live) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("title").MaxLen(128).NotEmpty(),
		field.String("notice_id").MaxLen(128).Optional().Nillable(),
		field.String("finder_user_name").MaxLen(64).Default(""),
		field.Time("planned_start_at"),
		field.Time("actual_start_at").Optional().Nillable(),
		field.Time("ended_at").Optional().Nillable(),
		field.Int64("target_reservations").Default(0).NonNegative(),
		field.Enum("status").Values("planned", "reservable", "live", "ended", "settled").Default("planned"),
	}
}

func (Live) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("lives").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (Live) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "status", "planned_start_at"),
		index.Fields("brand_id", "notice_id").Unique(),
	}
}
