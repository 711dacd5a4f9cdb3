package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Payout is one transfer to one member through WeChat Pay 商家转账 (DESIGN §3.6). Its status
// only moves forward along payouts.Transition; out_bill_no is fixed at creation and globally
// unique (brands may share a merchant; callbacks find the payout by it before the brand is
// trusted). version grows with every change, so guarded updates can say "as I read it".
type Payout struct{ ent.Schema }

func (Payout) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Payout) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").MaxLen(36).Immutable().NotEmpty(),
		field.Int64("amount_fen").Immutable().Positive(),
		field.Enum("status").Values("requested", "approved", "submitted", "paid", "failed", "cancelled", "rejected"),
		// out_bill_no = brand prefix + unique id, ≤ 32 letters and digits (I5: never regenerated).
		field.String("out_bill_no").MaxLen(32).NotEmpty().Immutable().Unique(),
		field.String("transfer_bill_no").MaxLen(64).Default(""),
		// wechat_state is the bill's last known state at WeChat ("" before a bill exists).
		field.String("wechat_state").MaxLen(32).Default(""),
		field.String("fail_reason").MaxLen(256).Default(""),
		// package_info is what wx.requestMerchantTransfer needs while WAIT_USER_CONFIRM.
		field.Text("package_info").Default("").Sensitive(),
		// transfer_scene_id and notify_url are the create's parameters, stored with the first
		// create intent and sent unchanged on every repeat: WeChat refuses a repeated
		// out_bill_no whose fields differ ("商户单号重复，且与原单参数不一致"), and the brand's
		// scene or a replica's public URL may change meanwhile. "" before the first create.
		field.String("transfer_scene_id").MaxLen(36).Default(""),
		field.String("notify_url").MaxLen(512).Default(""),
		field.String("batch_id").MaxLen(36).Optional().Nillable().Immutable(),
		// approvals_needed: 0 (auto-approved), 1 or 2 different admins; approvals: given so far.
		field.Int("approvals_needed").Immutable().Range(0, 2),
		field.Int("approvals").Default(0).NonNegative(),
		field.String("idempotency_key").MaxLen(128).Optional().Nillable().Immutable(),
		// cancel_requested: the member asked to cancel a waiting bill; the job carries it out.
		field.Bool("cancel_requested").Default(false),
		// Business times (application clock). touched_at is the last change of any kind, for
		// "payouts touched on a date" (reconciliation).
		field.Time("requested_at").Immutable(),
		field.Time("approved_at").Optional().Nillable(),
		field.Time("submitted_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable(),
		field.Time("wechat_updated_at").Optional().Nillable(),
		field.Time("touched_at"),
		field.Int("version").Default(1).Positive(),
	}
}

func (Payout) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (Payout) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "member_id", "requested_at"),
		index.Fields("brand_id", "status", "requested_at"),
		index.Fields("brand_id", "batch_id"),
		index.Fields("brand_id", "touched_at"),
		// The open-bills sweep reads submitted payouts of every brand.
		index.Fields("status", "touched_at"),
		// One payout per member request key (batch payouts have none: NULLs never collide).
		index.Fields("brand_id", "member_id", "idempotency_key").Unique(),
	}
}
