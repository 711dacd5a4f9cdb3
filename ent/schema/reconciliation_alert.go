package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ReconciliationAlert is one disagreement found by reconciliation (DESIGN §3.6): a payout
// whose bill at WeChat has another state or amount than ours, a bill we expect that WeChat
// does not have, or a bill still open more than 24 h. One row per payout × day × kind, so
// running a day's reconciliation again adds nothing new.
type ReconciliationAlert struct{ ent.Schema }

func (ReconciliationAlert) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (ReconciliationAlert) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		// day is the reconciled day in Asia/Shanghai, YYYY-MM-DD.
		field.String("day").MaxLen(10).Immutable().NotEmpty(),
		field.String("payout_id").MaxLen(36).Immutable().NotEmpty(),
		field.String("out_bill_no").MaxLen(32).Immutable().NotEmpty(),
		// state_mismatch | amount_mismatch | missing | stuck | member_not_active
		field.String("kind").MaxLen(32).Immutable().NotEmpty(),
		field.String("our_status").MaxLen(16).Immutable(),
		field.Int64("our_amount_fen").Immutable(),
		field.String("wechat_state").MaxLen(32).Immutable().Default(""),
		field.Int64("wechat_amount_fen").Immutable().Default(0),
		field.String("detail").MaxLen(256).Immutable().Default(""),
		field.Time("created_at").Immutable(),
	}
}

func (ReconciliationAlert) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (ReconciliationAlert) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "day", "payout_id", "kind").Unique(),
		index.Fields("brand_id", "created_at"),
	}
}
