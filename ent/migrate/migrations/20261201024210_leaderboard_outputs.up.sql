-- create "leaderboard_pushes" table
CREATE TABLE "leaderboard_pushes" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "robot_id" character varying NOT NULL, "robot_name" character varying NOT NULL DEFAULT '', "schedule_id" character varying NOT NULL DEFAULT '', "kind" character varying NOT NULL, "board_window" character varying NOT NULL, "group_label" character varying NOT NULL DEFAULT '', "privacy" character varying NOT NULL, "top_n" bigint NOT NULL, "status" character varying NOT NULL DEFAULT 'queued', "attempts" bigint NOT NULL DEFAULT 0, "errcode" bigint NOT NULL DEFAULT 0, "error" character varying NOT NULL DEFAULT '', "bytes" bigint NOT NULL DEFAULT 0, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "sent_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "leaderboard_pushes_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "leaderboardpush_brand_id_live_id_id" to table: "leaderboard_pushes"
CREATE INDEX "leaderboardpush_brand_id_live_id_id" ON "leaderboard_pushes" ("brand_id", "live_id", "id");
-- create index "leaderboardpush_brand_id_status_id" to table: "leaderboard_pushes"
CREATE INDEX "leaderboardpush_brand_id_status_id" ON "leaderboard_pushes" ("brand_id", "status", "id");
-- create "leaderboard_shares" table
CREATE TABLE "leaderboard_shares" ("id" character varying NOT NULL, "live_id" character varying NOT NULL, "token_hash" bytea NOT NULL, "board_window" character varying NOT NULL, "group_label" character varying NOT NULL DEFAULT '', "privacy" character varying NOT NULL, "top_n" bigint NOT NULL, "created_by" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "revoked_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "leaderboard_shares_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "leaderboard_shares_token_hash_key" to table: "leaderboard_shares"
CREATE UNIQUE INDEX "leaderboard_shares_token_hash_key" ON "leaderboard_shares" ("token_hash");
-- create index "leaderboardshare_brand_id_live_id_created_at" to table: "leaderboard_shares"
CREATE INDEX "leaderboardshare_brand_id_live_id_created_at" ON "leaderboard_shares" ("brand_id", "live_id", "created_at");
-- create "push_schedules" table
CREATE TABLE "push_schedules" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "live_id" character varying NOT NULL, "robot_ids" text NOT NULL, "phases" text NOT NULL, "format" character varying NOT NULL, "board_window" character varying NOT NULL, "group_label" character varying NOT NULL DEFAULT '', "privacy" character varying NOT NULL, "top_n" bigint NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "last_slot_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "push_schedules_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "pushschedule_brand_id_live_id" to table: "push_schedules"
CREATE INDEX "pushschedule_brand_id_live_id" ON "push_schedules" ("brand_id", "live_id");
-- create index "pushschedule_enabled_id" to table: "push_schedules"
CREATE INDEX "pushschedule_enabled_id" ON "push_schedules" ("enabled", "id");
-- create "wecom_robots" table
CREATE TABLE "wecom_robots" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "key_sealed" bytea NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "status" character varying NOT NULL DEFAULT 'ok', "last_errcode" bigint NOT NULL DEFAULT 0, "last_error" character varying NOT NULL DEFAULT '', "last_sent_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "wecom_robots_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "wecomrobot_brand_id_name" to table: "wecom_robots"
CREATE INDEX "wecomrobot_brand_id_name" ON "wecom_robots" ("brand_id", "name");
