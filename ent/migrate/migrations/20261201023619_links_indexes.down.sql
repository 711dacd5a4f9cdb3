-- reverse: create index "reservation_brand_id_viewer_id_id" to table: "reservations"
DROP INDEX "reservation_brand_id_viewer_id_id";
-- reverse: create index "reservation_brand_id_live_id_risk_id" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_risk_id";
-- reverse: create index "reservation_brand_id_live_id_inviter_id_id" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_inviter_id_id";
-- reverse: create index "reservation_brand_id_live_id_group_label_inviter_id_counted" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_group_label_inviter_id_counted";
-- reverse: drop index "reservation_brand_id_live_id_risk" from table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_risk" ON "reservations" ("brand_id", "live_id", "risk");
