package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// BindingRuleSet holds a brand's binding rules (one row per brand; absent → the defaults).
type BindingRuleSet struct{ ent.Schema }

func (BindingRuleSet) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (BindingRuleSet) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.Enum("mode").Values("first_touch", "window", "last_touch"),
		field.Int("window_days").NonNegative().Default(0),
		field.Int("protection_days").NonNegative().Default(0),
		field.Bool("new_buyers_only").Default(false),
	}
}

func (BindingRuleSet) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (BindingRuleSet) Indexes() []ent.Index {
	return []ent.Index{index.Fields("brand_id").Unique()}
}
