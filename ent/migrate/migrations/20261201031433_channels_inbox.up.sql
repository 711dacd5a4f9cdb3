-- create "channels_events" table
CREATE TABLE "channels_events" ("id" character varying NOT NULL, "event" character varying NOT NULL, "order_id" character varying NOT NULL, "event_key" character varying NOT NULL, "payload" text NOT NULL, "received_at" timestamptz NOT NULL, "processed_at" timestamptz NULL, "outcome" character varying NOT NULL DEFAULT '', "last_error" character varying NOT NULL DEFAULT '', "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "channels_events_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "channelsevent_brand_id_event_order_id_event_key" to table: "channels_events"
CREATE UNIQUE INDEX "channelsevent_brand_id_event_order_id_event_key" ON "channels_events" ("brand_id", "event", "order_id", "event_key");
-- create index "channelsevent_brand_id_order_id" to table: "channels_events"
CREATE INDEX "channelsevent_brand_id_order_id" ON "channels_events" ("brand_id", "order_id");
-- create index "channelsevent_brand_id_processed_at" to table: "channels_events"
CREATE INDEX "channelsevent_brand_id_processed_at" ON "channels_events" ("brand_id", "processed_at");
