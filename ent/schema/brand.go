package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Brand is the tenant. Credentials are stored sealed (AES-GCM under SHARECAST_SECRET_KEY) and
// are never read back through the API.
type Brand struct{ ent.Schema }

func (Brand) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Brand) Fields() []ent.Field {
	return []ent.Field{
		// slug is what admins type at login ("demo").
		field.String("slug").MaxLen(64).NotEmpty().Unique(),
		field.String("name").MaxLen(128).NotEmpty(),
		field.String("city").MaxLen(64).Default(""),
		field.String("timezone").MaxLen(64).Default("Asia/Shanghai"),
		// Mini-program login finds the brand by appid, before any token exists: globally unique.
		field.String("mp_app_id").MaxLen(32).Optional().Nillable().Unique(),
		field.Bytes("mp_app_secret_sealed").Optional().Sensitive(),
		field.String("channels_app_id").MaxLen(32).Default(""),
		field.Bytes("channels_app_secret_sealed").Optional().Sensitive(),
		field.String("finder_user_name").MaxLen(64).Default(""),
		field.Bytes("push_token_sealed").Optional().Sensitive(),
		field.Bytes("push_aes_key_sealed").Optional().Sensitive(),
		field.String("pay_mch_id").MaxLen(32).Default(""),
		field.String("pay_serial_no").MaxLen(64).Default(""),
		field.Bytes("pay_private_key_sealed").Optional().Sensitive(),
		field.Bytes("pay_apiv3_key_sealed").Optional().Sensitive(),
		field.String("pay_public_key_id").MaxLen(64).Default(""),
		field.Text("pay_public_key").Default(""),
		field.String("pay_transfer_scene_id").MaxLen(16).Default("1000"),
		// out_bill_prefix starts every out_bill_no; unique so brands sharing a merchant never collide.
		field.String("out_bill_prefix").MaxLen(8).NotEmpty().Unique(),
		// rules is the brand's rule settings as JSON (brands.Rules); validated by the domain.
		field.Text("rules").Default("{}"),
	}
}

func (Brand) Edges() []ent.Edge {
	restrict := entsql.OnDelete(entsql.Restrict)
	return []ent.Edge{
		edge.To("admins", Admin.Type).Annotations(restrict),
		edge.To("members", Member.Type).Annotations(restrict),
		edge.To("lives", Live.Type).Annotations(restrict),
		edge.To("audit_logs", AuditLog.Type).Annotations(restrict),
		edge.To("refresh_tokens", RefreshToken.Type).Annotations(restrict),
		edge.To("admin_sessions", AdminSession.Type).Annotations(restrict),
	}
}
