-- Virtual accounts wait for the shopper's deposit in a state of their own, AWAITING_DEPOSIT:
-- entered when the PSP's confirm answers WAITING_FOR_DEPOSIT (from EXECUTING, or UNKNOWN when
-- recovery learns it), left for SUCCESS when the deposit arrives and for FAILURE when the due
-- date passes or the account is cancelled before the deposit.
--
-- payment_transitions holds the statuses as text from here on: PostgreSQL refuses to use an enum
-- value in the transaction that added it (all pending migrations run in one), and the edges below
-- name AWAITING_DEPOSIT. The trigger compares the payment's statuses as text.
ALTER TABLE payment_transitions ALTER COLUMN from_status TYPE text, ALTER COLUMN to_status TYPE text;
--> statement-breakpoint
INSERT INTO payment_transitions (from_status, to_status) VALUES
  ('EXECUTING', 'AWAITING_DEPOSIT'),
  ('UNKNOWN', 'AWAITING_DEPOSIT'),
  ('AWAITING_DEPOSIT', 'SUCCESS'),
  ('AWAITING_DEPOSIT', 'FAILURE');
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payment_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
    SELECT 1 FROM payment_transitions WHERE from_status = OLD.status::text AND to_status = NEW.status::text
  ) THEN
    RAISE EXCEPTION 'payment %: % → % is not an allowed transition', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_transition';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
-- The bank can take a deposit back (Toss: DONE → WAITING_FOR_DEPOSIT); the approval is then reversed.
INSERT INTO payment_transitions (from_status, to_status) VALUES ('SUCCESS', 'AWAITING_DEPOSIT');
