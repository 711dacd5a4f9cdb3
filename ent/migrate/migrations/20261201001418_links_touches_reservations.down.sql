-- reverse: create index "touch_brand_id_visitor_id_created_at" to table: "touches"
DROP INDEX "touch_brand_id_visitor_id_created_at";
-- reverse: create index "touch_brand_id_live_id_inviter_id_created_at" to table: "touches"
DROP INDEX "touch_brand_id_live_id_inviter_id_created_at";
-- reverse: create index "touch_brand_id_live_id_created_at" to table: "touches"
DROP INDEX "touch_brand_id_live_id_created_at";
-- reverse: create "touches" table
DROP TABLE "touches";
-- reverse: create index "sharelink_brand_id_live_id_member_id_channel_group_label" to table: "share_links"
DROP INDEX "sharelink_brand_id_live_id_member_id_channel_group_label";
-- reverse: create index "share_links_code_key" to table: "share_links"
DROP INDEX "share_links_code_key";
-- reverse: create "share_links" table
DROP TABLE "share_links";
-- reverse: create index "reservation_brand_id_live_id_viewer_id" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_viewer_id";
-- reverse: create index "reservation_brand_id_live_id_risk" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_risk";
-- reverse: create index "reservation_brand_id_live_id_inviter_id_counted_counted_at" to table: "reservations"
DROP INDEX "reservation_brand_id_live_id_inviter_id_counted_counted_at";
-- reverse: create "reservations" table
DROP TABLE "reservations";
