package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IdempotencyRecord keeps the first answer to a request made with an Idempotency-Key (DESIGN
// §5, STYLE-ANCHORS §2.4): scoped to the member and the operation, with the request's hash
// (another body → 409 IDEMPOTENCY_KEY_REUSED), in_flight while the first request runs (→ 409
// IDEMPOTENCY_KEY_IN_USE) and done with the answer's status and body (→ replayed, 4xx too).
// Kept at least 24 h (expires_at).
type IdempotencyRecord struct{ ent.Schema }

func (IdempotencyRecord) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (IdempotencyRecord) Fields() []ent.Field {
	return []ent.Field{
		field.String("brand_id").Immutable().NotEmpty(),
		field.String("member_id").MaxLen(36).Immutable().NotEmpty(),
		// scope names the operation ("payout.request").
		field.String("scope").MaxLen(32).Immutable().NotEmpty(),
		field.String("key").MaxLen(255).Immutable().NotEmpty(),
		field.String("request_hash").MaxLen(64).Immutable().NotEmpty(),
		field.Enum("status").Values("in_flight", "done"),
		field.Int("response_status").Default(0),
		field.Text("response_body").Default(""),
		// locked_at: when the in-flight request started (a stale lock may be taken over).
		field.Time("locked_at"),
		// lock_token names the request holding the in-flight lock; a take-over sets a new one,
		// and only the holder of the current token may finish or delete the record, so a stale
		// first request that wakes up after a take-over cannot store a second answer.
		field.String("lock_token").MaxLen(36).Default(""),
		field.Time("expires_at"),
	}
}

func (IdempotencyRecord) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("brand", Brand.Type).Field("brand_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}

func (IdempotencyRecord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("brand_id", "member_id", "scope", "key").Unique(),
		index.Fields("expires_at"),
	}
}
