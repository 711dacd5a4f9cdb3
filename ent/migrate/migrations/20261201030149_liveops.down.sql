-- reverse: create index "webhookevent_brand_id_created_at" to table: "webhook_events"
DROP INDEX "webhookevent_brand_id_created_at";
-- reverse: create "webhook_events" table
DROP TABLE "webhook_events";
-- reverse: create index "webhookendpoint_brand_id_deleted_at" to table: "webhook_endpoints"
DROP INDEX "webhookendpoint_brand_id_deleted_at";
-- reverse: create "webhook_endpoints" table
DROP TABLE "webhook_endpoints";
-- reverse: create index "webhookdelivery_brand_id_event_id" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_brand_id_event_id";
-- reverse: create index "webhookdelivery_brand_id_endpoint_id_status" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_brand_id_endpoint_id_status";
-- reverse: create "webhook_deliveries" table
DROP TABLE "webhook_deliveries";
-- reverse: create index "subscribetemplate_brand_id_purpose" to table: "subscribe_templates"
DROP INDEX "subscribetemplate_brand_id_purpose";
-- reverse: create "subscribe_templates" table
DROP TABLE "subscribe_templates";
-- reverse: create index "subscribesend_brand_id_member_id_created_at" to table: "subscribe_sends"
DROP INDEX "subscribesend_brand_id_member_id_created_at";
-- reverse: create index "subscribesend_brand_id_key" to table: "subscribe_sends"
DROP INDEX "subscribesend_brand_id_key";
-- reverse: create index "subscribesend_brand_id_batch_status" to table: "subscribe_sends"
DROP INDEX "subscribesend_brand_id_batch_status";
-- reverse: create "subscribe_sends" table
DROP TABLE "subscribe_sends";
-- reverse: create index "subscribecredit_brand_id_membe_9c53680f155524c5acacdba0ea938b6a" to table: "subscribe_credits"
DROP INDEX "subscribecredit_brand_id_membe_9c53680f155524c5acacdba0ea938b6a";
-- reverse: create "subscribe_credits" table
DROP TABLE "subscribe_credits";
