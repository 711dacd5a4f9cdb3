package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"
)

// NewID returns an opaque, time-ordered, unguessable id (UUIDv7). Time order keeps cursors
// and indexes cheap; 74 random bits keep ids unguessable across tenants.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// IDMixin gives an entity its opaque string id.
type IDMixin struct{ mixin.Schema }

func (IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").MaxLen(36).NotEmpty().Immutable().DefaultFunc(NewID),
	}
}

// TimeMixin records when a row was created and last changed (wall time of the database
// writer, not the business clock: business times are explicit fields).
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(time.Now),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}
