-- The relay's per-key order check (lib/outbox/claim-in-key-order.ts) reads this index; the old
-- in-app sandbox schema "psp" is dropped: the sandbox keeps its data in its own schema "sandbox".
ALTER TABLE "psp"."faults" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "psp"."idempotency_keys" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "psp"."merchants" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "psp"."payments" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "psp"."transactions" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "psp"."webhook_deliveries" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "psp"."faults" CASCADE;--> statement-breakpoint
DROP TABLE "psp"."idempotency_keys" CASCADE;--> statement-breakpoint
DROP TABLE "psp"."merchants" CASCADE;--> statement-breakpoint
DROP TABLE "psp"."payments" CASCADE;--> statement-breakpoint
DROP TABLE "psp"."transactions" CASCADE;--> statement-breakpoint
DROP TABLE "psp"."webhook_deliveries" CASCADE;--> statement-breakpoint
CREATE INDEX "outbox_unpublished_by_key" ON "outbox" USING btree ("aggregate_id","id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
DROP TYPE "psp"."fault_mode";--> statement-breakpoint
DROP TYPE "psp"."fault_operation";--> statement-breakpoint
DROP TYPE "psp"."payment_status";--> statement-breakpoint
DROP TYPE "psp"."transaction_kind";--> statement-breakpoint
DROP TYPE "psp"."webhook_status";--> statement-breakpoint
DROP SCHEMA "psp";
