-- reverse: modify "payouts" table
ALTER TABLE "payouts" DROP COLUMN "notify_url", DROP COLUMN "transfer_scene_id";
