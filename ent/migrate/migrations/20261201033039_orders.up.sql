-- create "ledger_transactions" table
CREATE TABLE "ledger_transactions" ("id" character varying NOT NULL, "kind" character varying NOT NULL, "ref" character varying NOT NULL, "memo" character varying NOT NULL DEFAULT '', "posted_at" timestamptz NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "ledger_transactions_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "ledgertransaction_brand_id_posted_at" to table: "ledger_transactions"
CREATE INDEX "ledgertransaction_brand_id_posted_at" ON "ledger_transactions" ("brand_id", "posted_at");
-- create index "ledgertransaction_brand_id_ref" to table: "ledger_transactions"
CREATE UNIQUE INDEX "ledgertransaction_brand_id_ref" ON "ledger_transactions" ("brand_id", "ref");
-- create "adjustments" table
CREATE TABLE "adjustments" ("id" character varying NOT NULL, "member_id" character varying NOT NULL, "kind" character varying NOT NULL, "amount_fen" bigint NOT NULL, "reason" character varying NOT NULL, "admin_id" character varying NOT NULL DEFAULT '', "idempotency_key" character varying NULL, "body_hash" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "transaction_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "adjustments_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "adjustments_ledger_transactions_transaction" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "adjustment_brand_id_idempotency_key" to table: "adjustments"
CREATE UNIQUE INDEX "adjustment_brand_id_idempotency_key" ON "adjustments" ("brand_id", "idempotency_key");
-- create index "adjustment_brand_id_member_id_created_at" to table: "adjustments"
CREATE INDEX "adjustment_brand_id_member_id_created_at" ON "adjustments" ("brand_id", "member_id", "created_at");
-- create "orders" table
CREATE TABLE "orders" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "source" character varying NOT NULL, "external_id" character varying NOT NULL, "body_hash" character varying NOT NULL, "buyer_openid" character varying NOT NULL DEFAULT '', "buyer_unionid" character varying NOT NULL DEFAULT '', "buyer_member_id" character varying NULL, "ship_city" character varying NOT NULL DEFAULT '', "ship_city_norm" character varying NOT NULL DEFAULT '', "live_id" character varying NULL, "share_code" character varying NOT NULL DEFAULT '', "sharer_openid" character varying NOT NULL DEFAULT '', "sharer_unionid" character varying NOT NULL DEFAULT '', "total_paid_fen" bigint NOT NULL, "paid_at" timestamptz NOT NULL, "confirmed_at" timestamptz NULL, "settled_at" timestamptz NULL, "cancelled_at" timestamptz NULL, "hold_ends_at" timestamptz NOT NULL, "plan_version" bigint NOT NULL, "attributed_member_id" character varying NULL, "attribution_rule" character varying NOT NULL, "attribution_version" bigint NOT NULL, "attribution_reason" character varying NOT NULL DEFAULT '', "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "orders_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "order_brand_id_attributed_member_id_paid_at" to table: "orders"
CREATE INDEX "order_brand_id_attributed_member_id_paid_at" ON "orders" ("brand_id", "attributed_member_id", "paid_at");
-- create index "order_brand_id_buyer_member_id_paid_at" to table: "orders"
CREATE INDEX "order_brand_id_buyer_member_id_paid_at" ON "orders" ("brand_id", "buyer_member_id", "paid_at");
-- create index "order_brand_id_live_id_paid_at" to table: "orders"
CREATE INDEX "order_brand_id_live_id_paid_at" ON "orders" ("brand_id", "live_id", "paid_at");
-- create index "order_brand_id_source_external_id" to table: "orders"
CREATE UNIQUE INDEX "order_brand_id_source_external_id" ON "orders" ("brand_id", "source", "external_id");
-- create "after_sales" table
CREATE TABLE "after_sales" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "after_sale_id" character varying NOT NULL, "state" character varying NOT NULL, "lines" text NOT NULL DEFAULT '[]', "body_hash" character varying NOT NULL DEFAULT '', "at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "order_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "after_sales_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "after_sales_orders_order" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "aftersale_brand_id_order_id_after_sale_id" to table: "after_sales"
CREATE UNIQUE INDEX "aftersale_brand_id_order_id_after_sale_id" ON "after_sales" ("brand_id", "order_id", "after_sale_id");
-- create index "aftersale_brand_id_order_id_state" to table: "after_sales"
CREATE INDEX "aftersale_brand_id_order_id_state" ON "after_sales" ("brand_id", "order_id", "state");
-- create "api_keys" table
CREATE TABLE "api_keys" ("id" character varying NOT NULL, "name" character varying NOT NULL DEFAULT '', "secret_hash" bytea NOT NULL, "created_by" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "last_used_at" timestamptz NULL, "revoked_at" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_keys_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "apikey_brand_id_created_at" to table: "api_keys"
CREATE INDEX "apikey_brand_id_created_at" ON "api_keys" ("brand_id", "created_at");
-- create "binding_changes" table
CREATE TABLE "binding_changes" ("id" character varying NOT NULL, "buyer_id" character varying NOT NULL, "from_sharer_id" character varying NOT NULL DEFAULT '', "to_sharer_id" character varying NOT NULL DEFAULT '', "mode" character varying NOT NULL DEFAULT '', "cause" character varying NOT NULL, "ref" character varying NOT NULL DEFAULT '', "reason" character varying NOT NULL DEFAULT '', "at" timestamptz NOT NULL, "expires_at" timestamptz NULL, "protected_until" timestamptz NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "binding_changes_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "bindingchange_brand_id_buyer_id_at" to table: "binding_changes"
CREATE INDEX "bindingchange_brand_id_buyer_id_at" ON "binding_changes" ("brand_id", "buyer_id", "at");
-- create "binding_rule_sets" table
CREATE TABLE "binding_rule_sets" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "mode" character varying NOT NULL, "window_days" bigint NOT NULL DEFAULT 0, "protection_days" bigint NOT NULL DEFAULT 0, "new_buyers_only" boolean NOT NULL DEFAULT false, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "binding_rule_sets_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "bindingruleset_brand_id" to table: "binding_rule_sets"
CREATE UNIQUE INDEX "bindingruleset_brand_id" ON "binding_rule_sets" ("brand_id");
-- create "bindings" table
CREATE TABLE "bindings" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "buyer_id" character varying NOT NULL, "sharer_id" character varying NOT NULL DEFAULT '', "mode" character varying NOT NULL DEFAULT '', "bound_at" timestamptz NULL, "expires_at" timestamptz NULL, "protected_until" timestamptz NULL, "touches_through" timestamptz NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "bindings_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "binding_brand_id_buyer_id" to table: "bindings"
CREATE UNIQUE INDEX "binding_brand_id_buyer_id" ON "bindings" ("brand_id", "buyer_id");
-- create index "binding_brand_id_sharer_id" to table: "bindings"
CREATE INDEX "binding_brand_id_sharer_id" ON "bindings" ("brand_id", "sharer_id");
-- create "commission_plans" table
CREATE TABLE "commission_plans" ("id" character varying NOT NULL, "version" bigint NOT NULL, "body" text NOT NULL, "effective_from" timestamptz NOT NULL, "created_by" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "commission_plans_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "commissionplan_brand_id_effective_from" to table: "commission_plans"
CREATE INDEX "commissionplan_brand_id_effective_from" ON "commission_plans" ("brand_id", "effective_from");
-- create index "commissionplan_brand_id_version" to table: "commission_plans"
CREATE UNIQUE INDEX "commissionplan_brand_id_version" ON "commission_plans" ("brand_id", "version");
-- create "order_lines" table
CREATE TABLE "order_lines" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "line_id" character varying NOT NULL, "product_id" character varying NOT NULL DEFAULT '', "sku_id" character varying NOT NULL DEFAULT '', "product_type" character varying NOT NULL, "quantity" bigint NOT NULL, "paid_fen" bigint NOT NULL, "refunded_fen" bigint NOT NULL DEFAULT 0, "open_after_sales" bigint NOT NULL DEFAULT 0, "brand_id" character varying NOT NULL, "order_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "order_lines_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "order_lines_orders_order" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "orderline_brand_id_order_id_line_id" to table: "order_lines"
CREATE UNIQUE INDEX "orderline_brand_id_order_id_line_id" ON "order_lines" ("brand_id", "order_id", "line_id");
-- create "commissions" table
CREATE TABLE "commissions" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "live_id" character varying NULL, "beneficiary_id" character varying NOT NULL, "tier" bigint NOT NULL, "attribution_version" bigint NOT NULL, "plan_version" bigint NOT NULL, "product_type" character varying NOT NULL, "amount_fen" bigint NOT NULL, "reversed_fen" bigint NOT NULL DEFAULT 0, "status" character varying NOT NULL, "due_at" timestamptz NOT NULL, "available_at" timestamptz NULL, "brand_id" character varying NOT NULL, "order_id" character varying NOT NULL, "order_line_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "commissions_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "commissions_order_lines_line" FOREIGN KEY ("order_line_id") REFERENCES "order_lines" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "commissions_orders_order" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "commission_brand_id_beneficiary_id_created_at" to table: "commissions"
CREATE INDEX "commission_brand_id_beneficiary_id_created_at" ON "commissions" ("brand_id", "beneficiary_id", "created_at");
-- create index "commission_brand_id_live_id_status" to table: "commissions"
CREATE INDEX "commission_brand_id_live_id_status" ON "commissions" ("brand_id", "live_id", "status");
-- create index "commission_brand_id_order_id" to table: "commissions"
CREATE INDEX "commission_brand_id_order_id" ON "commissions" ("brand_id", "order_id");
-- create index "commission_brand_id_order_line_cda9990ef72130a2b2b49d17fa495d2a" to table: "commissions"
CREATE UNIQUE INDEX "commission_brand_id_order_line_cda9990ef72130a2b2b49d17fa495d2a" ON "commissions" ("brand_id", "order_line_id", "beneficiary_id", "tier", "attribution_version");
-- create index "commission_brand_id_status_due_at" to table: "commissions"
CREATE INDEX "commission_brand_id_status_due_at" ON "commissions" ("brand_id", "status", "due_at");
-- create "commission_reversals" table
CREATE TABLE "commission_reversals" ("id" character varying NOT NULL, "cause" character varying NOT NULL, "amount_fen" bigint NOT NULL, "phase" character varying NOT NULL, "debt_fen" bigint NOT NULL DEFAULT 0, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "commission_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "commission_reversals_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "commission_reversals_commissions_commission" FOREIGN KEY ("commission_id") REFERENCES "commissions" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "commissionreversal_brand_id_commission_id_cause" to table: "commission_reversals"
CREATE UNIQUE INDEX "commissionreversal_brand_id_commission_id_cause" ON "commission_reversals" ("brand_id", "commission_id", "cause");
-- create "ledger_accounts" table
CREATE TABLE "ledger_accounts" ("id" character varying NOT NULL, "owner_type" character varying NOT NULL, "owner_id" character varying NOT NULL, "kind" character varying NOT NULL, "normal_side" character varying NOT NULL, "balance_fen" bigint NOT NULL DEFAULT 0, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "ledger_accounts_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "ledgeraccount_brand_id_owner_type_owner_id_kind" to table: "ledger_accounts"
CREATE UNIQUE INDEX "ledgeraccount_brand_id_owner_type_owner_id_kind" ON "ledger_accounts" ("brand_id", "owner_type", "owner_id", "kind");
-- create "ledger_entries" table
CREATE TABLE "ledger_entries" ("id" character varying NOT NULL, "amount_fen" bigint NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "transaction_id" character varying NOT NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "ledger_entries_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "ledger_entries_ledger_accounts_account" FOREIGN KEY ("account_id") REFERENCES "ledger_accounts" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "ledger_entries_ledger_transactions_transaction" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "ledgerentry_brand_id_account_id" to table: "ledger_entries"
CREATE INDEX "ledgerentry_brand_id_account_id" ON "ledger_entries" ("brand_id", "account_id");
-- create index "ledgerentry_brand_id_transaction_id" to table: "ledger_entries"
CREATE INDEX "ledgerentry_brand_id_transaction_id" ON "ledger_entries" ("brand_id", "transaction_id");
-- create "order_attributions" table
CREATE TABLE "order_attributions" ("id" character varying NOT NULL, "version" bigint NOT NULL, "member_id" character varying NULL, "rule" character varying NOT NULL, "reason" character varying NOT NULL DEFAULT '', "actor_type" character varying NOT NULL, "actor_id" character varying NOT NULL DEFAULT '', "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, "order_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "order_attributions_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "order_attributions_orders_order" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "orderattribution_brand_id_order_id_version" to table: "order_attributions"
CREATE UNIQUE INDEX "orderattribution_brand_id_order_id_version" ON "order_attributions" ("brand_id", "order_id", "version");
-- create "parked_order_events" table
CREATE TABLE "parked_order_events" ("id" character varying NOT NULL, "source" character varying NOT NULL, "external_id" character varying NOT NULL, "kind" character varying NOT NULL, "key" character varying NOT NULL DEFAULT '', "payload" text NOT NULL DEFAULT '{}', "at" timestamptz NOT NULL, "created_at" timestamptz NOT NULL, "brand_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "parked_order_events_brands_brand" FOREIGN KEY ("brand_id") REFERENCES "brands" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
-- create index "parkedorderevent_brand_id_source_external_id_kind_key" to table: "parked_order_events"
CREATE UNIQUE INDEX "parkedorderevent_brand_id_source_external_id_kind_key" ON "parked_order_events" ("brand_id", "source", "external_id", "kind", "key");
