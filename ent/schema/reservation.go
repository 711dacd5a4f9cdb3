package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Reservation is one viewer's reservation of one live (unique per live and viewer), with the
// inviter who brought it (first inviter wins) and whether it counts for that inviter.
type Reservation struct{ ent.Schema }

func (Reservation) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (Reservation) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("live_id").Immutable().NotEmpty(),
		field.String("viewer_id").Immutable().NotEmpty(),
		// inviter_id, code, channel and group_label are fixed by the first report: first
		// inviter wins.
		field.String("inviter_id").Optional().Nillable().Immutable(),
		field.String("code").MaxLen(32).Immutable().Default(""),
		field.String("channel").MaxLen(32).Immutable().Default(""),
		field.String("group_label").MaxLen(64).Immutable().Default(""),
		field.Enum("status").Values("reserved", "cancelled", "void"),
		field.Enum("risk").Values("clear", "review").Default("clear"),
		field.Bool("counted").Default(false),
		field.String("reason").MaxLen(32).Default(""),
		field.Int("last_state").Default(0),
		field.String("client_ip").MaxLen(64).Default(""),
		// counted_at is when the reservation last became counted: the leaderboard's tie-break
		// (who reached a score first) is the time of an inviter's k-th counted reservation.
		field.Time("counted_at").Optional().Nillable(),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
	}
}

func (Reservation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Reservation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "live_id", "viewer_id").Unique(),
		// one inviter's standing (count + the time of the k-th counted reservation) without
		// touching the table, and their invitees page by page
		index.Fields("brand_id", "live_id", "inviter_id", "counted", "counted_at"),
		index.Fields("brand_id", "live_id", "inviter_id", "id"),
		// the group boards: one group label's standings
		index.Fields("brand_id", "live_id", "group_label", "inviter_id", "counted"),
		// the admin review queue, page by page
		index.Fields("brand_id", "live_id", "risk", "id"),
		// a viewer's own reservations
		index.Fields("brand_id", "viewer_id", "id"),
	}
}
