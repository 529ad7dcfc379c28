'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { refundAction, type RefundFormState } from '@/app/dashboard/orders/[orderId]/actions';

export function RefundForm({ paymentId, orderId, refundable }: { paymentId: string; orderId: string; refundable: number }) {
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
        <button type="submit" disabled={pending} data-testid="refund-submit">{pending ? t('pending') : t('submit')}</button>
      </div>
      {state.message && <p className={`notice ${state.ok ? 'ok' : 'error'}`} role="status" data-testid="refund-result">{state.message}</p>}
    </form>
  );
}
