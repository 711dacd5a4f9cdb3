-- reverse: create index "channelsevent_brand_id_processed_at" to table: "channels_events"
DROP INDEX "channelsevent_brand_id_processed_at";
-- reverse: create index "channelsevent_brand_id_order_id" to table: "channels_events"
DROP INDEX "channelsevent_brand_id_order_id";
-- reverse: create index "channelsevent_brand_id_event_order_id_event_key" to table: "channels_events"
DROP INDEX "channelsevent_brand_id_event_order_id_event_key";
-- reverse: create "channels_events" table
DROP TABLE "channels_events";
