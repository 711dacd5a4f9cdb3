package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Member is a community member of one brand, identified by the mini-program openid.
type Member struct{ ent.Schema }

func (Member) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Member) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("openid").MaxLen(64).Immutable().NotEmpty(),
		field.String("unionid").MaxLen(64).Optional().Nillable(),
		field.String("nickname").MaxLen(64).Default(""),
		field.String("avatar_url").MaxLen(512).Default(""),
		field.Enum("status").Values("active", "frozen", "banned").Default("active"),
		field.Bool("leaderboard_visible").Default(true),
		// real_name_sealed is needed only for transfers of 2,000 yuan or more.
		field.Bytes("real_name_sealed").Optional().Sensitive(),
		// recruiter_id is the tier-2 link: set once at creation, never to a descendant.
		field.String("recruiter_id").Optional().Nillable().Immutable(),
		field.Time("last_login_at").Optional().Nillable(),
	}
}

func (Member) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("brand", Brand.Type).Ref("members").Field("brand_id").Unique().Required().Immutable(),
	}
}

func (Member) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "openid").Unique(),
		index.Fields("brand_id", "unionid"),
		index.Fields("brand_id", "recruiter_id"),
	}
}
