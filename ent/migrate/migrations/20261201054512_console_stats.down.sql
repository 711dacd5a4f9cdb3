-- reverse: create index "order_brand_id_paid_at" to table: "orders"
DROP INDEX "order_brand_id_paid_at";
