-- create "subscribe_credits" table
CREATE TABLE "subscribe_credits" ("id" character varying NOT NULL, "member_id" character varying NOT NULL, "template_id" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'available', "send_id" character varying NULL, "granted_at" timestamptz NOT NULL, "spent_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "subscribe_credits_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "subscribecredit_brand_id_membe_9c53680f155524c5acacdba0ea938b6a" to table: "subscribe_credits"
CREATE INDEX "subscribecredit_brand_id_membe_9c53680f155524c5acacdba0ea938b6a" ON "subscribe_credits" ("brand_id", "member_id", "template_id", "status", "granted_at");
-- create "subscribe_sends" table
CREATE TABLE "subscribe_sends" ("id" character varying NOT NULL, "member_id" character varying NOT NULL, "purpose" character varying NOT NULL, "key" character varying NOT NULL, "batch" character varying NOT NULL DEFAULT '', "template_id" character varying NOT NULL, "page" character varying NOT NULL DEFAULT '', "data" text NOT NULL, "miniprogram_state" character varying NOT NULL DEFAULT 'formal', "lang" character varying NOT NULL DEFAULT 'zh_CN', "status" character varying NOT NULL, "credit_id" character varying NULL, "attempts" bigint NOT NULL DEFAULT 0, "errcode" bigint NOT NULL DEFAULT 0, "error" character varying NOT NULL DEFAULT '', "expires_at" timestamptz NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "sent_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "subscribe_sends_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "subscribesend_brand_id_batch_status" to table: "subscribe_sends"
CREATE INDEX "subscribesend_brand_id_batch_status" ON "subscribe_sends" ("brand_id", "batch", "status");
-- create index "subscribesend_brand_id_key" to table: "subscribe_sends"
CREATE UNIQUE INDEX "subscribesend_brand_id_key" ON "subscribe_sends" ("brand_id", "key");
-- create index "subscribesend_brand_id_member_id_created_at" to table: "subscribe_sends"
CREATE INDEX "subscribesend_brand_id_member_id_created_at" ON "subscribe_sends" ("brand_id", "member_id", "created_at");
-- create "subscribe_templates" table
CREATE TABLE "subscribe_templates" ("id" character varying NOT NULL, "purpose" character varying NOT NULL, "template_id" character varying NOT NULL, "page" character varying NOT NULL DEFAULT '', "fields" text NOT NULL DEFAULT '{}', "miniprogram_state" character varying NOT NULL DEFAULT 'formal', "lang" character varying NOT NULL DEFAULT 'zh_CN', "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "subscribe_templates_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "subscribetemplate_brand_id_purpose" to table: "subscribe_templates"
CREATE UNIQUE INDEX "subscribetemplate_brand_id_purpose" ON "subscribe_templates" ("brand_id", "purpose");
-- create "webhook_deliveries" table
CREATE TABLE "webhook_deliveries" ("id" character varying NOT NULL, "endpoint_id" character varying NOT NULL, "event_id" character varying NOT NULL, "event_type" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'pending', "attempts" bigint NOT NULL DEFAULT 0, "next_attempt_at" timestamptz NULL, "last_attempt_at" timestamptz NULL, "last_status_code" bigint NOT NULL DEFAULT 0, "last_error" character varying NOT NULL DEFAULT '', "delivered_at" timestamptz NULL, "replay_of" character varying NULL, "deadline_at" timestamptz NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_deliveries_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "webhookdelivery_brand_id_endpoint_id_status" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_brand_id_endpoint_id_status" ON "webhook_deliveries" ("brand_id", "endpoint_id", "status");
-- create index "webhookdelivery_brand_id_event_id" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_brand_id_event_id" ON "webhook_deliveries" ("brand_id", "event_id");
-- create "webhook_endpoints" table
CREATE TABLE "webhook_endpoints" ("id" character varying NOT NULL, "url" character varying NOT NULL, "description" character varying NOT NULL DEFAULT '', "event_types" text NOT NULL DEFAULT '[]', "secret_sealed" bytea NOT NULL, "created_at" timestamptz NOT NULL, "deleted_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_endpoints_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "webhookendpoint_brand_id_deleted_at" to table: "webhook_endpoints"
CREATE INDEX "webhookendpoint_brand_id_deleted_at" ON "webhook_endpoints" ("brand_id", "deleted_at");
-- create "webhook_events" table
CREATE TABLE "webhook_events" ("id" character varying NOT NULL, "type" character varying NOT NULL, "data" text NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_events_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "webhookevent_brand_id_created_at" to table: "webhook_events"
CREATE INDEX "webhookevent_brand_id_created_at" ON "webhook_events" ("brand_id", "created_at");
