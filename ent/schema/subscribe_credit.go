package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SubscribeCredit is one "accept" a member gave in wx.requestSubscribeMessage: it allows
// exactly one later message with that template. Spent at most once (a guarded update).
type SubscribeCredit struct{ ent.Schema }

func (SubscribeCredit) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (SubscribeCredit) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").Immutable().NotEmpty(),
		field.String("template_id").MaxLen(128).Immutable().NotEmpty(),
		// available → spent (a send holds it) or void (WeChat said the user has none left,
		// or the user banned the template); a spent credit goes back to available when the
		// send surely did not reach the user.
		field.Enum("status").Values("available", "spent", "void").Default("available"),
		field.String("send_id").MaxLen(36).Optional().Nillable(),
		field.Time("granted_at").Immutable(),
		field.Time("spent_at").Optional().Nillable(),
	}
}

func (SubscribeCredit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (SubscribeCredit) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "member_id", "template_id", "status", "granted_at"),
	}
}
