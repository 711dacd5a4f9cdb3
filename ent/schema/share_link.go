package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ShareLink is one member's link for one live and channel (and group label for "group").
// The code is global: it is looked up before the brand is known (QR scans, touches).
type ShareLink struct{ ent.Schema }

func (ShareLink) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (ShareLink) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		field.String("member_id").Immutable().NotEmpty(),
		field.Enum("channel").Values("group", "moments", "official_account", "wecom_1v1", "poster", "other").Immutable(),
		// group_label is "" for every channel but group.
		field.String("group_label").MaxLen(64).Immutable().Default(""),
		field.String("code").MaxLen(32).Immutable().NotEmpty().Unique(),
		field.String("url_link").MaxLen(256).Default(""),
		field.Time("url_link_expires_at").Optional().Nillable(),
		// The QR image is stored once so every replica serves the same bytes without calling
		// WeChat again (wxacode is limited to 5,000/min).
		field.Bytes("qr_image").Optional(),
		field.String("qr_content_type").MaxLen(32).Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (ShareLink) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (ShareLink) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "member_id", "channel", "group_label").Unique(),
	}
}
