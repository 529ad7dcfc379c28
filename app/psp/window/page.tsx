import type { Metadata } from 'next';
import { db } from '@/db';
import { parseWindowRequest } from '@/lib/psp-sandbox/window-request';
import styles from './window.module.css';

/**
 * The sandbox's payment window: what Toss's window is to a real checkout. The merchant's checkout
 * opens it with the fields of `requestPayment` in the query string; the buyer approves, declines
 * or cancels, and the form posts to /psp/window/authorize, which redirects to successUrl/failUrl.
 */
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'PSP Sandbox · Payment window', robots: { index: false } };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const won = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });

export default async function PaymentWindowPage({ searchParams }: { searchParams: SearchParams }) {
  const query = Object.fromEntries(
    Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  );
  const parsed = await parseWindowRequest(db(), query);

  return (
    <div className={styles.screen}>
      <div className={styles.window} role="dialog" aria-labelledby="psp-title">
        <header className={styles.header}>
          <span className={styles.brand} id="psp-title">PSP Sandbox</span>
          <span className={styles.sandboxBadge} data-testid="psp-sandbox-badge">SANDBOX · 테스트 결제</span>
        </header>
        <p className={styles.sandboxNote}>
          This is the payment sandbox, a stand-in for Toss Payments. No card is charged and no money moves.
        </p>

        {parsed.ok ? (
          <form method="post" action="/psp/window/authorize" className={styles.body}>
            <dl className={styles.summary}>
              <dt>Merchant</dt>
              <dd data-testid="psp-merchant">{parsed.merchant.name}</dd>
              <dt>Order</dt>
              <dd data-testid="psp-order-name">{parsed.request.orderName}</dd>
              <dt>Amount</dt>
              <dd className={styles.amount} data-testid="psp-amount">{won.format(parsed.request.amount)}</dd>
            </dl>
            <div className={styles.card}>
              <span>Sandbox credit card</span>
              <span className={styles.cardNumber}>4330 •••• •••• ••••</span>
            </div>
            <input type="hidden" name="clientKey" value={parsed.request.clientKey} />
            <input type="hidden" name="orderId" value={parsed.request.orderId} />
            <input type="hidden" name="orderName" value={parsed.request.orderName} />
            <input type="hidden" name="amount" value={String(parsed.request.amount)} />
            <input type="hidden" name="currency" value={parsed.request.currency} />
            <input type="hidden" name="successUrl" value={parsed.request.successUrl} />
            <input type="hidden" name="failUrl" value={parsed.request.failUrl} />
            <div className={styles.actions}>
              <button type="submit" name="action" value="approve" className={styles.approve} data-testid="psp-approve">
                Approve {won.format(parsed.request.amount)}
              </button>
              <button type="submit" name="action" value="decline" className={styles.decline} data-testid="psp-decline">
                Decline (card company refuses)
              </button>
              <button type="submit" name="action" value="cancel" className={styles.cancel} data-testid="psp-cancel">
                Cancel payment
              </button>
            </div>
            <p className={styles.fineprint}>Order ID {parsed.request.orderId}</p>
          </form>
        ) : (
          <div className={styles.body}>
            <h1 className={styles.errorTitle}>This payment request cannot be processed</h1>
            {parsed.merchant && <p className={styles.fineprint}>Merchant: {parsed.merchant.name}</p>}
            <ul className={styles.errors} role="alert" data-testid="psp-errors">
              {parsed.issues.map((issue) => <li key={issue}>{issue}</li>)}
            </ul>
            <p className={styles.fineprint}>Nothing was charged. Go back to the shop and start the payment again.</p>
          </div>
        )}
      </div>
    </div>
  );
}
