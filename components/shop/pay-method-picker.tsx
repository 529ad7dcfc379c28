'use client';

import { useLocale, useTranslations } from 'next-intl';
import type { Locale } from '@/lib/i18n/locale';
import { wordFor } from '@/lib/i18n/words';
import { CHECKOUT_METHODS, type CheckoutMethod } from '@/lib/payments/pay-method';

/** How the shopper wants to pay; the PSP's window opens with it preselected. Card by default. */
export function PayMethodPicker({ value, onChange }: { value: CheckoutMethod; onChange: (m: CheckoutMethod) => void }) {
  const t = useTranslations('checkout');
  const locale = useLocale() as Locale;
  return (
    <fieldset data-testid="pay-method" style={{ border: 0, padding: 0, margin: '12px 0' }}>
      <legend className="muted">{t('payWith')}</legend>
      {CHECKOUT_METHODS.map((m) => (
        <label key={m} style={{ display: 'block' }}>
          <input type="radio" name="pay-method" value={m} data-testid={`pay-method-${m}`} checked={value === m} onChange={() => onChange(m)} /> {wordFor(locale, 'payMethod', m)}
        </label>
      ))}
    </fieldset>
  );
}
