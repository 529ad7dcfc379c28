'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { refundAction, type RefundFormState } from '@/app/dashboard/orders/[orderId]/actions';
import { BANK_CHOICES } from '@/lib/payments/banks';

/** `needsAccount`: a virtual-account payment, whose money goes back to a bank account the merchant enters. */
export function RefundForm({ paymentId, orderId, refundable, needsAccount }: { paymentId: string; orderId: string; refundable: number; needsAccount: boolean }) {
  const t = useTranslations('refundForm');
  const [state, action, pending] = useActionState<RefundFormState, FormData>(refundAction, { ok: true, message: '' });
  // One key per rendered form: submitting twice is one refund; a new refund needs a fresh form.
  const [key, setKey] = useState(() => crypto.randomUUID());
  return (
    <form action={async (fd) => { await action(fd); setKey(crypto.randomUUID()); }} className="card" data-testid="refund-form" style={{ marginTop: 12 }}>
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="orderId" value={orderId} />
      <input type="hidden" name="idempotencyKey" value={key} />
      <div className="row" style={{ justifyContent: 'flex-start', flexWrap: 'wrap' }}>
        <label>{t('amount')} <input name="amount" type="number" min={1} max={refundable} defaultValue={refundable} required data-testid="refund-amount" style={{ width: 120 }} /></label>
        <label>{t('reason')} <input name="reason" required maxLength={200} defaultValue={t('defaultReason')} data-testid="refund-reason" /></label>
        {needsAccount && (
          <fieldset className="row" style={{ justifyContent: 'flex-start', flexWrap: 'wrap', border: 0, padding: 0, margin: 0 }} data-testid="refund-account-fields">
            <legend className="muted">{t('accountLegend')}</legend>
            <label>{t('bank')} <select name="bank" required defaultValue="" data-testid="refund-bank">
              <option value="" disabled>{t('chooseBank')}</option>
              {BANK_CHOICES.map((b) => <option key={b.code} value={b.code}>{b.name}</option>)}
            </select></label>
            <label>{t('accountNumber')} <input name="accountNumber" required inputMode="numeric" pattern="[0-9\-\s]{6,30}" maxLength={30} autoComplete="off" data-testid="refund-account-number" style={{ width: 170 }} /></label>
            <label>{t('holderName')} <input name="holderName" required maxLength={60} autoComplete="off" data-testid="refund-holder-name" style={{ width: 120 }} /></label>
          </fieldset>
        )}
        <button type="submit" disabled={pending} data-testid="refund-submit">{pending ? t('pending') : t('submit')}</button>
      </div>
      {state.message && <p className={`notice ${state.ok ? 'ok' : 'error'}`} role="status" data-testid="refund-result">{state.message}</p>}
    </form>
  );
}
