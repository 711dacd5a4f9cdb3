package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TransferAttempt is the durable intent row of one call to WeChat Pay about a payout's bill
// (DESIGN §5: committed before the call runs), then its outcome. A create attempt whose
// outcome is still "pending" or "unknown" means a bill may exist: the worker queries the same
// out_bill_no before anything else.
type TransferAttempt struct{ ent.Schema }

func (TransferAttempt) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (TransferAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("payout_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("out_bill_no").MaxLen(32).Immutable().NotEmpty(),
		field.Enum("op").Values("create", "query", "cancel").Immutable(),
		// pending (intent committed, no answer stored) → bill | refused | unknown.
		field.Enum("outcome").Values("pending", "bill", "refused", "unknown").Default("pending"),
		field.String("wechat_state").MaxLen(32).Default(""),
		field.String("code").MaxLen(64).Default(""),
		field.String("message").MaxLen(256).Default(""),
		field.Time("started_at").Immutable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

func (TransferAttempt) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
		edge.To("payout", Payout.Type).Field("payout_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (TransferAttempt) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "payout_id", "started_at"),
	}
}
