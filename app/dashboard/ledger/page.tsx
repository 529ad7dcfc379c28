import { accountBalances, trialBalance } from '@/lib/ledger/balances';
import { formatMoney } from '@/lib/money';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

export default async function LedgerPage() {
  const { merchantId, withScope } = await requireMerchantPage();
  const balances = await withScope((tx) => accountBalances(tx, merchantId));
  const totals = trialBalance(balances);
  // Each currency must sum to zero on its own; shown as the sum of their absolute imbalances.
  const total = [...totals.values()].reduce((a, b) => a + (b < 0n ? -b : b), 0n);
  return (
    <>
      <h1>Ledger</h1>
      <p className={`notice ${total === 0n ? 'ok' : 'error'}`}>
        Trial balance (debits minus credits over every account): <strong data-testid="trial-balance">{total.toString()}</strong>
        {total === 0n ? ' — the books balance.' : ' — the books do NOT balance; this is a bug, please report it.'}
      </p>
      {balances.length === 0 ? (
        <p className="card muted" data-testid="accounts-empty">No accounts yet: they open with the first approved payment.</p>
      ) : (
        <table>
          <thead><tr><th>Account</th><th>Currency</th><th className="num">Balance (debit +, credit −)</th></tr></thead>
          <tbody>
            {balances.map((b) => (
              <tr key={b.accountId} data-testid="account-row">
                <td>{b.code}</td><td>{b.currency}</td><td className="num">{formatMoney(b.balance, b.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
