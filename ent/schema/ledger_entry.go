package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// LedgerEntry is one immutable line of a transaction: amount_fen > 0 debits the account,
// < 0 credits it.
type LedgerEntry struct{ ent.Schema }

func (LedgerEntry) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (LedgerEntry) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("transaction_id").Immutable().NotEmpty(),
		field.String("account_id").Immutable().NotEmpty(),
		field.Int64("amount_fen").Immutable(),
		field.Time("created_at").Immutable(),
	}
}

func (LedgerEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("transaction", LedgerTransaction.Type).Field("transaction_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("account", LedgerAccount.Type).Field("account_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (LedgerEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "account_id"),
		index.Fields("brand_id", "transaction_id"),
	}
}
