-- reverse: create index "refreshtoken_family_id" to table: "refresh_tokens"
DROP INDEX "refreshtoken_family_id";
-- reverse: create index "refreshtoken_brand_id_member_id" to table: "refresh_tokens"
DROP INDEX "refreshtoken_brand_id_member_id";
-- reverse: create "refresh_tokens" table
DROP TABLE "refresh_tokens";
-- reverse: create index "member_brand_id_unionid" to table: "members"
DROP INDEX "member_brand_id_unionid";
-- reverse: create index "member_brand_id_recruiter_id" to table: "members"
DROP INDEX "member_brand_id_recruiter_id";
-- reverse: create index "member_brand_id_openid" to table: "members"
DROP INDEX "member_brand_id_openid";
-- reverse: create "members" table
DROP TABLE "members";
-- reverse: create index "live_brand_id_status_planned_start_at" to table: "lives"
DROP INDEX "live_brand_id_status_planned_start_at";
-- reverse: create index "live_brand_id_notice_id" to table: "lives"
DROP INDEX "live_brand_id_notice_id";
-- reverse: create "lives" table
DROP TABLE "lives";
-- reverse: create index "auditlog_brand_id_created_at" to table: "audit_logs"
DROP INDEX "auditlog_brand_id_created_at";
-- reverse: create "audit_logs" table
DROP TABLE "audit_logs";
-- reverse: create index "admin_brand_id_username" to table: "admins"
DROP INDEX "admin_brand_id_username";
-- reverse: create "admins" table
DROP TABLE "admins";
-- reverse: create index "adminsession_brand_id_admin_id" to table: "admin_sessions"
DROP INDEX "adminsession_brand_id_admin_id";
-- reverse: create "admin_sessions" table
DROP TABLE "admin_sessions";
-- reverse: create "clock_states" table
DROP TABLE "clock_states";
-- reverse: create index "brands_slug_key" to table: "brands"
DROP INDEX "brands_slug_key";
-- reverse: create index "brands_out_bill_prefix_key" to table: "brands"
DROP INDEX "brands_out_bill_prefix_key";
-- reverse: create index "brands_mp_app_id_key" to table: "brands"
DROP INDEX "brands_mp_app_id_key";
-- reverse: create "brands" table
DROP TABLE "brands";
