package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ChannelsNotice is one live notice (直播预告) of a brand's Channels account as the notice
// sync last saw it, linked to the brand's live with that notice id, with the last change the
// sync detected (revoked, start moved, gone from the list).
type ChannelsNotice struct{ ent.Schema }

func (ChannelsNotice) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (ChannelsNotice) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("notice_id").MaxLen(128).Immutable().NotEmpty(),
		// WeChat's status: 0 available, 1 cancelled, 2 used; -1 when the notice left the list.
		field.Int("status"),
		field.String("status_wording").MaxLen(32).Default(""),
		field.Time("start_at"),
		field.String("description").MaxLen(512).Default(""),
		// state is ours: available, revoked, used, missing.
		field.String("state").MaxLen(16),
		field.String("live_id").MaxLen(36).Optional().Nillable(),
		// The last change detected: revoked, start_moved, used, missing, restored.
		field.String("change").MaxLen(16).Default(""),
		field.Time("changed_at").Optional().Nillable(),
		field.Time("previous_start_at").Optional().Nillable(),
		field.Time("first_seen_at").Immutable(),
		field.Time("synced_at"),
	}
}

func (ChannelsNotice) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (ChannelsNotice) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "notice_id").Unique(),
		index.Fields("brand_id", "start_at"),
	}
}
