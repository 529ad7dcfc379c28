CREATE SCHEMA "psp";
--> statement-breakpoint
CREATE TYPE "public"."ledger_account_code" AS ENUM('PSP_RECEIVABLE', 'MERCHANT_PAYABLE', 'PLATFORM_REVENUE', 'CASH', 'PSP_FEE_EXPENSE');--> statement-breakpoint
CREATE TYPE "public"."journal_kind" AS ENUM('PAYMENT_APPROVAL', 'REFUND', 'SETTLEMENT', 'CORRECTION');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('NOT_STARTED', 'EXECUTING', 'SUCCESS', 'FAILURE', 'UNKNOWN', 'PARTIALLY_REFUNDED', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_class" AS ENUM('MATCHED', 'MISSING_OURS', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN');--> statement-breakpoint
CREATE TYPE "psp"."fault_mode" AS ENUM('lose-response', 'server-error', 'slow');--> statement-breakpoint
CREATE TYPE "psp"."fault_operation" AS ENUM('confirm', 'cancel', 'lookup');--> statement-breakpoint
CREATE TYPE "psp"."payment_status" AS ENUM('READY', 'IN_PROGRESS', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "psp"."transaction_kind" AS ENUM('APPROVAL', 'CANCEL');--> statement-breakpoint
CREATE TYPE "psp"."webhook_status" AS ENUM('PENDING', 'DELIVERED', 'FAILED');--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"journal_id" text NOT NULL,
	"account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	CONSTRAINT "journal_lines_nonzero" CHECK ("journal_lines"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "journals" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"kind" "journal_kind" NOT NULL,
	"payment_id" text,
	"external_ref" text,
	"description" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"code" "ledger_account_code" NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"fee_bps" integer DEFAULT 250 NOT NULL,
	"webhook_url" text,
	"webhook_secret" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchants_fee_bps" CHECK ("merchants"."fee_bps" between 0 and 10000)
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"order_id" text NOT NULL,
	"product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" bigint NOT NULL,
	CONSTRAINT "order_items_order_id_product_id_pk" PRIMARY KEY("order_id","product_id"),
	CONSTRAINT "order_items_quantity_positive" CHECK ("order_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"checkout_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"order_name" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_amount_positive" CHECK ("orders"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"aggregate_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payment_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"from_status" "payment_status",
	"to_status" "payment_status",
	"event" text NOT NULL,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" "payment_status" DEFAULT 'NOT_STARTED' NOT NULL,
	"psp_payment_key" text,
	"confirm_idempotency_key" text NOT NULL,
	"failure_code" text,
	"failure_message" text,
	"approved_at" timestamp with time zone,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"recovery_attempts" integer DEFAULT 0 NOT NULL,
	"next_recovery_at" timestamp with time zone,
	"needs_attention" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_refunded_within_amount" CHECK ("payments"."refunded_amount" between 0 and "payments"."amount")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"name" text NOT NULL,
	"price" bigint NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_positive" CHECK ("products"."price" > 0)
);
--> statement-breakpoint
CREATE TABLE "consumed_events" (
	"consumer" text NOT NULL,
	"event_id" text NOT NULL,
	"consumed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumed_events_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"event_id" text,
	"merchant_id" text,
	"source_topic" text NOT NULL,
	"payload" jsonb,
	"raw_value" text,
	"error" text NOT NULL,
	"attempts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replayed_at" timestamp with time zone,
	"replay_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchant_balances" (
	"merchant_id" text NOT NULL,
	"currency" text NOT NULL,
	"payable" bigint DEFAULT 0 NOT NULL,
	"approved_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchant_balances_merchant_id_currency_pk" PRIMARY KEY("merchant_id","currency")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"url" text NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "psp_webhook_receipts" (
	"transmission_id" text PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"payment_key" text,
	"order_id" text,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text
);
--> statement-breakpoint
CREATE TABLE "reconciliation_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" text NOT NULL,
	"merchant_id" text,
	"payment_id" text,
	"order_id" text,
	"psp_payment_key" text,
	"classification" "reconciliation_class" NOT NULL,
	"ours" jsonb,
	"psp" jsonb,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"from_date" text NOT NULL,
	"to_date" text NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"settlement_journals" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"psp_idempotency_key" text NOT NULL,
	"status" "refund_status" DEFAULT 'PENDING' NOT NULL,
	"psp_transaction_key" text,
	"failure_code" text,
	"failure_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_psp_idempotency_key_unique" UNIQUE("psp_idempotency_key"),
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "psp"."faults" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"operation" "psp"."fault_operation" NOT NULL,
	"mode" "psp"."fault_mode" NOT NULL,
	"count" integer NOT NULL,
	"remaining" integer NOT NULL,
	"delay_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "psp_faults_remaining_in_range" CHECK ("psp"."faults"."remaining" between 0 and "psp"."faults"."count")
);
--> statement-breakpoint
CREATE TABLE "psp"."idempotency_keys" (
	"idempotency_key" text NOT NULL,
	"m_id" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"response_status" integer,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_idempotency_key_m_id_method_path_pk" PRIMARY KEY("idempotency_key","m_id","method","path")
);
--> statement-breakpoint
CREATE TABLE "psp"."merchants" (
	"m_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"client_key" text NOT NULL,
	"secret_key" text NOT NULL,
	"fee_bps" integer DEFAULT 320 NOT NULL,
	"webhook_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchants_client_key_unique" UNIQUE("client_key"),
	CONSTRAINT "merchants_secret_key_unique" UNIQUE("secret_key")
);
--> statement-breakpoint
CREATE TABLE "psp"."payments" (
	"payment_key" text PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"order_id" text NOT NULL,
	"order_name" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" "psp"."payment_status" NOT NULL,
	"last_transaction_key" text,
	"card_number" text NOT NULL,
	"approve_no" text,
	"failure" jsonb,
	"cancels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"authenticated_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	CONSTRAINT "psp_payments_amount_positive" CHECK ("psp"."payments"."amount" > 0),
	CONSTRAINT "psp_payments_balance_in_range" CHECK ("psp"."payments"."balance_amount" between 0 and "psp"."payments"."amount")
);
--> statement-breakpoint
CREATE TABLE "psp"."transactions" (
	"transaction_key" text PRIMARY KEY NOT NULL,
	"payment_key" text NOT NULL,
	"m_id" text NOT NULL,
	"kind" "psp"."transaction_kind" NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"sold_date" date NOT NULL,
	"seq" bigserial NOT NULL,
	CONSTRAINT "psp_transactions_amount_positive" CHECK ("psp"."transactions"."amount" > 0),
	CONSTRAINT "psp_transactions_fee_in_range" CHECK ("psp"."transactions"."fee" between 0 and "psp"."transactions"."amount")
);
--> statement-breakpoint
CREATE TABLE "psp"."webhook_deliveries" (
	"transmission_id" text PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"payment_key" text NOT NULL,
	"event_type" text NOT NULL,
	"url" text NOT NULL,
	"body" text NOT NULL,
	"status" "psp"."webhook_status" DEFAULT 'PENDING' NOT NULL,
	"retried_count" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_result" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_account" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_session" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	CONSTRAINT "auth_session_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "auth_user" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"merchant_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auth_user_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "auth_verification" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchant_api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "merchant_api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_journal_id_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journals" ADD CONSTRAINT "journals_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journals" ADD CONSTRAINT "journals_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_history" ADD CONSTRAINT "payment_history_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_balances" ADD CONSTRAINT "merchant_balances_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_items" ADD CONSTRAINT "reconciliation_items_run_id_reconciliation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."reconciliation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."faults" ADD CONSTRAINT "faults_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "psp"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."idempotency_keys" ADD CONSTRAINT "idempotency_keys_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "psp"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."payments" ADD CONSTRAINT "payments_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "psp"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."transactions" ADD CONSTRAINT "transactions_payment_key_payments_payment_key_fk" FOREIGN KEY ("payment_key") REFERENCES "psp"."payments"("payment_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."transactions" ADD CONSTRAINT "transactions_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "psp"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "psp"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "psp"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_payment_key_payments_payment_key_fk" FOREIGN KEY ("payment_key") REFERENCES "psp"."payments"("payment_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_account" ADD CONSTRAINT "auth_account_user_id_auth_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."auth_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_session" ADD CONSTRAINT "auth_session_user_id_auth_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."auth_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_user" ADD CONSTRAINT "auth_user_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_api_keys" ADD CONSTRAINT "merchant_api_keys_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_lines_journal" ON "journal_lines" USING btree ("journal_id");--> statement-breakpoint
CREATE INDEX "journal_lines_account" ON "journal_lines" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journals_one_approval_per_payment" ON "journals" USING btree ("payment_id") WHERE "journals"."kind" = 'PAYMENT_APPROVAL';--> statement-breakpoint
CREATE UNIQUE INDEX "journals_one_per_external_ref" ON "journals" USING btree ("kind","external_ref") WHERE "journals"."external_ref" is not null;--> statement-breakpoint
CREATE INDEX "journals_payment" ON "journals" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "journals_merchant_created" ON "journals" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_merchant_code_currency" ON "ledger_accounts" USING btree ("merchant_id","code","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_merchant_checkout_key" ON "orders" USING btree ("merchant_id","checkout_key");--> statement-breakpoint
CREATE INDEX "orders_merchant_created" ON "orders" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "outbox_unpublished" ON "outbox" USING btree ("id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_event" ON "outbox" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "outbox_aggregate" ON "outbox" USING btree ("aggregate_id");--> statement-breakpoint
CREATE INDEX "payment_history_payment" ON "payment_history" USING btree ("payment_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_psp_payment_key" ON "payments" USING btree ("psp_payment_key");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_confirm_idempotency_key" ON "payments" USING btree ("confirm_idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_live_attempt_per_order" ON "payments" USING btree ("order_id") WHERE "payments"."status" <> 'FAILURE';--> statement-breakpoint
CREATE INDEX "payments_merchant" ON "payments" USING btree ("merchant_id");--> statement-breakpoint
CREATE INDEX "payments_unfinished" ON "payments" USING btree ("status","updated_at") WHERE "payments"."status" in ('EXECUTING', 'UNKNOWN');--> statement-breakpoint
CREATE INDEX "payments_not_started" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'NOT_STARTED';--> statement-breakpoint
CREATE INDEX "payments_order" ON "payments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "products_merchant" ON "products" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_consumer_event" ON "dead_letters" USING btree ("consumer","event_id") WHERE "dead_letters"."event_id" is not null;--> statement-breakpoint
CREATE INDEX "dead_letters_merchant" ON "dead_letters" USING btree ("merchant_id","last_failed_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event" ON "webhook_deliveries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_merchant" ON "webhook_deliveries" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "psp_webhook_receipts_unprocessed" ON "psp_webhook_receipts" USING btree ("received_at") WHERE "psp_webhook_receipts"."processed_at" is null;--> statement-breakpoint
CREATE INDEX "reconciliation_items_run" ON "reconciliation_items" USING btree ("run_id","classification");--> statement-breakpoint
CREATE INDEX "reconciliation_items_merchant" ON "reconciliation_items" USING btree ("merchant_id","run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_merchant_idempotency_key" ON "refunds" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "refunds_payment" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "refunds_unfinished" ON "refunds" USING btree ("status") WHERE "refunds"."status" in ('PENDING', 'UNKNOWN');--> statement-breakpoint
CREATE INDEX "psp_faults_pending" ON "psp"."faults" USING btree ("m_id","operation","id") WHERE "psp"."faults"."remaining" > 0;--> statement-breakpoint
CREATE INDEX "psp_payments_order" ON "psp"."payments" USING btree ("m_id","order_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "psp_payments_one_paid_per_order" ON "psp"."payments" USING btree ("m_id","order_id") WHERE "psp"."payments"."status" in ('DONE', 'CANCELED', 'PARTIAL_CANCELED');--> statement-breakpoint
CREATE INDEX "psp_transactions_sold" ON "psp"."transactions" USING btree ("m_id","sold_date","occurred_at","seq");--> statement-breakpoint
CREATE INDEX "psp_transactions_payment" ON "psp"."transactions" USING btree ("payment_key");--> statement-breakpoint
CREATE INDEX "psp_webhook_deliveries_due" ON "psp"."webhook_deliveries" USING btree ("next_attempt_at") WHERE "psp"."webhook_deliveries"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "psp_webhook_deliveries_payment" ON "psp"."webhook_deliveries" USING btree ("payment_key","created_at");--> statement-breakpoint
CREATE INDEX "auth_account_user" ON "auth_account" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "auth_session_user" ON "auth_session" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_log_merchant" ON "audit_log" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "merchant_api_keys_merchant" ON "merchant_api_keys" USING btree ("merchant_id");