-- create "idempotency_records" table
CREATE TABLE "idempotency_records" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "member_id" character varying NOT NULL, "scope" character varying NOT NULL, "key" character varying NOT NULL, "request_hash" character varying NOT NULL, "status" character varying NOT NULL, "response_status" bigint NOT NULL DEFAULT 0, "response_body" text NOT NULL DEFAULT '', "locked_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "idempotency_records_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "idempotencyrecord_brand_id_member_id_scope_key" to table: "idempotency_records"
CREATE UNIQUE INDEX "idempotencyrecord_brand_id_member_id_scope_key" ON "idempotency_records" ("brand_id", "member_id", "scope", "key");
-- create index "idempotencyrecord_expires_at" to table: "idempotency_records"
CREATE INDEX "idempotencyrecord_expires_at" ON "idempotency_records" ("expires_at");
-- create "payouts" table
CREATE TABLE "payouts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "member_id" character varying NOT NULL, "amount_fen" bigint NOT NULL, "status" character varying NOT NULL, "out_bill_no" character varying NOT NULL, "transfer_bill_no" character varying NOT NULL DEFAULT '', "wechat_state" character varying NOT NULL DEFAULT '', "fail_reason" character varying NOT NULL DEFAULT '', "package_info" text NOT NULL DEFAULT '', "batch_id" character varying NULL, "approvals_needed" bigint NOT NULL, "approvals" bigint NOT NULL DEFAULT 0, "idempotency_key" character varying NULL, "cancel_requested" boolean NOT NULL DEFAULT false, "requested_at" timestamptz NOT NULL, "approved_at" timestamptz NULL, "submitted_at" timestamptz NULL, "finished_at" timestamptz NULL, "wechat_updated_at" timestamptz NULL, "touched_at" timestamptz NOT NULL, "version" bigint NOT NULL DEFAULT 1, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "payouts_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "payout_brand_id_batch_id" to table: "payouts"
CREATE INDEX "payout_brand_id_batch_id" ON "payouts" ("brand_id", "batch_id");
-- create index "payout_brand_id_member_id_requested_at" to table: "payouts"
CREATE INDEX "payout_brand_id_member_id_requested_at" ON "payouts" ("brand_id", "member_id", "requested_at");
-- create index "payout_brand_id_status_requested_at" to table: "payouts"
CREATE INDEX "payout_brand_id_status_requested_at" ON "payouts" ("brand_id", "status", "requested_at");
-- create index "payout_brand_id_touched_at" to table: "payouts"
CREATE INDEX "payout_brand_id_touched_at" ON "payouts" ("brand_id", "touched_at");
-- create index "payout_status_touched_at" to table: "payouts"
CREATE INDEX "payout_status_touched_at" ON "payouts" ("status", "touched_at");
-- create index "payouts_out_bill_no_key" to table: "payouts"
CREATE UNIQUE INDEX "payouts_out_bill_no_key" ON "payouts" ("out_bill_no");
-- create "payout_approvals" table
CREATE TABLE "payout_approvals" ("id" character varying NOT NULL, "admin_id" character varying NOT NULL, "decision" character varying NOT NULL, "note" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "payout_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "payout_approvals_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "payout_approvals_payouts_payout" FOREIGN KEY ("payout_id") REFERENCES "payouts" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "payoutapproval_brand_id_payout_id_admin_id" to table: "payout_approvals"
CREATE UNIQUE INDEX "payoutapproval_brand_id_payout_id_admin_id" ON "payout_approvals" ("brand_id", "payout_id", "admin_id");
-- create "payout_batches" table
CREATE TABLE "payout_batches" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "started_by" character varying NOT NULL, "payouts" bigint NOT NULL DEFAULT 0, "total_fen" bigint NOT NULL DEFAULT 0, "started_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "live_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "payout_batches_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "payout_batches_lives_live" FOREIGN KEY ("live_id") REFERENCES "lives" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "payoutbatch_brand_id_live_id" to table: "payout_batches"
CREATE UNIQUE INDEX "payoutbatch_brand_id_live_id" ON "payout_batches" ("brand_id", "live_id");
-- create "transfer_attempts" table
CREATE TABLE "transfer_attempts" ("id" character varying NOT NULL, "out_bill_no" character varying NOT NULL, "op" character varying NOT NULL, "outcome" character varying NOT NULL DEFAULT 'pending', "wechat_state" character varying NOT NULL DEFAULT '', "code" character varying NOT NULL DEFAULT '', "message" character varying NOT NULL DEFAULT '', "started_at" timestamptz NOT NULL, "finished_at" timestamptz NULL, "brand_id" character varying NOT NULL, "payout_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "transfer_attempts_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "transfer_attempts_payouts_payout" FOREIGN KEY ("payout_id") REFERENCES "payouts" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "transferattempt_brand_id_payout_id_started_at" to table: "transfer_attempts"
CREATE INDEX "transferattempt_brand_id_payout_id_started_at" ON "transfer_attempts" ("brand_id", "payout_id", "started_at");
