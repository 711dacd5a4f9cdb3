-- create "channels_notices" table
CREATE TABLE "channels_notices" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "notice_id" character varying NOT NULL, "status" bigint NOT NULL, "status_wording" character varying NOT NULL DEFAULT '', "start_at" timestamptz NOT NULL, "description" character varying NOT NULL DEFAULT '', "state" character varying NOT NULL, "live_id" character varying NULL, "change" character varying NOT NULL DEFAULT '', "changed_at" timestamptz NULL, "previous_start_at" timestamptz NULL, "first_seen_at" timestamptz NOT NULL, "synced_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "channels_notices_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "channelsnotice_brand_id_notice_id" to table: "channels_notices"
CREATE UNIQUE INDEX "channelsnotice_brand_id_notice_id" ON "channels_notices" ("brand_id", "notice_id");
-- create index "channelsnotice_brand_id_start_at" to table: "channels_notices"
CREATE INDEX "channelsnotice_brand_id_start_at" ON "channels_notices" ("brand_id", "start_at");
-- create "live_risk_snapshots" table
CREATE TABLE "live_risk_snapshots" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "risks" text NOT NULL, "reserved" bigint NOT NULL, "counted" bigint NOT NULL, "notice_id" character varying NOT NULL DEFAULT '', "planned_start_at" timestamptz NOT NULL, "notice_start_at" timestamptz NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "live_risk_snapshots_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "liverisksnapshot_brand_id_live_id_created_at" to table: "live_risk_snapshots"
CREATE INDEX "liverisksnapshot_brand_id_live_id_created_at" ON "live_risk_snapshots" ("brand_id", "live_id", "created_at");
-- create "outreach_actions" table
CREATE TABLE "outreach_actions" ("id" character varying NOT NULL, "round_id" character varying NOT NULL, "live_id" character varying NOT NULL, "kind" character varying NOT NULL, "status" character varying NOT NULL, "recipients" bigint NOT NULL DEFAULT 0, "queued" bigint NOT NULL DEFAULT 0, "batch" character varying NOT NULL DEFAULT '', "note" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "done_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "outreach_actions_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "outreachaction_brand_id_live_id" to table: "outreach_actions"
CREATE INDEX "outreachaction_brand_id_live_id" ON "outreach_actions" ("brand_id", "live_id");
-- create index "outreachaction_brand_id_round_id_kind" to table: "outreach_actions"
CREATE UNIQUE INDEX "outreachaction_brand_id_round_id_kind" ON "outreach_actions" ("brand_id", "round_id", "kind");
-- create "outreach_rounds" table
CREATE TABLE "outreach_rounds" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "round" character varying NOT NULL, "lead_minutes" bigint NOT NULL, "counted" bigint NOT NULL, "target" bigint NOT NULL, "outcome" character varying NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "outreach_rounds_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "outreachround_brand_id_live_id_round" to table: "outreach_rounds"
CREATE UNIQUE INDEX "outreachround_brand_id_live_id_round" ON "outreach_rounds" ("brand_id", "live_id", "round");
