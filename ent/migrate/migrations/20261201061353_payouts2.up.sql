-- create "reconciliation_alerts" table
CREATE TABLE "reconciliation_alerts" ("id" character varying NOT NULL, "day" character varying NOT NULL, "payout_id" character varying NOT NULL, "out_bill_no" character varying NOT NULL, "kind" character varying NOT NULL, "our_status" character varying NOT NULL, "our_amount_fen" bigint NOT NULL, "wechat_state" character varying NOT NULL DEFAULT '', "wechat_amount_fen" bigint NOT NULL DEFAULT 0, "detail" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "reconciliation_alerts_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "reconciliationalert_brand_id_created_at" to table: "reconciliation_alerts"
CREATE INDEX "reconciliationalert_brand_id_created_at" ON "reconciliation_alerts" ("brand_id", "created_at");
-- create index "reconciliationalert_brand_id_day_payout_id_kind" to table: "reconciliation_alerts"
CREATE UNIQUE INDEX "reconciliationalert_brand_id_day_payout_id_kind" ON "reconciliation_alerts" ("brand_id", "day", "payout_id", "kind");
