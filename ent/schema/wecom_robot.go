package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WecomRobot is a WeCom group robot (群机器人) of a brand. Its webhook key is the only
// credential of the robot, so it is sealed at rest and never read back through the API.
type WecomRobot struct{ ent.Schema }

func (WecomRobot) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (WecomRobot) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("name").MaxLen(64).NotEmpty(),
		field.Bytes("key_sealed").NotEmpty().Sensitive(),
		field.Bool("enabled").Default(true),
		// status is "broken" after WeCom answered that the key is invalid or the robot left
		// the group (93000 and kin); a new key makes it "ok" again.
		field.Enum("status").Values("ok", "broken").Default("ok"),
		field.Int("last_errcode").Default(0),
		field.String("last_error").MaxLen(256).Default(""),
		field.Time("last_sent_at").Optional().Nillable(),
	}
}

func (WecomRobot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (WecomRobot) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "name"),
	}
}
