CREATE TYPE "sandbox"."pay_method" AS ENUM('CARD', 'TRANSFER', 'MOBILE_PHONE', 'VIRTUAL_ACCOUNT');--> statement-breakpoint
ALTER TYPE "sandbox"."payment_status" ADD VALUE 'WAITING_FOR_DEPOSIT' BEFORE 'DONE';--> statement-breakpoint
DROP INDEX "sandbox"."psp_payments_one_paid_per_order";--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "method" "sandbox"."pay_method" DEFAULT 'CARD' NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "easy_pay_provider" text;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "va_account_number" text;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "va_bank_code" text;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "va_customer_name" text;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "va_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD COLUMN "secret" text;--> statement-breakpoint
CREATE UNIQUE INDEX "psp_payments_one_paid_per_order" ON "sandbox"."payments" USING btree ("m_id","order_id") WHERE "sandbox"."payments"."status" not in ('READY', 'IN_PROGRESS', 'ABORTED', 'EXPIRED');--> statement-breakpoint
ALTER TABLE "sandbox"."payments" ADD CONSTRAINT "psp_payments_va_complete" CHECK (("sandbox"."payments"."method" = 'VIRTUAL_ACCOUNT') = ("sandbox"."payments"."va_account_number" is not null and "sandbox"."payments"."va_due_at" is not null and "sandbox"."payments"."secret" is not null));