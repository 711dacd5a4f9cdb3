package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SubscribeTemplate is a brand's WeChat subscribe-message template for one purpose (live
// reminder, shortfall reminder, payout confirmation) and how its data fields are filled.
type SubscribeTemplate struct{ ent.Schema }

func (SubscribeTemplate) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

func (SubscribeTemplate) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("purpose").MaxLen(32).Immutable().NotEmpty(),
		// template_id is WeChat's priTmplId.
		field.String("template_id").MaxLen(128).NotEmpty(),
		// page and fields are text templates with {variable} placeholders.
		field.String("page").MaxLen(512).Default(""),
		field.Text("fields").Default("{}"),
		field.String("miniprogram_state").MaxLen(16).Default("formal"),
		field.String("lang").MaxLen(8).Default("zh_CN"),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
	}
}

func (SubscribeTemplate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (SubscribeTemplate) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id", "purpose").Unique()}
}
