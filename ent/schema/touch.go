package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Touch is one open of the mini-program through a share code by a logged-in member.
// Append-only: every open is a row.
type Touch struct{ ent.Schema }

func (Touch) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (Touch) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		field.String("link_id").Immutable().NotEmpty(),
		field.String("inviter_id").Immutable().NotEmpty(),
		field.String("visitor_id").Immutable().NotEmpty(),
		field.String("channel").Immutable().MaxLen(32),
		field.String("group_label").Immutable().MaxLen(64).Default(""),
		field.String("client_ip").Immutable().MaxLen(64).Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (Touch) Edges() []ent.Edge {
	return []ent.Edge{
		// Unidirectional (no edge back from Brand): a new entity needs no edit of brand.go.
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Touch) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "created_at"),
		index.Fields("brand_id", "live_id", "inviter_id", "created_at"),
		// attribution: a buyer's last touch
		index.Fields("brand_id", "visitor_id", "created_at"),
	}
}
