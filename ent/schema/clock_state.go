package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// ClockState holds the simulated clock offset (embedded mode) in one row with id 1, so every
// replica reads the same time.
type ClockState struct{ ent.Schema }

func (ClockState) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Immutable(),
		field.Int64("offset_seconds").Default(0).NonNegative(),
		field.Time("updated_at"),
	}
}
