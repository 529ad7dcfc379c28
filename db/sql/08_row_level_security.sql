-- Row-level security: the second wall behind the merchant filter in every dashboard query.
-- The web app's merchant-scoped work runs as `won_app` (not the tables' owner, NOBYPASSRLS) with
-- `app.merchant_id` set for its transaction only (db/merchant-scope.ts). A query that forgets
-- its merchant filter then sees only that merchant's rows, and none at all when no merchant is
-- set. Workers, migrations, seeding and the shopper pay path keep the owner role: they span
-- merchants or act before one is known (docs/SECURITY.md).
--
-- The role is cluster-wide while this migration runs once per database, so it tolerates the role
-- existing already, or being created at the same moment by another database's migration. A
-- deployer whose migration login may not create roles creates it beforehand (docs/SECURITY.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'won_app') THEN
    BEGIN
      CREATE ROLE won_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role won_app does not exist, and % may not create it', current_user
          USING HINT = format('As a database administrator, run: CREATE ROLE won_app NOLOGIN NOBYPASSRLS; GRANT won_app TO %I;', current_user);
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'won_app' AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'role won_app can bypass row-level security (SUPERUSER or BYPASSRLS); run ALTER ROLE won_app NOSUPERUSER NOBYPASSRLS';
  END IF;
  -- The owner switches to won_app per transaction (set_config('role', ...)), so it needs SET.
  IF NOT pg_has_role(current_user, 'won_app', 'SET') THEN
    BEGIN
      EXECUTE format('GRANT won_app TO %I', current_user);
    EXCEPTION WHEN OTHERS THEN
      -- Another database's migration granted it at the same moment ("tuple concurrently updated").
      IF NOT pg_has_role(current_user, 'won_app', 'SET') THEN
        RAISE EXCEPTION 'role won_app is not granted to %, and % may not grant it (%)', current_user, current_user, SQLERRM
          USING HINT = format('As a database administrator, run: GRANT won_app TO %I;', current_user);
      END IF;
    END;
  END IF;
END $$;
--> statement-breakpoint
-- What the dashboard and the merchant API read and change; nothing else. A table added later is
-- out of won_app's reach until granted here (tests/security/row-level-security.test.ts).
GRANT USAGE ON SCHEMA public TO won_app;
--> statement-breakpoint
GRANT SELECT ON merchants, products, orders, order_items, payments, payment_history, refunds,
  ledger_accounts, journals, journal_lines, merchant_balances, outbox, webhook_deliveries,
  dead_letters, merchant_api_keys, audit_log, reconciliation_items TO won_app;
--> statement-breakpoint
GRANT UPDATE (webhook_url, webhook_secret) ON merchants TO won_app;
--> statement-breakpoint
GRANT INSERT ON outbox, audit_log, merchant_api_keys TO won_app;
--> statement-breakpoint
GRANT UPDATE (revoked_at) ON merchant_api_keys TO won_app;
--> statement-breakpoint
GRANT UPDATE (replayed_at, replay_count) ON dead_letters TO won_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE outbox_id_seq, audit_log_id_seq TO won_app;
--> statement-breakpoint
-- Platform tables with no merchant in them, read by merchant pages: which consumer applied which
-- event id (opaque ids), and the reconciliation runs (each merchant counts its own items).
GRANT SELECT ON consumed_events, reconciliation_runs TO won_app;
--> statement-breakpoint
ALTER TABLE merchants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON merchants TO won_app
  USING (id = nullif(current_setting('app.merchant_id', true), ''))
  WITH CHECK (id = nullif(current_setting('app.merchant_id', true), ''));
--> statement-breakpoint
-- Tables with their own merchant_id. A NULL merchant (operator audit entries, dead letters that
-- were not valid events, reconciliation items the PSP has and we do not) equals no merchant, so
-- those rows stay with the owner role (the operator pages) and never reach a merchant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['products', 'orders', 'payments', 'refunds', 'ledger_accounts', 'journals',
    'merchant_balances', 'outbox', 'webhook_deliveries', 'dead_letters', 'merchant_api_keys', 'audit_log',
    'reconciliation_items', 'auth_user']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY merchant_scope ON %I TO won_app
      USING (merchant_id = nullif(current_setting('app.merchant_id', true), ''))
      WITH CHECK (merchant_id = nullif(current_setting('app.merchant_id', true), ''))$p$, t);
  END LOOP;
END $$;
--> statement-breakpoint
-- Child tables without a merchant_id: a row is visible when its parent is the merchant's.
ALTER TABLE order_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON order_items TO won_app
  USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_items.order_id AND o.merchant_id = nullif(current_setting('app.merchant_id', true), '')))
  WITH CHECK (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_items.order_id AND o.merchant_id = nullif(current_setting('app.merchant_id', true), '')));
--> statement-breakpoint
ALTER TABLE payment_history ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON payment_history TO won_app
  USING (EXISTS (SELECT 1 FROM payments p WHERE p.id = payment_history.payment_id AND p.merchant_id = nullif(current_setting('app.merchant_id', true), '')))
  WITH CHECK (EXISTS (SELECT 1 FROM payments p WHERE p.id = payment_history.payment_id AND p.merchant_id = nullif(current_setting('app.merchant_id', true), '')));
--> statement-breakpoint
ALTER TABLE journal_lines ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON journal_lines TO won_app
  USING (EXISTS (SELECT 1 FROM journals j WHERE j.id = journal_lines.journal_id AND j.merchant_id = nullif(current_setting('app.merchant_id', true), '')))
  WITH CHECK (EXISTS (SELECT 1 FROM journals j WHERE j.id = journal_lines.journal_id AND j.merchant_id = nullif(current_setting('app.merchant_id', true), '')));
--> statement-breakpoint
-- Logins' sessions and credentials: won_app is granted nothing on them (Better Auth reads them as
-- the owner, before a merchant is known); the policies keep them closed should that ever change.
ALTER TABLE auth_session ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON auth_session TO won_app
  USING (EXISTS (SELECT 1 FROM auth_user u WHERE u.id = auth_session.user_id AND u.merchant_id = nullif(current_setting('app.merchant_id', true), '')))
  WITH CHECK (EXISTS (SELECT 1 FROM auth_user u WHERE u.id = auth_session.user_id AND u.merchant_id = nullif(current_setting('app.merchant_id', true), '')));
--> statement-breakpoint
ALTER TABLE auth_account ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON auth_account TO won_app
  USING (EXISTS (SELECT 1 FROM auth_user u WHERE u.id = auth_account.user_id AND u.merchant_id = nullif(current_setting('app.merchant_id', true), '')))
  WITH CHECK (EXISTS (SELECT 1 FROM auth_user u WHERE u.id = auth_account.user_id AND u.merchant_id = nullif(current_setting('app.merchant_id', true), '')));
