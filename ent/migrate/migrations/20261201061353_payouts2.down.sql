-- reverse: create index "reconciliationalert_brand_id_day_payout_id_kind" to table: "reconciliation_alerts"
DROP INDEX "reconciliationalert_brand_id_day_payout_id_kind";
-- reverse: create index "reconciliationalert_brand_id_created_at" to table: "reconciliation_alerts"
DROP INDEX "reconciliationalert_brand_id_created_at";
-- reverse: create "reconciliation_alerts" table
DROP TABLE "reconciliation_alerts";
