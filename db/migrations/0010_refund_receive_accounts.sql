ALTER TABLE "refunds" ADD COLUMN "refund_account_sealed" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "refund_account_masked" text;