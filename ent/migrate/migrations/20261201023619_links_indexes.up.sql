-- drop index "reservation_brand_id_live_id_risk" from table: "reservations"
DROP INDEX "reservation_brand_id_live_id_risk";
-- create index "reservation_brand_id_live_id_group_label_inviter_id_counted" to table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_group_label_inviter_id_counted" ON "reservations" ("brand_id", "live_id", "group_label", "inviter_id", "counted");
-- create index "reservation_brand_id_live_id_inviter_id_id" to table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_inviter_id_id" ON "reservations" ("brand_id", "live_id", "inviter_id", "id");
-- create index "reservation_brand_id_live_id_risk_id" to table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_risk_id" ON "reservations" ("brand_id", "live_id", "risk", "id");
-- create index "reservation_brand_id_viewer_id_id" to table: "reservations"
CREATE INDEX "reservation_brand_id_viewer_id_id" ON "reservations" ("brand_id", "viewer_id", "id");
