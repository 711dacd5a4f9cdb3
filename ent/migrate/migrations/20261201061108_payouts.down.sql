-- reverse: create index "transferattempt_brand_id_payout_id_started_at" to table: "transfer_attempts"
DROP INDEX "transferattempt_brand_id_payout_id_started_at";
-- reverse: create "transfer_attempts" table
DROP TABLE "transfer_attempts";
-- reverse: create index "payoutbatch_brand_id_live_id" to table: "payout_batches"
DROP INDEX "payoutbatch_brand_id_live_id";
-- reverse: create "payout_batches" table
DROP TABLE "payout_batches";
-- reverse: create index "payoutapproval_brand_id_payout_id_admin_id" to table: "payout_approvals"
DROP INDEX "payoutapproval_brand_id_payout_id_admin_id";
-- reverse: create "payout_approvals" table
DROP TABLE "payout_approvals";
-- reverse: create index "payouts_out_bill_no_key" to table: "payouts"
DROP INDEX "payouts_out_bill_no_key";
-- reverse: create index "payout_status_touched_at" to table: "payouts"
DROP INDEX "payout_status_touched_at";
-- reverse: create index "payout_brand_id_touched_at" to table: "payouts"
DROP INDEX "payout_brand_id_touched_at";
-- reverse: create index "payout_brand_id_status_requested_at" to table: "payouts"
DROP INDEX "payout_brand_id_status_requested_at";
-- reverse: create index "payout_brand_id_member_id_requested_at" to table: "payouts"
DROP INDEX "payout_brand_id_member_id_requested_at";
-- reverse: create index "payout_brand_id_batch_id" to table: "payouts"
DROP INDEX "payout_brand_id_batch_id";
-- reverse: create "payouts" table
DROP TABLE "payouts";
-- reverse: create index "idempotencyrecord_expires_at" to table: "idempotency_records"
DROP INDEX "idempotencyrecord_expires_at";
-- reverse: create index "idempotencyrecord_brand_id_member_id_scope_key" to table: "idempotency_records"
DROP INDEX "idempotencyrecord_brand_id_member_id_scope_key";
-- reverse: create "idempotency_records" table
DROP TABLE "idempotency_records";
