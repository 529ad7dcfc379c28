-- Virtual accounts are merchant-owned like the payments they belong to: the dashboard shows the
-- account and its due date through won_app, behind the same merchant_scope policy as every other
-- merchant table (08_row_level_security.sql).
GRANT SELECT ON virtual_accounts TO won_app;
--> statement-breakpoint
ALTER TABLE virtual_accounts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY merchant_scope ON virtual_accounts TO won_app
  USING (merchant_id = nullif(current_setting('app.merchant_id', true), ''))
  WITH CHECK (merchant_id = nullif(current_setting('app.merchant_id', true), ''));
