-- modify "payouts" table
ALTER TABLE "payouts" ADD COLUMN "transfer_scene_id" character varying NOT NULL DEFAULT '', ADD COLUMN "notify_url" character varying NOT NULL DEFAULT '';
