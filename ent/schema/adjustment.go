package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Adjustment is a ledger movement an admin made by hand: a prize or a credit to a member's
// available balance, or an owner's write-off of a member's debt. Audited.
type Adjustment struct{ ent.Schema }

func (Adjustment) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (Adjustment) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").MaxLen(36).Immutable().NotEmpty(),
		field.Enum("kind").Values("prize", "credit", "debt_write_off").Immutable(),
		field.Int64("amount_fen").Immutable().Positive(),
		field.String("reason").MaxLen(256).Immutable().NotEmpty(),
		field.String("admin_id").MaxLen(36).Immutable().Default(""),
		// idempotency_key is the optional Idempotency-Key header; body_hash tells a replay from reuse.
		field.String("idempotency_key").MaxLen(128).Optional().Nillable().Immutable(),
		field.String("body_hash").MaxLen(64).Immutable().Default(""),
		field.String("transaction_id").Immutable().NotEmpty(),
		field.Time("created_at").Immutable(),
	}
}

func (Adjustment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("transaction", LedgerTransaction.Type).Field("transaction_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Adjustment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "idempotency_key").Unique(),
		index.Fields("brand_id", "member_id", "created_at"),
	}
}
