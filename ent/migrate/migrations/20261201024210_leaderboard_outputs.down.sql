-- reverse: create index "wecomrobot_brand_id_name" to table: "wecom_robots"
DROP INDEX "wecomrobot_brand_id_name";
-- reverse: create "wecom_robots" table
DROP TABLE "wecom_robots";
-- reverse: create index "pushschedule_enabled_id" to table: "push_schedules"
DROP INDEX "pushschedule_enabled_id";
-- reverse: create index "pushschedule_brand_id_live_id" to table: "push_schedules"
DROP INDEX "pushschedule_brand_id_live_id";
-- reverse: create "push_schedules" table
DROP TABLE "push_schedules";
-- reverse: create index "leaderboardshare_brand_id_live_id_created_at" to table: "leaderboard_shares"
DROP INDEX "leaderboardshare_brand_id_live_id_created_at";
-- reverse: create index "leaderboard_shares_token_hash_key" to table: "leaderboard_shares"
DROP INDEX "leaderboard_shares_token_hash_key";
-- reverse: create "leaderboard_shares" table
DROP TABLE "leaderboard_shares";
-- reverse: create index "leaderboardpush_brand_id_status_id" to table: "leaderboard_pushes"
DROP INDEX "leaderboardpush_brand_id_status_id";
-- reverse: create index "leaderboardpush_brand_id_live_id_id" to table: "leaderboard_pushes"
DROP INDEX "leaderboardpush_brand_id_live_id_id";
-- reverse: create "leaderboard_pushes" table
DROP TABLE "leaderboard_pushes";
