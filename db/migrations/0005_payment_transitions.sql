-- The payment state machine, enforced by the database as the ledger's rules are: the allowed
-- edges (from → to) of lib/payments/state-machine.ts, and a trigger that refuses any UPDATE of a
-- payment's status that is not one of them (a test keeps this list equal to the code's table).
CREATE TABLE payment_transitions (
  from_status payment_status NOT NULL,
  to_status payment_status NOT NULL,
  PRIMARY KEY (from_status, to_status)
);
--> statement-breakpoint
INSERT INTO payment_transitions (from_status, to_status) VALUES
  ('NOT_STARTED', 'EXECUTING'),
  ('NOT_STARTED', 'FAILURE'),
  ('EXECUTING', 'SUCCESS'),
  ('EXECUTING', 'FAILURE'),
  ('EXECUTING', 'UNKNOWN'),
  ('UNKNOWN', 'SUCCESS'),
  ('UNKNOWN', 'FAILURE'),
  ('SUCCESS', 'PARTIALLY_REFUNDED'),
  ('SUCCESS', 'REFUNDED'),
  ('PARTIALLY_REFUNDED', 'REFUNDED');
--> statement-breakpoint
CREATE FUNCTION payment_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
    SELECT 1 FROM payment_transitions WHERE from_status = OLD.status AND to_status = NEW.status
  ) THEN
    RAISE EXCEPTION 'payment %: % → % is not an allowed transition', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_transition';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_allowed_transition BEFORE UPDATE OF status ON payments
  FOR EACH ROW EXECUTE FUNCTION payment_check_transition();
--> statement-breakpoint
-- A payment starts its life NOT_STARTED; every later state is reached through an edge above.
CREATE FUNCTION payment_check_initial_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'NOT_STARTED' THEN
    RAISE EXCEPTION 'payment % cannot be created in %; it starts NOT_STARTED', NEW.id, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_transition';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_initial_status BEFORE INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION payment_check_initial_status();
--> statement-breakpoint
-- The edge table is part of the rules: append-only like them.
CREATE TRIGGER payment_transitions_fixed BEFORE UPDATE OR DELETE ON payment_transitions
  FOR EACH ROW EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
CREATE TRIGGER payment_transitions_no_truncate BEFORE TRUNCATE ON payment_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION reject_modification();
