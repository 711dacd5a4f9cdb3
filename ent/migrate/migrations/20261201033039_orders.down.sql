-- reverse: create index "parkedorderevent_brand_id_source_external_id_kind_key" to table: "parked_order_events"
DROP INDEX "parkedorderevent_brand_id_source_external_id_kind_key";
-- reverse: create "parked_order_events" table
DROP TABLE "parked_order_events";
-- reverse: create index "orderattribution_brand_id_order_id_version" to table: "order_attributions"
DROP INDEX "orderattribution_brand_id_order_id_version";
-- reverse: create "order_attributions" table
DROP TABLE "order_attributions";
-- reverse: create index "ledgerentry_brand_id_transaction_id" to table: "ledger_entries"
DROP INDEX "ledgerentry_brand_id_transaction_id";
-- reverse: create index "ledgerentry_brand_id_account_id" to table: "ledger_entries"
DROP INDEX "ledgerentry_brand_id_account_id";
-- reverse: create "ledger_entries" table
DROP TABLE "ledger_entries";
-- reverse: create index "ledgeraccount_brand_id_owner_type_owner_id_kind" to table: "ledger_accounts"
DROP INDEX "ledgeraccount_brand_id_owner_type_owner_id_kind";
-- reverse: create "ledger_accounts" table
DROP TABLE "ledger_accounts";
-- reverse: create index "commissionreversal_brand_id_commission_id_cause" to table: "commission_reversals"
DROP INDEX "commissionreversal_brand_id_commission_id_cause";
-- reverse: create "commission_reversals" table
DROP TABLE "commission_reversals";
-- reverse: create index "commission_brand_id_status_due_at" to table: "commissions"
DROP INDEX "commission_brand_id_status_due_at";
-- reverse: create index "commission_brand_id_order_line_cda9990ef72130a2b2b49d17fa495d2a" to table: "commissions"
DROP INDEX "commission_brand_id_order_line_cda9990ef72130a2b2b49d17fa495d2a";
-- reverse: create index "commission_brand_id_order_id" to table: "commissions"
DROP INDEX "commission_brand_id_order_id";
-- reverse: create index "commission_brand_id_live_id_status" to table: "commissions"
DROP INDEX "commission_brand_id_live_id_status";
-- reverse: create index "commission_brand_id_beneficiary_id_created_at" to table: "commissions"
DROP INDEX "commission_brand_id_beneficiary_id_created_at";
-- reverse: create "commissions" table
DROP TABLE "commissions";
-- reverse: create index "orderline_brand_id_order_id_line_id" to table: "order_lines"
DROP INDEX "orderline_brand_id_order_id_line_id";
-- reverse: create "order_lines" table
DROP TABLE "order_lines";
-- reverse: create index "commissionplan_brand_id_version" to table: "commission_plans"
DROP INDEX "commissionplan_brand_id_version";
-- reverse: create index "commissionplan_brand_id_effective_from" to table: "commission_plans"
DROP INDEX "commissionplan_brand_id_effective_from";
-- reverse: create "commission_plans" table
DROP TABLE "commission_plans";
-- reverse: create index "binding_brand_id_sharer_id" to table: "bindings"
DROP INDEX "binding_brand_id_sharer_id";
-- reverse: create index "binding_brand_id_buyer_id" to table: "bindings"
DROP INDEX "binding_brand_id_buyer_id";
-- reverse: create "bindings" table
DROP TABLE "bindings";
-- reverse: create index "bindingruleset_brand_id" to table: "binding_rule_sets"
DROP INDEX "bindingruleset_brand_id";
-- reverse: create "binding_rule_sets" table
DROP TABLE "binding_rule_sets";
-- reverse: create index "bindingchange_brand_id_buyer_id_at" to table: "binding_changes"
DROP INDEX "bindingchange_brand_id_buyer_id_at";
-- reverse: create "binding_changes" table
DROP TABLE "binding_changes";
-- reverse: create index "apikey_brand_id_created_at" to table: "api_keys"
DROP INDEX "apikey_brand_id_created_at";
-- reverse: create "api_keys" table
DROP TABLE "api_keys";
-- reverse: create index "aftersale_brand_id_order_id_state" to table: "after_sales"
DROP INDEX "aftersale_brand_id_order_id_state";
-- reverse: create index "aftersale_brand_id_order_id_after_sale_id" to table: "after_sales"
DROP INDEX "aftersale_brand_id_order_id_after_sale_id";
-- reverse: create "after_sales" table
DROP TABLE "after_sales";
-- reverse: create index "order_brand_id_source_external_id" to table: "orders"
DROP INDEX "order_brand_id_source_external_id";
-- reverse: create index "order_brand_id_live_id_paid_at" to table: "orders"
DROP INDEX "order_brand_id_live_id_paid_at";
-- reverse: create index "order_brand_id_buyer_member_id_paid_at" to table: "orders"
DROP INDEX "order_brand_id_buyer_member_id_paid_at";
-- reverse: create index "order_brand_id_attributed_member_id_paid_at" to table: "orders"
DROP INDEX "order_brand_id_attributed_member_id_paid_at";
-- reverse: create "orders" table
DROP TABLE "orders";
-- reverse: create index "adjustment_brand_id_member_id_created_at" to table: "adjustments"
DROP INDEX "adjustment_brand_id_member_id_created_at";
-- reverse: create index "adjustment_brand_id_idempotency_key" to table: "adjustments"
DROP INDEX "adjustment_brand_id_idempotency_key";
-- reverse: create "adjustments" table
DROP TABLE "adjustments";
-- reverse: create index "ledgertransaction_brand_id_ref" to table: "ledger_transactions"
DROP INDEX "ledgertransaction_brand_id_ref";
-- reverse: create index "ledgertransaction_brand_id_posted_at" to table: "ledger_transactions"
DROP INDEX "ledgertransaction_brand_id_posted_at";
-- reverse: create "ledger_transactions" table
DROP TABLE "ledger_transactions";
