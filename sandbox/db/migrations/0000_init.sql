CREATE SCHEMA IF NOT EXISTS "sandbox";
--> statement-breakpoint
CREATE TYPE "sandbox"."fault_mode" AS ENUM('lose-response', 'server-error', 'slow');--> statement-breakpoint
CREATE TYPE "sandbox"."fault_operation" AS ENUM('confirm', 'cancel', 'lookup');--> statement-breakpoint
CREATE TYPE "sandbox"."payment_status" AS ENUM('READY', 'IN_PROGRESS', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "sandbox"."transaction_kind" AS ENUM('APPROVAL', 'CANCEL');--> statement-breakpoint
CREATE TYPE "sandbox"."webhook_status" AS ENUM('PENDING', 'DELIVERED', 'FAILED');--> statement-breakpoint
CREATE TABLE "sandbox"."faults" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"operation" "sandbox"."fault_operation" NOT NULL,
	"mode" "sandbox"."fault_mode" NOT NULL,
	"count" integer NOT NULL,
	"remaining" integer NOT NULL,
	"delay_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "psp_faults_remaining_in_range" CHECK ("sandbox"."faults"."remaining" between 0 and "sandbox"."faults"."count")
);
--> statement-breakpoint
CREATE TABLE "sandbox"."idempotency_keys" (
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
CREATE TABLE "sandbox"."merchants" (
	"m_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"client_key" text NOT NULL,
	"secret_key" text NOT NULL,
	"fee_bps" integer DEFAULT 320 NOT NULL,
	"webhook_url" text,
	"redirect_origins" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchants_client_key_unique" UNIQUE("client_key"),
	CONSTRAINT "merchants_secret_key_unique" UNIQUE("secret_key")
);
--> statement-breakpoint
CREATE TABLE "sandbox"."payments" (
	"payment_key" text PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"order_id" text NOT NULL,
	"order_name" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" "sandbox"."payment_status" NOT NULL,
	"last_transaction_key" text,
	"card_number" text NOT NULL,
	"approve_no" text,
	"failure" jsonb,
	"cancels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"authenticated_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	CONSTRAINT "psp_payments_amount_positive" CHECK ("sandbox"."payments"."amount" > 0),
	CONSTRAINT "psp_payments_balance_in_range" CHECK ("sandbox"."payments"."balance_amount" between 0 and "sandbox"."payments"."amount")
);
--> statement-breakpoint
CREATE TABLE "sandbox"."transactions" (
	"transaction_key" text PRIMARY KEY NOT NULL,
	"payment_key" text NOT NULL,
	"m_id" text NOT NULL,
	"kind" "sandbox"."transaction_kind" NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"sold_date" date NOT NULL,
	"seq" bigserial NOT NULL,
	CONSTRAINT "psp_transactions_amount_positive" CHECK ("sandbox"."transactions"."amount" > 0),
	CONSTRAINT "psp_transactions_fee_in_range" CHECK ("sandbox"."transactions"."fee" between 0 and "sandbox"."transactions"."amount")
);
--> statement-breakpoint
CREATE TABLE "sandbox"."webhook_deliveries" (
	"transmission_id" text PRIMARY KEY NOT NULL,
	"m_id" text NOT NULL,
	"payment_key" text NOT NULL,
	"event_type" text NOT NULL,
	"url" text NOT NULL,
	"body" text NOT NULL,
	"status" "sandbox"."webhook_status" DEFAULT 'PENDING' NOT NULL,
	"retried_count" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_result" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox"."faults" ADD CONSTRAINT "faults_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "sandbox"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."idempotency_keys" ADD CONSTRAINT "idempotency_keys_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "sandbox"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD CONSTRAINT "payments_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "sandbox"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."transactions" ADD CONSTRAINT "transactions_payment_key_payments_payment_key_fk" FOREIGN KEY ("payment_key") REFERENCES "sandbox"."payments"("payment_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."transactions" ADD CONSTRAINT "transactions_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "sandbox"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_m_id_merchants_m_id_fk" FOREIGN KEY ("m_id") REFERENCES "sandbox"."merchants"("m_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_payment_key_payments_payment_key_fk" FOREIGN KEY ("payment_key") REFERENCES "sandbox"."payments"("payment_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "psp_faults_pending" ON "sandbox"."faults" USING btree ("m_id","operation","id") WHERE "sandbox"."faults"."remaining" > 0;--> statement-breakpoint
CREATE INDEX "psp_payments_order" ON "sandbox"."payments" USING btree ("m_id","order_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "psp_payments_one_paid_per_order" ON "sandbox"."payments" USING btree ("m_id","order_id") WHERE "sandbox"."payments"."status" in ('DONE', 'CANCELED', 'PARTIAL_CANCELED');--> statement-breakpoint
CREATE INDEX "psp_transactions_sold" ON "sandbox"."transactions" USING btree ("m_id","sold_date","occurred_at","seq");--> statement-breakpoint
CREATE INDEX "psp_transactions_payment" ON "sandbox"."transactions" USING btree ("payment_key");--> statement-breakpoint
CREATE INDEX "psp_webhook_deliveries_due" ON "sandbox"."webhook_deliveries" USING btree ("next_attempt_at") WHERE "sandbox"."webhook_deliveries"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "psp_webhook_deliveries_payment" ON "sandbox"."webhook_deliveries" USING btree ("payment_key","created_at");