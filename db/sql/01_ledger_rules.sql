-- Ledger rules enforced by the database itself, not only by the code that writes it.

-- 1. Every journal balances to zero per currency and has at least two lines. The trigger is
--    a DEFERRABLE INITIALLY DEFERRED constraint trigger: lines are inserted one by one, so
--    the check can only run at commit, when the whole journal is there.
CREATE FUNCTION ledger_check_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  jid text := NEW.journal_id;
  line_count int;
  unbalanced text;
BEGIN
  SELECT count(*) INTO line_count FROM journal_lines WHERE journal_id = jid;
  IF line_count < 2 THEN
    RAISE EXCEPTION 'journal % has % line(s); a journal needs at least two', jid, line_count
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_balanced';
  END IF;
  SELECT string_agg(currency || ' ' || total::text, ', ') INTO unbalanced FROM (
    SELECT currency, sum(amount) AS total FROM journal_lines
    WHERE journal_id = jid GROUP BY currency HAVING sum(amount) <> 0
  ) s;
  IF unbalanced IS NOT NULL THEN
    RAISE EXCEPTION 'journal % does not balance: % ', jid, unbalanced
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_balanced';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_lines_balanced
  AFTER INSERT ON journal_lines
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced();
--> statement-breakpoint
-- A journal inserted without any line at all would escape the line trigger; check it too.
CREATE FUNCTION ledger_check_journal_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM journal_lines WHERE journal_id = NEW.id) THEN
    RAISE EXCEPTION 'journal % has no lines; a journal needs at least two', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_balanced';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journals_have_lines
  AFTER INSERT ON journals
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_has_lines();
--> statement-breakpoint
-- A line's currency must be its account's currency.
CREATE FUNCTION ledger_check_line_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_accounts WHERE id = NEW.account_id AND currency = NEW.currency) THEN
    RAISE EXCEPTION 'journal line currency % does not match account %', NEW.currency, NEW.account_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER journal_lines_currency BEFORE INSERT ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION ledger_check_line_currency();
--> statement-breakpoint
-- 2. Append-only: corrections are new reversing journals, history is never rewritten.
CREATE FUNCTION reject_modification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER journals_append_only BEFORE UPDATE OR DELETE ON journals
  FOR EACH ROW EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
CREATE TRIGGER payment_history_append_only BEFORE UPDATE OR DELETE ON payment_history
  FOR EACH ROW EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
-- TRUNCATE bypasses row triggers; forbid it on the same tables.
CREATE TRIGGER journals_no_truncate BEFORE TRUNCATE ON journals
  FOR EACH STATEMENT EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
CREATE TRIGGER journal_lines_no_truncate BEFORE TRUNCATE ON journal_lines
  FOR EACH STATEMENT EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
CREATE TRIGGER payment_history_no_truncate BEFORE TRUNCATE ON payment_history
  FOR EACH STATEMENT EXECUTE FUNCTION reject_modification();
--> statement-breakpoint
-- 3. Wake the outbox relay as soon as an event is committed (NOTIFY is delivered at commit).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
