'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { cancelVirtualAccountAction, type RefundFormState } from '@/app/dashboard/orders/[orderId]/actions';

/** Before the deposit a virtual account can only be called off whole (the PSP refuses a part). */
export function CancelVirtualAccountForm({ paymentId, orderId }: { paymentId: string; orderId: string }) {
  const t = useTranslations('cancelVirtualAccount');
  const [state, action, pending] = useActionState<RefundFormState, FormData>(cancelVirtualAccountAction, { ok: true, message: '' });
  return (
    <form action={action} className="card" data-testid="cancel-va-form" style={{ marginTop: 12 }}>
      <h3>{t('title')}</h3>
      <p className="muted">{t('intro')}</p>
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="orderId" value={orderId} />
      <div className="row" style={{ justifyContent: 'flex-start', flexWrap: 'wrap' }}>
        <label>{t('reason')} <input name="reason" required maxLength={200} defaultValue={t('defaultReason')} data-testid="cancel-va-reason" /></label>
        <button type="submit" disabled={pending || (state.ok && state.message !== '')} data-testid="cancel-va-submit">{pending ? t('pending') : t('submit')}</button>
      </div>
      {state.message && <p className={`notice ${state.ok ? 'ok' : 'error'}`} role="status" data-testid="cancel-va-result">{state.message}</p>}
    </form>
  );
}
