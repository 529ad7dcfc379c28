import { getLocale, getTranslations } from 'next-intl/server';
import { accountBalances, trialBalance } from '@/lib/ledger/balances';
import { formatMoney } from '@/lib/format';
import { wordFor } from '@/lib/i18n/words';
import { requireMerchantPage } from '@/lib/auth/merchant-context';

export default async function LedgerPage() {
  const { merchantId, withScope } = await requireMerchantPage();
  const [balances, t, to, locale] = await Promise.all([withScope((tx) => accountBalances(tx, merchantId)), getTranslations('ledger'), getTranslations('overview'), getLocale()]);
  const totals = trialBalance(balances);
  // Each currency must sum to zero on its own; shown as the sum of their absolute imbalances.
  const total = [...totals.values()].reduce((a, b) => a + (b < 0n ? -b : b), 0n);
  const currency = balances[0]?.currency ?? 'KRW';
  return (
    <>
      <h1>{t('title')}</h1>
      <p className={`notice ${total === 0n ? 'ok' : 'error'}`}>
        {t('trialBalance')} <strong data-testid="trial-balance" data-value={total.toString()}>{formatMoney(total, currency)}</strong>
        {total === 0n ? t('balanced') : t('unbalanced')}
      </p>
      {balances.length === 0 ? (
        <p className="card muted" data-testid="accounts-empty">{to('noAccounts')}</p>
      ) : (
        <table>
          <thead><tr><th>{to('account')}</th><th>{to('currency')}</th><th className="num">{to('balance')}</th></tr></thead>
          <tbody>
            {balances.map((b) => (
              <tr key={b.accountId} data-testid="account-row" data-account={b.code}>
                <td>{wordFor(locale, 'account', b.code)}</td><td>{b.currency}</td><td className="num">{formatMoney(b.balance, b.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
