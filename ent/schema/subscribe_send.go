package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SubscribeSend is one subscribe message sharecast decided to send: what, to whom, with
// which credit, and what became of it. Unique per (brand, key): the caller's idempotency key,
// so a re-run of a round sends nothing twice.
type SubscribeSend struct{ ent.Schema }

func (SubscribeSend) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (SubscribeSend) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").Immutable().NotEmpty(),
		field.String("purpose").MaxLen(32).Immutable().NotEmpty(),
		field.String("key").MaxLen(128).Immutable().NotEmpty(),
		field.String("batch").MaxLen(128).Immutable().Default(""),
		// What is (or would be) sent, rendered when the send was requested.
		field.String("template_id").MaxLen(128).Immutable().NotEmpty(),
		field.String("page").MaxLen(1024).Immutable().Default(""),
		field.Text("data").Immutable(),
		field.String("miniprogram_state").MaxLen(16).Immutable().Default("formal"),
		field.String("lang").MaxLen(8).Immutable().Default("zh_CN"),
		// sending is the durable intent written before WeChat is called: a run that finds it
		// knows an earlier run may have sent the message.
		field.Enum("status").Values("no_credit", "queued", "sending", "sent", "refused", "invalid", "failed", "expired", "unknown"),
		field.String("credit_id").MaxLen(36).Optional().Nillable(),
		field.Int("attempts").Default(0).NonNegative(),
		field.Int("errcode").Default(0),
		field.String("error").MaxLen(512).Default(""),
		field.Time("expires_at").Optional().Nillable().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
		field.Time("sent_at").Optional().Nillable(),
	}
}

func (SubscribeSend) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (SubscribeSend) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "key").Unique(),
		index.Fields("brand_id", "batch", "status"),
		index.Fields("brand_id", "member_id", "created_at"),
	}
}
