-- reverse: create index "outreachround_brand_id_live_id_round" to table: "outreach_rounds"
DROP INDEX "outreachround_brand_id_live_id_round";
-- reverse: create "outreach_rounds" table
DROP TABLE "outreach_rounds";
-- reverse: create index "outreachaction_brand_id_round_id_kind" to table: "outreach_actions"
DROP INDEX "outreachaction_brand_id_round_id_kind";
-- reverse: create index "outreachaction_brand_id_live_id" to table: "outreach_actions"
DROP INDEX "outreachaction_brand_id_live_id";
-- reverse: create "outreach_actions" table
DROP TABLE "outreach_actions";
-- reverse: create index "liverisksnapshot_brand_id_live_id_created_at" to table: "live_risk_snapshots"
DROP INDEX "liverisksnapshot_brand_id_live_id_created_at";
-- reverse: create "live_risk_snapshots" table
DROP TABLE "live_risk_snapshots";
-- reverse: create index "channelsnotice_brand_id_start_at" to table: "channels_notices"
DROP INDEX "channelsnotice_brand_id_start_at";
-- reverse: create index "channelsnotice_brand_id_notice_id" to table: "channels_notices"
DROP INDEX "channelsnotice_brand_id_notice_id";
-- reverse: create "channels_notices" table
DROP TABLE "channels_notices";
