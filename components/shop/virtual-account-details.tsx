'use client';

import { formatMoney, kstDateTimeOf } from '@/lib/format';
import type { VirtualAccountView } from '@/lib/payments/get-order-status';

/**
 * Where and by when the shopper pays an order awaiting its deposit. (Strings are few and kept
 * here, so they can move to the message files with the rest of the shop.)
 */
export function VirtualAccountDetails({ account, amount, currency }: { account: VirtualAccountView; amount: number; currency: string }) {
  return (
    <dl className="card" data-testid="virtual-account" style={{ margin: '12px 0' }}>
      <dt>입금 은행 · Bank</dt>
      <dd data-testid="va-bank">{account.bankName}</dd>
      <dt>계좌번호 · Account number</dt>
      <dd data-testid="va-account-number"><strong>{account.accountNumber}</strong></dd>
      <dt>입금 금액 · Amount</dt>
      <dd data-testid="va-amount">{formatMoney(amount, currency)}</dd>
      <dt>입금 기한 · Pay by</dt>
      <dd data-testid="va-due">{kstDateTimeOf(account.dueAt)} (KST, 한국 시간)</dd>
    </dl>
  );
}

/** Shown when a virtual account's due date passed without a deposit. */
export function DepositExpiredNotice() {
  return (
    <p className="notice error" data-testid="deposit-expired">
      입금 기한이 지나 가상계좌가 만료되었습니다. The due date passed without a deposit; nothing was charged.
    </p>
  );
}
