CREATE TYPE "public"."pay_method" AS ENUM('CARD', 'EASY_PAY', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT');--> statement-breakpoint
ALTER TYPE "public"."payment_status" ADD VALUE 'AWAITING_DEPOSIT' BEFORE 'PARTIALLY_REFUNDED';--> statement-breakpoint
CREATE TABLE "virtual_accounts" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"bank_code" text NOT NULL,
	"account_number" text NOT NULL,
	"customer_name" text,
	"due_at" timestamp with time zone NOT NULL,
	"secret_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "virtual_accounts_secret_sha256" CHECK ("virtual_accounts"."secret_sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "method" "pay_method";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "easy_pay_provider" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "refund_account_sealed" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "refund_account_masked" text;--> statement-breakpoint
ALTER TABLE "virtual_accounts" ADD CONSTRAINT "virtual_accounts_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "virtual_accounts" ADD CONSTRAINT "virtual_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "virtual_accounts_merchant_due" ON "virtual_accounts" USING btree ("merchant_id","due_at");--> statement-breakpoint
CREATE INDEX "virtual_accounts_due" ON "virtual_accounts" USING btree ("due_at");