-- modify "idempotency_records" table
ALTER TABLE "idempotency_records" ADD COLUMN "lock_token" character varying NOT NULL DEFAULT '';
-- create index "payout_brand_id_member_id_idempotency_key" to table: "payouts"
CREATE UNIQUE INDEX "payout_brand_id_member_id_idempotency_key" ON "payouts" ("brand_id", "member_id", "idempotency_key");
