import { pg, type DbOrTx } from '@/db/client';
import { newId } from '@/lib/ids';
import { PAYMENT_COLUMNS, toPayment, type Payment } from './state-machine';

export interface AttemptFor {
  orderId: string;
  merchantId: string;
  amount: bigint;
  currency: string;
}

/**
 * The order's live payment attempt: the one that is not FAILURE, created when there is none
 * (a new order, or a retry after a decline). The partial unique index "one live attempt per
 * order" makes concurrent calls agree on one attempt. Each round is one statement: the live
 * attempt if there is one, else the new attempt with its CREATED history row.
 */
export async function openPaymentAttempt(db: DbOrTx, order: AttemptFor, actor: string): Promise<Payment> {
  const sql = pg(db);
  // A conflict means a concurrent call created the live attempt, which this statement's snapshot
  // cannot see; it may even have failed already (its confirm was declined). Then try anew.
  for (let round = 0; round < 3; round++) {
    const [row] = await sql<Payment[]>`
      with live as (
        select ${sql.unsafe(PAYMENT_COLUMNS)} from payments p where p.order_id = ${order.orderId} and p.status <> 'FAILURE'
      ), created as (
        insert into payments (id, order_id, merchant_id, amount, currency, status, confirm_idempotency_key)
        select ${newId('pay')}, ${order.orderId}, ${order.merchantId}, ${order.amount.toString()}::bigint, ${order.currency}, 'NOT_STARTED', ${newId('cfm')}
        where not exists (select 1 from live)
        on conflict do nothing
        returning *
      ), history as (
        insert into payment_history (payment_id, to_status, event, actor, detail)
        select id, 'NOT_STARTED', 'CREATED', ${actor}, jsonb_build_object('amount', amount, 'currency', currency) from created
      )
      select * from live
      union all
      select ${sql.unsafe(PAYMENT_COLUMNS)} from created p`;
    if (row) return toPayment(row);
  }
  throw new Error(`no live payment attempt for ${order.orderId} after 3 conflicts`);
}
