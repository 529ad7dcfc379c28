'use client';

import { useTranslations } from 'next-intl';
import { formatMoney, formatTime } from '@/lib/format';
import type { VirtualAccountView } from '@/lib/payments/get-order-status';

/** Where and by when the shopper pays an order awaiting its deposit. */
export function VirtualAccountDetails({ account, amount, currency }: { account: VirtualAccountView; amount: number; currency: string }) {
  const t = useTranslations('virtualAccount');
  return (
    <dl className="card" data-testid="virtual-account" style={{ margin: '12px 0' }}>
      <dt>{t('bank')}</dt>
      <dd data-testid="va-bank">{account.bankName}</dd>
      <dt>{t('accountNumber')}</dt>
      <dd data-testid="va-account-number"><strong>{account.accountNumber}</strong></dd>
      <dt>{t('amount')}</dt>
      <dd data-testid="va-amount">{formatMoney(amount, currency)}</dd>
      <dt>{t('payBy')}</dt>
      <dd data-testid="va-due">{formatTime(account.dueAt)}</dd>
    </dl>
  );
}

/** Shown when a virtual account's due date passed without a deposit. */
export function DepositExpiredNotice() {
  const t = useTranslations('virtualAccount');
  return <p className="notice error" data-testid="deposit-expired">{t('expired')}</p>;
}
