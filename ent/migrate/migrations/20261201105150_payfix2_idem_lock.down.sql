-- reverse: create index "payout_brand_id_member_id_idempotency_key" to table: "payouts"
DROP INDEX "payout_brand_id_member_id_idempotency_key";
-- reverse: modify "idempotency_records" table
ALTER TABLE "idempotency_records" DROP COLUMN "lock_token";
