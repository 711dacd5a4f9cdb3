package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LeaderboardShare is a public read-only board page (/lb/{token}). Only the SHA-256 of the
// token is stored: it is a bearer secret, looked up before the brand is known, so the hash is
// globally unique.
type LeaderboardShare struct{ ent.Schema }

func (LeaderboardShare) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LeaderboardShare) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		field.Bytes("token_hash").Immutable().NotEmpty().Unique().MaxLen(32),
		field.String("board_window").MaxLen(16).Immutable(),
		field.String("group_label").MaxLen(64).Immutable().Default(""),
		field.String("privacy").MaxLen(16).Immutable(),
		field.Int("top_n").Immutable(),
		field.String("created_by").MaxLen(36).Immutable().Default(""),
		field.Time("created_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (LeaderboardShare) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LeaderboardShare) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "created_at"),
	}
}
