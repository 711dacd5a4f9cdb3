package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LedgerAccount is one account of the double-entry ledger (DESIGN §5): a member's pending,
// available, in_flight, paid (credit-normal) or debt (debit-normal) account, or one of the
// brand's own accounts. balance_fen caches the balance on the normal side for member accounts
// (kept by guarded UPDATEs in the posting transaction, so it can never go below zero); the
// entries are the truth and `sharecast ledger verify` checks the cache against them.
type LedgerAccount struct{ ent.Schema }

func (LedgerAccount) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LedgerAccount) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Enum("owner_type").Values("member", "brand").Immutable(),
		field.String("owner_id").MaxLen(36).Immutable().NotEmpty(),
		field.Enum("kind").Values("pending", "available", "in_flight", "paid", "debt",
			"commission_expense", "adjustment_expense", "wechat_clearing").Immutable(),
		field.Enum("normal_side").Values("debit", "credit").Immutable(),
		field.Int64("balance_fen").Default(0),
		field.Time("created_at").Immutable(),
	}
}

func (LedgerAccount) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LedgerAccount) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "owner_type", "owner_id", "kind").Unique(),
	}
}
