-- create index "order_brand_id_paid_at" to table: "orders"
CREATE INDEX "order_brand_id_paid_at" ON "orders" ("brand_id", "paid_at");
