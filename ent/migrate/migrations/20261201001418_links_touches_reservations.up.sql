-- create "reservations" table
CREATE TABLE "reservations" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "viewer_id" character varying NOT NULL, "inviter_id" character varying NULL, "code" character varying NOT NULL DEFAULT '', "channel" character varying NOT NULL DEFAULT '', "group_label" character varying NOT NULL DEFAULT '', "status" character varying NOT NULL, "risk" character varying NOT NULL DEFAULT 'clear', "counted" boolean NOT NULL DEFAULT false, "reason" character varying NOT NULL DEFAULT '', "last_state" bigint NOT NULL DEFAULT 0, "client_ip" character varying NOT NULL DEFAULT '', "counted_at" timestamptz NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "reservations_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "reservation_brand_id_live_id_inviter_id_counted_counted_at" to table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_inviter_id_counted_counted_at" ON "reservations" ("brand_id", "live_id", "inviter_id", "counted", "counted_at");
-- create index "reservation_brand_id_live_id_risk" to table: "reservations"
CREATE INDEX "reservation_brand_id_live_id_risk" ON "reservations" ("brand_id", "live_id", "risk");
-- create index "reservation_brand_id_live_id_viewer_id" to table: "reservations"
CREATE UNIQUE INDEX "reservation_brand_id_live_id_viewer_id" ON "reservations" ("brand_id", "live_id", "viewer_id");
-- create "share_links" table
CREATE TABLE "share_links" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "member_id" character varying NOT NULL, "channel" character varying NOT NULL, "group_label" character varying NOT NULL DEFAULT '', "code" character varying NOT NULL, "url_link" character varying NOT NULL DEFAULT '', "url_link_expires_at" timestamptz NULL, "qr_image" bytea NULL, "qr_content_type" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "share_links_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "share_links_code_key" to table: "share_links"
CREATE UNIQUE INDEX "share_links_code_key" ON "share_links" ("code");
-- create index "sharelink_brand_id_live_id_member_id_channel_group_label" to table: "share_links"
CREATE UNIQUE INDEX "sharelink_brand_id_live_id_member_id_channel_group_label" ON "share_links" ("brand_id", "live_id", "member_id", "channel", "group_label");
-- create "touches" table
CREATE TABLE "touches" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "link_id" character varying NOT NULL, "inviter_id" character varying NOT NULL, "visitor_id" character varying NOT NULL, "channel" character varying NOT NULL, "group_label" character varying NOT NULL DEFAULT '', "client_ip" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "touches_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "touch_brand_id_live_id_created_at" to table: "touches"
CREATE INDEX "touch_brand_id_live_id_created_at" ON "touches" ("brand_id", "live_id", "created_at");
-- create index "touch_brand_id_live_id_inviter_id_created_at" to table: "touches"
CREATE INDEX "touch_brand_id_live_id_inviter_id_created_at" ON "touches" ("brand_id", "live_id", "inviter_id", "created_at");
-- create index "touch_brand_id_visitor_id_created_at" to table: "touches"
CREATE INDEX "touch_brand_id_visitor_id_created_at" ON "touches" ("brand_id", "visitor_id", "created_at");
